import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { createHttpRequest } from "../../net/http-request.js";
import { createRunCommand } from "../system/run-command.js";
import { readBody, refusedUrl, serveNode, type TestServer } from "../targets/testing/serve.js";
import type { AgentEvent, NotifierDeps } from "./types.js";
import { webhookNotifier, type WebhookSettings } from "./webhook.js";

const UA = "Beacon-Agent/0.0.0-test";
const deps: NotifierDeps = {
  httpRequest: createHttpRequest(),
  runCommand: createRunCommand(),
  clock: () => 1_700_000_000_000,
  userAgent: UA,
};

/** A detail with everything that breaks naive templating: quotes, newlines, backslashes, &, #, %, unicode. */
const NASTY = 'HTTP 502 "Bad Gateway"\nline 2\\x & y=1 #frag %41 é\t{{fqdn}}';

const event: AgentEvent = {
  kind: "failure",
  fqdn: "home.example.com",
  type: "A",
  old: ["81.2.69.142"],
  new: ["81.2.69.160", "81.2.69.161"],
  status: "retry",
  detail: NASTY,
  target: "beacon-main",
  at: 1_700_000_000_000,
};

let server: TestServer;
let seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
let status = 200;

beforeAll(async () => {
  server = await serveNode(async (req, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: await readBody(req),
    });
    res.writeHead(status, { "content-type": "text/plain" });
    res.end("ok");
  });
});
afterAll(() => server.close());
beforeEach(() => {
  seen = [];
  status = 200;
});

function hook(s: Record<string, unknown>) {
  return webhookNotifier.create("hook", webhookNotifier.settings.parse(s), deps);
}
const signal = () => AbortSignal.timeout(10_000);

describe("webhook notifier", () => {
  it("POSTs a JSON object of every field by default, with our User-Agent", async () => {
    expect(await hook({ url: `${server.url}/hook` }).notify(event, signal())).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(seen[0]?.headers["user-agent"]).toBe(UA);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({
      kind: "failure",
      fqdn: "home.example.com",
      type: "A",
      old: ["81.2.69.142"],
      new: ["81.2.69.160", "81.2.69.161"],
      status: "retry",
      detail: NASTY,
      target: "beacon-main",
      at: "2023-11-14T22:13:20.000Z",
    });
  });

  it("default body: unknown old/new are null", async () => {
    await hook({ url: server.url }).notify({ ...event, old: undefined, new: undefined }, signal());
    expect(JSON.parse(seen[0]?.body ?? "")).toMatchObject({ old: null, new: null });
  });

  it("a JSON body template gets JSON-escaped values (quotes, newlines, backslashes survive exactly)", async () => {
    const body =
      '{"text": "{{fqdn}} {{type}} {{old}} -> {{new}}", "why": "{{ detail }}", "n": {"s": "{{status}}"}}';
    await hook({ url: server.url, body }).notify(event, signal());
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({
      text: "home.example.com A 81.2.69.142 -> 81.2.69.160,81.2.69.161",
      why: NASTY,
      n: { s: "retry" },
    });
  });

  it("URL placeholders are URL-encoded: a value cannot add parameters or a fragment", async () => {
    const url = `${server.url}/h/{{fqdn}}?detail={{detail}}&kind={{kind}}&at={{at}}`;
    await hook({ url, method: "GET" }).notify(event, signal());
    expect(seen[0]?.method).toBe("GET");
    expect(seen[0]?.body).toBe("");
    const u = new URL(seen[0]?.url ?? "", server.url);
    expect(u.pathname).toBe("/h/home.example.com");
    expect([...u.searchParams.keys()]).toEqual(["detail", "kind", "at"]);
    expect(u.searchParams.get("detail")).toBe(NASTY);
    expect(u.searchParams.get("kind")).toBe("failure");
  });

  it("sends the method and static headers configured; a header may replace the User-Agent", async () => {
    await hook({
      url: server.url,
      method: "PUT",
      headers: { Authorization: "Bearer s3cret", "X-Source": "beacon", "User-Agent": "mine/1" },
    }).notify(event, signal());
    expect(seen[0]?.method).toBe("PUT");
    expect(seen[0]?.headers.authorization).toBe("Bearer s3cret");
    expect(seen[0]?.headers["x-source"]).toBe("beacon");
    expect(seen[0]?.headers["user-agent"]).toBe("mine/1");
  });

  it("a form body gets URL-encoded values; a text body gets raw values", async () => {
    await hook({
      url: server.url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "host={{fqdn}}&detail={{detail}}",
    }).notify(event, signal());
    const form = new URLSearchParams(seen[0]?.body ?? "");
    expect([...form.keys()]).toEqual(["host", "detail"]);
    expect(form.get("detail")).toBe(NASTY);

    await hook({ url: server.url, body: "{{fqdn}} is now {{new}}" }).notify(event, signal());
    expect(seen[1]?.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(seen[1]?.body).toBe("home.example.com is now 81.2.69.160,81.2.69.161");
  });

  it("a non-2xx answer or a refused connection is ok:false, never a throw; the URL path is not quoted", async () => {
    status = 500;
    const r = await hook({ url: `${server.url}/bot123:SECRET/send` }).notify(event, signal());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.detail).toContain("HTTP 500");
      expect(r.detail).not.toContain("SECRET");
    }
    const refused = await hook({ url: `${await refusedUrl()}/bot123:SECRET/x` }).notify(event, signal());
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.detail).not.toContain("SECRET");
  });

  it("an aborted signal is ok:false", async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await hook({ url: server.url }).notify(event, ac.signal)).ok).toBe(false);
  });

  it("kinds: all by default, or the `on` list", () => {
    expect(hook({ url: server.url }).kinds).toEqual(["change", "failure", "recovered"]);
    expect(hook({ url: server.url, on: ["failure"] }).kinds).toEqual(["failure"]);
  });
});

describe("webhook settings are checked when the config is read, not when an event is sent", () => {
  it.each([
    [
      "an unknown placeholder in the body",
      { body: '{"ip": "{{ip}}"}' },
      "body",
      /unknown placeholder \{\{ip\}\}/,
    ],
    ["an unknown placeholder in the URL", { url: "http://127.0.0.1/{{host}}" }, "url", /unknown placeholder/],
    ["an unclosed placeholder", { body: "{{fqdn" }, "body", /unclosed/],
    ["an empty placeholder", { body: "x {{}} y" }, "body", /unknown placeholder/],
    ["JSON with an unquoted placeholder", { body: '{"fqdn": {{fqdn}}}' }, "body", /not valid JSON/],
    ["a body with GET", { method: "GET", body: "x" }, "body", /GET/],
    ["a lowercase method", { method: "post" }, "method", /POST/],
    ["a file: URL", { url: "file:///etc/passwd" }, "url", /http/],
    ["not a URL", { url: "hooks.example/{{fqdn}}" }, "url", /not a URL/],
    ["a header value with a line break", { headers: { "x-a": "1\r\nx-b: 2" } }, "headers", /line breaks/],
    ["a bad header name", { headers: { "bad name": "1" } }, "headers", /header name/],
    ["an empty `on` list", { on: [] }, "on", /at least one/],
    ["an unknown event kind", { on: ["changed"] }, "on", /change, failure or recovered/],
    ["an unknown key", { template: "x" }, "", /template/],
  ])("rejects %s", (_name, over, path, message) => {
    const r = webhookNotifier.settings.safeParse({ url: "http://127.0.0.1/hook", ...over });
    expect(r.success).toBe(false);
    const issue = r.error?.issues[0];
    expect(String(issue?.path[0] ?? "")).toBe(path);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });

  it("create() refuses a bad template even when the schema was bypassed", () => {
    const bad: WebhookSettings = { url: "http://127.0.0.1/", method: "POST", body: "{{nope}}" };
    expect(() => webhookNotifier.create("h", bad, deps)).toThrow(BeaconError);
  });
});
