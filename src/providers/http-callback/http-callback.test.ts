import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError, type BeaconError } from "../../core/errors.js";
import { httpCallbackProvider } from "./http-callback.js";
import { runProviderContract } from "../testing/contract.js";
import { testProviderDeps } from "../testing/deps.js";
import { startFakeCallback, type FakeCallback } from "../testing/fakes/http-callback.js";
import type { Provider, ProviderRecordType, WriteRequest } from "../types.js";

const SECRET = "s3cr3t-T0ken_value";
const V4 = "81.2.69.142";
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

/** A REST-style receiver: PUT JSON per name/type, DELETE to remove (see the fake). */
function jsonSettings(base: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: `${base}/hooks/{{zone}}/records/{{name}}/{{type}}`,
    method: "PUT",
    headers: { Authorization: "Bearer {{secret}}", "X-Source": "beacon {{type}}" },
    body: '{"name": "{{name}}", "values": {{values_json}}, "ttl": {{ttl}}, "note": "{{type}} is {{values}}"}',
    delete: { url: `${base}/hooks/{{zone}}/records/{{name}}/{{type}}` },
    zone: "example.net",
    secret: SECRET,
    ...over,
  };
}

/** A form POST carrying one value. */
function formSettings(base: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: `${base}/form`,
    headers: { "X-Api-Key": "{{secret}}" },
    body: "hostname={{name}}&type={{type}}&value={{value}}",
    content_type: "application/x-www-form-urlencoded",
    secret: SECRET,
    ...over,
  };
}

function make(settings: Record<string, unknown>): Provider {
  return httpCallbackProvider.create("cb", httpCallbackProvider.settings.parse(settings), testProviderDeps());
}

function peekOf(fake: FakeCallback) {
  return (fqdn: string, type: ProviderRecordType) => {
    const held = fake.held.get(fqdn)?.get(type);
    return Promise.resolve(
      held === undefined ? undefined : { type, ttl: held.ttl ?? 0, values: held.values },
    );
  };
}

runProviderContract("http callback (JSON PUT + DELETE, several values)", async () => {
  const fake = await startFakeCallback(SECRET);
  return {
    provider: make(jsonSettings(fake.vendor.url)),
    wrongCredentials: make(jsonSettings(fake.vendor.url, { secret: "wrong" })),
    zone: "example.net",
    foreignName: "home.example.org",
    peek: peekOf(fake),
    close: () => fake.close(),
  };
});

runProviderContract("http callback (form POST, one value, no delete)", async () => {
  const fake = await startFakeCallback(SECRET);
  return {
    provider: make(formSettings(fake.vendor.url)),
    wrongCredentials: make(formSettings(fake.vendor.url, { secret: "wrong" })),
    zone: "example.net",
    peek: peekOf(fake),
    close: () => fake.close(),
  };
});

/** What a string becomes on the wire as UTF-8 (a lone surrogate turns into U+FFFD). */
const utf8RoundTrip = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (x: unknown) => x,
  );
  if (!isBeaconError(e)) throw new Error(`not a BeaconError: ${String(e)}`);
  return e;
}

const txt = (values: string[], fqdn = "_acme-challenge.home.example.net"): WriteRequest => ({
  fqdn,
  type: "TXT",
  values,
  ttl: 60,
});

describe("http callback: placeholders are encoded for where they sit", () => {
  let fake: FakeCallback;
  beforeAll(async () => {
    fake = await startFakeCallback(SECRET);
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.vendor.requests.length = 0;
    fake.held.clear();
  });

  const HOSTILE = [
    ["quotes and a JSON break-out", '"}], "admin": true, "x": ["'],
    ["backslashes", "C:\\path\\\\ \\u0041 \\"],
    ["URL syntax", "a&b=c#frag?d=/e%20f+g"],
    ["unicode", "grüße ✓ 🙂 ℝ"],
    ["CRLF and a fake header", "line1\r\nX-Injected: 1\r\n\r\nbody"],
    ["a placeholder-looking value", "{{secret}} {{name}}"],
    ["a lone surrogate", "x\ud800y"],
  ] as const;

  it.each(HOSTILE)(
    "in a JSON body: %s arrives exactly, in a string and as values_json",
    async (_n, value) => {
      expect(await make(jsonSettings(fake.vendor.url)).upsert(txt([value]), ctx())).toBe("changed");
      const seen = fake.vendor.requests.at(-1);
      const body = JSON.parse(seen?.body ?? "") as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(["name", "note", "ttl", "values"]);
      // JSON escapes even a lone surrogate (\ud800), so every value arrives exactly.
      const sent = value;
      expect(body["values"]).toEqual([sent]);
      expect(body["note"]).toBe(`TXT is ${sent}`);
      expect(seen?.body).not.toContain(SECRET);
      expect(fake.held.get("_acme-challenge.home.example.net")?.get("TXT")?.values).toEqual([sent]);
    },
  );

  it.each(HOSTILE)("in the URL: %s is one percent-encoded path segment / parameter", async (_n, value) => {
    const p = make({
      url: `${fake.vendor.url}/hooks/example.net/records/{{value}}/TXT?v={{value}}&ttl={{ttl}}`,
      method: "DELETE",
    });
    await p.upsert(txt([value]), ctx()).catch(() => undefined);
    const seen = fake.vendor.requests.at(-1);
    const sent = utf8RoundTrip(value);
    expect(seen?.rawUrl).not.toContain("#");
    expect(seen?.path.split("/")).toHaveLength(6);
    expect(decodeURIComponent(seen?.path.split("/")[4] ?? "")).toBe(sent);
    expect([...(seen?.query.keys() ?? [])]).toEqual(["v", "ttl"]);
    expect(seen?.query.get("v")).toBe(sent);
  });

  it.each(HOSTILE)("in a form body: %s is one field", async (_n, value) => {
    expect(await make(formSettings(fake.vendor.url)).upsert(txt([value]), ctx())).toBe("changed");
    const form = new URLSearchParams(fake.vendor.requests.at(-1)?.body ?? "");
    expect([...form.keys()]).toEqual(["hostname", "type", "value"]);
    expect(form.get("value")).toBe(utf8RoundTrip(value));
  });

  it("in a header: printable values go raw; CR/LF, NUL or non-Latin-1 are refused and nothing is sent", async () => {
    const p = make(
      jsonSettings(fake.vendor.url, {
        headers: { Authorization: "Bearer {{secret}}", "X-Value": "{{value}}" },
      }),
    );
    await p.upsert(txt(['a "quoted" & #hash; ok']), ctx());
    expect(fake.vendor.requests.at(-1)?.headers["x-value"]).toBe('a "quoted" & #hash; ok');
    const before = fake.vendor.requests.length;
    for (const value of ["line1\r\nX-Injected: 1", "a\nb", "nul\u0000", "grüße ✓"]) {
      const e = await failure(p.upsert(txt([value]), ctx()));
      expect(e.code).toBe("provider_unsupported");
      expect(e.message).toMatch(/header X-Value/);
    }
    expect(fake.vendor.requests).toHaveLength(before);
  });

  it("sends the method, the headers and application/json; {{ttl}} is null in JSON when the write has none", async () => {
    await make(jsonSettings(fake.vendor.url)).upsert(
      { fqdn: "home.example.net", type: "A", values: [V4], ttl: undefined },
      ctx(),
    );
    const seen = fake.vendor.requests.at(-1);
    expect(seen?.method).toBe("PUT");
    expect(seen?.path).toBe("/hooks/example.net/records/home.example.net/A");
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(seen?.headers["x-source"]).toBe("beacon A");
    expect(JSON.parse(seen?.body ?? "")).toEqual({
      name: "home.example.net",
      values: [V4],
      ttl: null,
      note: `A is ${V4}`,
    });
  });
});

describe("http callback: replies", () => {
  let fake: FakeCallback;
  beforeAll(async () => {
    fake = await startFakeCallback(SECRET);
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.vendor.requests.length = 0;
  });
  const write: WriteRequest = { fqdn: "home.example.net", type: "A", values: [V4], ttl: 300 };

  it.each([
    [401, '{"error":"invalid token"}', "provider_auth"],
    [403, "forbidden", "provider_permission"],
    [404, "no such record", "provider_zone_not_found"],
    [409, "conflict", "provider_conflict"],
    [400, "bad input", "provider_rejected"],
    [302, "", "provider_rejected"],
    [500, "<html>oops</html>", "provider_unavailable"],
    [503, "maintenance", "provider_unavailable"],
  ])("HTTP %i → %s, quoting the receiver", async (status, body, code) => {
    fake.vendor.failNext({ status, body });
    const e = await failure(make(jsonSettings(fake.vendor.url)).upsert(write, ctx()));
    expect(e.code).toBe(code);
    expect(e.message).toContain(body === "" ? "(empty reply)" : body.slice(0, 8));
  });

  it("429 with Retry-After → provider_rate_limited with retryAfterMs", async () => {
    fake.vendor.failNext({ status: 429, headers: { "retry-after": "30" }, body: "slow down" });
    const e = await failure(make(jsonSettings(fake.vendor.url)).upsert(write, ctx()));
    expect(e.code).toBe("provider_rate_limited");
    expect(e.details?.["retryAfterMs"]).toBe(30_000);
  });

  it("a receiver echoing the request never puts the secret into the message", async () => {
    fake.vendor.failNext({ status: 400, body: `bad request: Authorization: Bearer ${SECRET}` });
    const e = await failure(make(jsonSettings(fake.vendor.url)).upsert(write, ctx()));
    expect(e.message).not.toContain(SECRET);
    expect(e.message).toContain("[secret]");
  });

  it("`success` lists the statuses that count: 202 passes, 200 does not", async () => {
    const p = make(jsonSettings(fake.vendor.url, { success: [202] }));
    fake.vendor.failNext({ status: 202, body: "" });
    expect(await p.upsert(write, ctx())).toBe("changed");
    const e = await failure(p.upsert(write, ctx()));
    expect(e.code).toBe("provider_rejected");
  });

  it("a name outside `zone` is provider_zone_not_found and nothing is sent", async () => {
    const e = await failure(
      make(jsonSettings(fake.vendor.url)).upsert({ ...write, fqdn: "a.example.org" }, ctx()),
    );
    expect(e.code).toBe("provider_zone_not_found");
    expect(fake.vendor.requests).toHaveLength(0);
  });

  it("get() is unsupported; delete() without a delete template is unsupported; capabilities follow the templates", async () => {
    const form = make(formSettings(fake.vendor.url));
    expect(form.capabilities).toMatchObject({
      read: false,
      delete: false,
      multiValue: false,
      types: ["A", "AAAA", "TXT"],
    });
    expect(make(jsonSettings(fake.vendor.url)).capabilities).toMatchObject({
      delete: true,
      multiValue: true,
    });
    expect((await failure(form.get("home.example.net", "A", ctx()))).code).toBe("provider_unsupported");
    expect((await failure(form.delete("home.example.net", "A", ctx()))).code).toBe("provider_unsupported");
    const two = await failure(form.upsert({ ...write, values: [V4, "81.2.69.160"] }, ctx()));
    expect(two.code).toBe("provider_unsupported");
    expect(fake.vendor.requests).toHaveLength(0);
  });

  it("delete sends the delete template with the top-level headers", async () => {
    expect(await make(jsonSettings(fake.vendor.url)).delete("home.example.net", "AAAA", ctx())).toBe(
      "changed",
    );
    const seen = fake.vendor.requests.at(-1);
    expect([seen?.method, seen?.path, seen?.headers.authorization]).toEqual([
      "DELETE",
      "/hooks/example.net/records/home.example.net/AAAA",
      `Bearer ${SECRET}`,
    ]);
    expect(seen?.body).toBe("");
  });
});

describe("http callback: settings are checked at load", () => {
  const base = {
    url: "https://hooks.example/dns/{{name}}",
    body: '{"ip": "{{value}}"}',
  };
  it("accepts a minimal callback: POST, JSON, 2xx", () => {
    expect(httpCallbackProvider.settings.parse(base)).toEqual({ ...base, method: "POST", headers: {} });
  });
  it.each([
    [
      "an unknown placeholder (named)",
      { url: "https://hooks.example/{{hostname}}" },
      /unknown placeholder \{\{hostname\}\}/,
    ],
    [
      "an unknown placeholder in a header",
      { headers: { "X-A": "{{token}}" } },
      /"headers","X-A".*unknown placeholder \{\{token\}\}/,
    ],
    [
      "{{secret}} in the URL",
      { url: "https://hooks.example/?k={{secret}}", secret: "x" },
      /may not go into the URL/,
    ],
    [
      "{{secret}} without a secret",
      { headers: { Authorization: "Bearer {{secret}}" } },
      /needs the secret setting/,
    ],
    ["{{zone}} without a zone", { url: "https://hooks.example/{{zone}}/{{name}}" }, /needs the zone setting/],
    ["a body on GET", { method: "GET" }, /GET request carries no body/],
    ["a body that is not JSON once filled in", { body: '{"ip": {{value}' }, /not JSON once filled in/],
    ["an unquoted placeholder breaking JSON", { body: '{"ip": x{{value}}}' }, /not JSON/],
    ["CR/LF in a header template", { headers: { "X-A": "a\r\nX-B: b" } }, /control characters/],
    ["a header name with a space", { headers: { "X A": "b" } }, /header name/],
    ["Content-Type in headers", { headers: { "Content-Type": "text/plain" } }, /use content_type/],
    ["no value placeholder anywhere", { body: '{"name": "{{name}}"}' }, /never sends the record/],
    ["method TRACE", { method: "TRACE" }, /one of GET, POST/],
    ["an ftp URL", { url: "ftp://hooks.example/{{name}}" }, /http/],
    ["credentials in the URL", { url: "https://u:p@hooks.example/{{name}}" }, /credentials/],
    ["a fragment", { url: "https://hooks.example/{{name}}#x" }, /fragment/],
    ["a relative URL", { url: "/dns/{{name}}" }, /absolute URL/],
    ["a content_type with a line break", { content_type: "application/json;\r\nX-A: b" }, /media type/],
    ["a status code 99", { success: [99] }, /success/],
    ["an empty success list", { success: [] }, /at least one/],
    ["a zone that is not a name", { zone: "bad zone!" }, /not a domain name/],
    ["an unknown key", { header: {} }, /header/],
    [
      "an unknown placeholder in the delete request",
      { delete: { url: "https://hooks.example/{{id}}" } },
      /\{\{id\}\}/,
    ],
  ])("rejects %s", (_name, over, message) => {
    const r = httpCallbackProvider.settings.safeParse({ ...base, ...over });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});
