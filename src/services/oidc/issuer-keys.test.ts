// The issuers' key cache with an injected HttpRequest and clock (no sockets): the discovery checks
// (issuer exact, jwks_uri https or same-origin), replies that are not 200 or not JSON, a fetch that
// rejects, the cache age, the refresh cooldown, and one fetch shared by concurrent callers.

import { describe, expect, it } from "vitest";

import { BeaconError } from "../../core/errors.js";
import type { HttpReply, HttpRequest } from "../../net/http.js";
import { createIssuerKeys } from "./issuer-keys.js";

const ISSUER = "https://issuer.example";
const JWKS = { keys: [{ kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA", kid: "k1" }] };

function fakeIssuer(over: { discovery?: unknown; jwks?: HttpReply; fail?: boolean } = {}) {
  const calls: string[] = [];
  const http: HttpRequest = (url) => {
    calls.push(url);
    if (over.fail === true) return Promise.reject(new BeaconError("network_error", "connection refused"));
    if (url.endsWith("/.well-known/openid-configuration"))
      return Promise.resolve({
        status: 200,
        headers: {},
        body: JSON.stringify(
          "discovery" in over ? over.discovery : { issuer: ISSUER, jwks_uri: `${ISSUER}/keys` },
        ),
      });
    return Promise.resolve(over.jwks ?? { status: 200, headers: {}, body: JSON.stringify(JWKS) });
  };
  return { http, calls };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof BeaconError ? e.code : String(e)),
  );

describe("issuer keys", () => {
  it("reads discovery, then the JWKS; caches for maxAge, then fetches again", async () => {
    const { http, calls } = fakeIssuer();
    let now = 0;
    const keys = createIssuerKeys({ http, clock: () => now, maxAgeMs: 1000 });
    expect(await codeOf(keys.keys(ISSUER))).toBe("ok");
    expect(calls).toEqual([`${ISSUER}/.well-known/openid-configuration`, `${ISSUER}/keys`]);
    now = 999;
    await keys.keys(ISSUER);
    expect(calls).toHaveLength(2);
    now = 1000;
    await keys.keys(ISSUER);
    expect(calls).toHaveLength(4);
  });

  it("refresh fetches at most once per cooldown", async () => {
    const { http, calls } = fakeIssuer();
    let now = 0;
    const keys = createIssuerKeys({ http, clock: () => now, cooldownMs: 30_000 });
    await keys.keys(ISSUER);
    expect(await keys.refresh(ISSUER)).toBe(false);
    now = 30_000;
    expect(await keys.refresh(ISSUER)).toBe(true);
    expect(calls).toHaveLength(4);
  });

  it("concurrent callers share one fetch", async () => {
    const { http, calls } = fakeIssuer();
    const keys = createIssuerKeys({ http, clock: () => 0 });
    await Promise.all([keys.keys(ISSUER), keys.keys(ISSUER), keys.keys(ISSUER)]);
    expect(calls).toHaveLength(2);
  });

  it.each([
    [
      "a discovery issuer with a trailing slash",
      { discovery: { issuer: `${ISSUER}/`, jwks_uri: `${ISSUER}/k` } },
    ],
    ["a discovery document without jwks_uri", { discovery: { issuer: ISSUER } }],
    [
      "a jwks_uri over http on another origin",
      { discovery: { issuer: ISSUER, jwks_uri: "http://evil.example/k" } },
    ],
    ["a jwks_uri that is no URL", { discovery: { issuer: ISSUER, jwks_uri: "::" } }],
    ["a discovery document that is JSON null", { discovery: null }],
    ["a JWKS reply of 500", { jwks: { status: 500, headers: {}, body: "" } }],
    ["a JWKS that is not JSON", { jwks: { status: 200, headers: {}, body: "<html>" } }],
    ["a JWKS without a keys list", { jwks: { status: 200, headers: {}, body: '{"keys": 1}' } }],
    ["a network failure", { fail: true }],
  ])("%s is oidc_unavailable and is not cached", async (_what, over) => {
    const { http, calls } = fakeIssuer(over);
    const keys = createIssuerKeys({ http, clock: () => 0 });
    expect(await codeOf(keys.keys(ISSUER))).toBe("oidc_unavailable");
    const before = calls.length;
    expect(await codeOf(keys.keys(ISSUER))).toBe("oidc_unavailable");
    expect(calls.length).toBeGreaterThan(before);
  });
});
