import { afterAll, describe, expect, it } from "vitest";
import { createHttpRequest } from "../../net/http-request.js";
import type { HttpRequestOptions } from "../../net/http.js";
import { httpSource, type HttpSourceSettings } from "./http.js";
import { fakeDeps } from "./testing/deps.js";
import { startEchoServer, type EchoReply, type EchoServer } from "./testing/echo-server.js";
import type { IpFamily } from "../../core/ip.js";

const deps = fakeDeps({ httpRequest: createHttpRequest() });
const servers: EchoServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function observe(
  reply: EchoReply,
  settings: Partial<HttpSourceSettings> = {},
  family: IpFamily = 4,
  signal = AbortSignal.timeout(5000),
) {
  const server = await startEchoServer(reply);
  servers.push(server);
  const s = httpSource.settings.parse({ url: `${server.url}/ip`, ...settings });
  return httpSource.create("echo", s, deps).observe({ family, signal, localAddress: undefined });
}

const TRACE = "fl=123\nh=1.1.1.1\nip=81.2.69.142\nts=1700000000.1\nvisit_scheme=https\n";

describe("http source", () => {
  it("accepts a body that is one address after trimming", async () => {
    expect(await observe({ body: "  81.2.69.142\r\n" })).toEqual({
      ok: true,
      ip: { text: "81.2.69.142", family: 4 },
    });
  });

  it("canonicalises an IPv6 answer", async () => {
    expect(await observe({ body: "2A02:8070:0:0::1\n" }, {}, 6)).toEqual({
      ok: true,
      ip: { text: "2a02:8070::1", family: 6 },
    });
  });

  it.each<[string, EchoReply, string, IpFamily?]>([
    [
      "an HTML error page with status 200",
      { body: "<!DOCTYPE html><html><body>Rate limited</body></html>" },
      "unparsable",
    ],
    ["an empty body", { body: "" }, "empty"],
    ["a body of whitespace", { body: " \n\t " }, "empty"],
    ["two addresses", { body: "81.2.69.142\n81.2.69.160\n" }, "ambiguous"],
    ["a 503 with an address in the body", { status: 503, body: "81.2.69.142" }, "http_status"],
    ["a 302 redirect (not followed)", { status: 302, headers: { location: "/elsewhere" } }, "http_status"],
    ["an IPv4 address when IPv6 is asked", { body: "81.2.69.142" }, "wrong_family", 6],
    ["an address with a prefix length", { body: "2a02:8070::1/64" }, "unparsable", 6],
    ["an octal-looking IPv4 address", { body: "081.002.069.142" }, "unparsable"],
    ["a 20 KiB body", { body: "8".repeat(20_000) }, "unparsable"],
  ])("fails on %s", async (_title, reply, reason, family) => {
    expect(await observe(reply, {}, family ?? 4)).toMatchObject({ ok: false, reason });
  });

  it("quotes the start of a bad body in the detail", async () => {
    const obs = await observe({ body: "<html>busy</html>" });
    expect(!obs.ok && obs.detail).toContain("<html>busy</html>");
  });

  it("extracts with a pattern from a Cloudflare trace body", async () => {
    expect(await observe({ body: TRACE }, { pattern: "^ip=(.+)$" })).toEqual({
      ok: true,
      ip: { text: "81.2.69.142", family: 4 },
    });
  });

  it.each([
    ["no match of the pattern", "fl=1\nh=x\n", "no_address"],
    ["two different matches", "ip=81.2.69.142\nip=81.2.69.160\n", "ambiguous"],
    ["a match that is not an address", "ip=<unknown>\n", "unparsable"],
    ["a second match that is not an address", "ip=81.2.69.142\nip=<unknown>\n", "unparsable"],
  ])("fails a pattern source on %s", async (_t, body, reason) => {
    expect(await observe({ body }, { pattern: "^ip=(.+)$" })).toMatchObject({ ok: false, reason });
  });

  it("reads a nested JSON field", async () => {
    const body = JSON.stringify({ data: { ip: "81.2.69.142" } });
    expect(await observe({ body }, { format: "json", field: "data.ip" })).toEqual({
      ok: true,
      ip: { text: "81.2.69.142", family: 4 },
    });
  });

  it.each([
    ["an HTML page where JSON is expected", "<html></html>", "unparsable"],
    ["JSON without the field", '{"address":"81.2.69.142"}', "no_address"],
    ["JSON with a number in the field", '{"ip":8}', "no_address"],
    ["JSON with an empty string", '{"ip":""}', "empty"],
    ["JSON reaching into the prototype", '{"constructor":"x"}', "no_address"],
  ])("fails a JSON source on %s", async (_t, body, reason) => {
    const field = body.includes("constructor") ? "constructor.name" : "ip";
    expect(await observe({ body }, { format: "json", field })).toMatchObject({ ok: false, reason });
  });

  it("fails with timeout when the service stalls past the signal", async () => {
    expect(await observe({ stall: true }, {}, 4, AbortSignal.timeout(100))).toMatchObject({
      ok: false,
      reason: "timeout",
    });
  });

  it("fails with network when nothing listens", async () => {
    const s = httpSource.settings.parse({ url: "http://127.0.0.1:1/ip" });
    const obs = await httpSource
      .create("x", s, deps)
      .observe({ family: 4, signal: AbortSignal.timeout(5000), localAddress: undefined });
    expect(obs).toMatchObject({ ok: false, reason: "network" });
  });

  it("asks over the requested family, from the bound local address, with the configured headers", async () => {
    const calls: HttpRequestOptions[] = [];
    const s = httpSource.settings.parse({ url: "https://echo.example/", headers: { "x-key": "k" } });
    const src = httpSource.create(
      "x",
      s,
      fakeDeps({
        httpRequest: (_url, o) => {
          calls.push(o);
          return Promise.resolve({ status: 200, headers: {}, body: "2a02:8070::1" });
        },
      }),
    );
    await src.observe({ family: 6, signal: AbortSignal.timeout(5000), localAddress: "2a02:8070::99" });
    expect(calls[0]).toMatchObject({ family: 6, localAddress: "2a02:8070::99", headers: { "x-key": "k" } });
    expect(src.operator).toBe("echo.example");
  });
});

describe("http source settings", () => {
  it.each([
    ["an ftp URL", { url: "ftp://echo.example/" }],
    ["a pattern without a capture group", { url: "https://e.example", pattern: "ip=.+" }],
    ["a pattern with two capture groups", { url: "https://e.example", pattern: "(ip)=(.+)" }],
    ["an invalid regular expression", { url: "https://e.example", pattern: "ip=(.+" }],
    ["a pattern with format json", { url: "https://e.example", pattern: "(.+)", format: "json" }],
    ["an unknown setting", { url: "https://e.example", patern: "(.+)" }],
    ["an empty families list", { url: "https://e.example", families: [] }],
    ["family 5", { url: "https://e.example", families: [5] }],
  ])("rejects %s", (_t, input) => {
    expect(httpSource.settings.safeParse(input).success).toBe(false);
  });

  it("accepts a non-capturing group beside the capture group", () => {
    expect(
      httpSource.settings.safeParse({ url: "https://e.example", pattern: "(?:ip|addr)=(.+)" }).success,
    ).toBe(true);
  });
});
