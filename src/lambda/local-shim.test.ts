// The local Function URL shim: what event a real HTTP request becomes, how a result is written back,
// and real clients (fetch, curl) updating a record through it and the handler.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalShim, type LocalShim, type ShimHandler } from "./local-shim.js";
import { FORGED, HOST, setup } from "./testing/fixture.js";

const run = promisify(execFile);
let shim: LocalShim | undefined;
afterEach(async () => {
  await shim?.close();
  shim = undefined;
});

async function capture(result: unknown = { statusCode: 204, body: "" }) {
  const events: Record<string, unknown>[] = [];
  const handler: ShimHandler = (e) => {
    events.push(e as Record<string, unknown>);
    return Promise.resolve(result);
  };
  shim = await startLocalShim(handler);
  return { events, url: shim.url };
}

describe("local Function URL shim", () => {
  it("turns a request into a 2.0 event: raw path and query, lowercased headers, cookies, peer address", async () => {
    const { events, url } = await capture();
    const res = await fetch(`${url}/nic/update?hostname=a%2Eb&x=1`, {
      headers: { "X-Custom": "v", Cookie: "a=1; b=2", "X-Forwarded-For": FORGED },
    });
    expect(res.status).toBe(204);
    const e = events[0] as { requestContext: { http: Record<string, unknown> } } & Record<string, unknown>;
    expect(e["version"]).toBe("2.0");
    expect(e["rawPath"]).toBe("/nic/update");
    expect(e["rawQueryString"]).toBe("hostname=a%2Eb&x=1");
    expect(e["cookies"]).toEqual(["a=1", "b=2"]);
    expect(e["headers"]).toMatchObject({ "x-custom": "v", "x-forwarded-for": FORGED });
    expect(e["headers"]).not.toHaveProperty("cookie");
    expect(e.requestContext.http).toMatchObject({
      method: "GET",
      path: "/nic/update",
      sourceIp: "127.0.0.1",
    });
    expect(e["isBase64Encoded"]).toBe(false);
  });

  it("a binary body is base64, a JSON body text", async () => {
    const { events, url } = await capture();
    const bytes = new Uint8Array([0, 255, 1, 2]);
    await fetch(url, {
      method: "POST",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    await fetch(url, { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } });
    expect(events[0]).toMatchObject({ body: "AP8BAg==", isBase64Encoded: true });
    expect(events[1]).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
  });

  it("writes the result back: status, headers, cookies as Set-Cookie, a base64 body decoded", async () => {
    const { url } = await capture({
      statusCode: 201,
      headers: { "content-type": "application/octet-stream", "x-a": "1" },
      cookies: ["s=1; Path=/", "t=2"],
      body: "AP8BAg==",
      isBase64Encoded: true,
    });
    const res = await fetch(url);
    expect(res.status).toBe(201);
    expect(res.headers.get("x-a")).toBe("1");
    expect(res.headers.getSetCookie()).toEqual(["s=1; Path=/", "t=2"]);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([0, 255, 1, 2]));
  });

  it("413 over 6 MB without calling the handler; 502 when the handler throws; 200 JSON for a plain result", async () => {
    const { events, url } = await capture();
    const big = await fetch(url, { method: "POST", body: new Uint8Array(6 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(events).toHaveLength(0);
    await shim?.close();
    shim = await startLocalShim(() => Promise.reject(new Error("x")));
    expect((await fetch(shim.url)).status).toBe(502);
    await shim.close();
    shim = await startLocalShim(() => Promise.resolve({ ok: true }));
    const plain = await fetch(shim.url);
    expect([plain.status, await plain.json()]).toEqual([200, { ok: true }]);
  });

  it("fetch and curl update a record through the shim and the handler; the forged header is ignored", async () => {
    const s = await setup({ BEACON_UPDATES_ALLOW_NON_GLOBAL: "true", BEACON_LIMITS_EXEMPT: "" });
    shim = await startLocalShim(s.handler);
    const res = await fetch(`${shim.url}/nic/update?hostname=${HOST}`, {
      headers: { authorization: s.basic, "user-agent": "test/1", "x-forwarded-for": FORGED },
    });
    expect([res.status, await res.text()]).toEqual([200, "good 127.0.0.1"]);
    const [user, password] = atob(s.basic.slice("Basic ".length)).split(":") as [string, string];
    const curl = await run("curl", [
      "-sS",
      "-u",
      `${user}:${password}`,
      "-A",
      "curl-test/1",
      "-H",
      `X-Forwarded-For: ${FORGED}`,
      `${shim.url}/nic/update?hostname=${HOST}&myip=81.2.69.160`,
    ]);
    expect(curl.stdout).toBe("good 81.2.69.160");
    expect((await s.store.getRRSets(HOST)).map((r) => r.values)).toEqual([["81.2.69.160"]]);
  });
});
