// Signed update requests through the app (dyndns2 and the JSON API): the signature alone
// authenticates, scopes still apply, each refusal is badauth (dyndns2) or a 401 problem with its code
// (JSON API), and require_signature turns Basic/Bearer away. The profile's own refusals:
// services/request-signatures.test.ts.

import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";

import { createTokenSigning } from "../services/token-signing.js";
import { signRequest, type PrivateSigningKey } from "../services/request-signer.js";
import { basic, CLIENT_V4, createFixture, OTHER_V4, UA } from "./testing/fixture.js";

const NOW_MS = 1_700_000_000_000;

/** Another Ed25519 key than the token's. */
const generatedPrivateKey = () =>
  generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const UPDATE = `/nic/update?hostname=home.example.com&myip=${OTHER_V4}`;

async function setup(opts: { alg?: "ed25519" | "hmac-sha256"; trustedProxies?: string[] } = {}) {
  const fx = await createFixture({
    signatures: true,
    ...(opts.trustedProxies ? { trustedProxies: opts.trustedProxies } : {}),
  });
  const token = await fx.token(["home.example.com"]);
  const id = token.slice(0, token.indexOf("."));
  const signing = createTokenSigning(fx.store);
  const { secret } = await signing.setKey(id, { generate: opts.alg ?? "ed25519" });
  const key: PrivateSigningKey = { alg: opts.alg ?? "ed25519", key: secret ?? "" };
  /** A signed request to `origin + path`, sent to the app at `path`. */
  const send = (
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
    origin = "http://localhost",
    created = NOW_MS / 1000,
  ) => {
    const method = init.method ?? "GET";
    const body = init.body === undefined ? undefined : new TextEncoder().encode(init.body);
    const h = signRequest({ method, url: origin + path, keyid: id, key, created, ...(body ? { body } : {}) });
    return fx.request(path, {
      method,
      headers: { "user-agent": UA, ...h, ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  };
  return { fx, token, id, signing, send };
}

describe("signed dyndns2 updates", () => {
  it.each(["ed25519", "hmac-sha256"] as const)(
    "a %s-signed GET updates the host with no other credential",
    async (alg) => {
      const { fx, send } = await setup({ alg });
      const res = await send(UPDATE);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`good ${OTHER_V4}`);
      expect((await fx.rrsets("home.example.com"))[0]?.values).toEqual([OTHER_V4]);
    },
  );

  it("refuses another Ed25519 key, an HMAC claim and a stale created with badauth, and logs why", async () => {
    const { fx, send, id } = await setup();
    const headers = {
      "user-agent": UA,
      ...signRequest({
        method: "GET",
        url: `http://localhost${UPDATE}`,
        keyid: id,
        key: { alg: "ed25519", key: generatedPrivateKey() },
        created: NOW_MS / 1000,
      }),
    };
    const wrongKey = await fx.request(UPDATE, { headers });
    expect([wrongKey.status, await wrongKey.text()]).toEqual([401, "badauth"]);
    const hmac = signRequest({
      method: "GET",
      url: `http://localhost${UPDATE}`,
      keyid: id,
      key: { alg: "hmac-sha256", key: "AAAA" },
      created: NOW_MS / 1000,
    });
    const asHmac = await fx.request(UPDATE, { headers: { "user-agent": UA, ...hmac } });
    expect([asHmac.status, await asHmac.text()]).toEqual([401, "badauth"]);

    const first = await send(UPDATE);
    expect(first.status).toBe(200);
    const stale = await send(UPDATE, {}, "http://localhost", NOW_MS / 1000 - 301);
    expect([stale.status, await stale.text()]).toEqual([401, "badauth"]);
    expect(fx.logs.some((l) => JSON.stringify(l).includes("signature_expired"))).toBe(true);
  });

  it("refuses the very same signed request sent twice (replayed)", async () => {
    const { fx, id, signing } = await setup();
    const { secret } = await signing.setKey(id, { generate: "hmac-sha256" });
    const headers = {
      "user-agent": UA,
      ...signRequest({
        method: "GET",
        url: `http://localhost${UPDATE}`,
        keyid: id,
        key: { alg: "hmac-sha256", key: secret ?? "" },
        created: NOW_MS / 1000,
      }),
    };
    expect(await (await fx.request(UPDATE, { headers })).text()).toBe(`good ${OTHER_V4}`);
    const again = await fx.request(UPDATE, { headers });
    expect([again.status, await again.text()]).toEqual([401, "badauth"]);
    expect(fx.logs.some((l) => JSON.stringify(l).includes("replayed"))).toBe(true);
  });

  it("binds myip: a request sent to another URL than the one signed is badauth", async () => {
    const { fx, send } = await setup();
    const res = await send(UPDATE, {}, "http://other.example");
    expect([res.status, await res.text()]).toEqual([401, "badauth"]);
    expect(await fx.rrsets("home.example.com")).toEqual([]);
  });

  it("takes the scheme and host from X-Forwarded-* only from a trusted proxy", async () => {
    const fwd = { "x-forwarded-proto": "https", "x-forwarded-host": "dns.example" };
    const trusted = await setup({ trustedProxies: [CLIENT_V4] });
    const ok = await trusted.send(UPDATE, { headers: fwd }, "https://dns.example");
    expect([ok.status, await ok.text()]).toEqual([200, `good ${OTHER_V4}`]);
    const untrusted = await setup();
    const no = await untrusted.send(UPDATE, { headers: fwd }, "https://dns.example");
    expect([no.status, await no.text()]).toEqual([401, "badauth"]);
  });

  it("a signed POST form body is checked against Content-Digest and still read as parameters", async () => {
    const { send } = await setup();
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const body = `hostname=home.example.com&myip=${OTHER_V4}`;
    const res = await send("/nic/update", { method: "POST", body, headers: form });
    expect([res.status, await res.text()]).toEqual([200, `good ${OTHER_V4}`]);
  });

  it("keeps the token's scope: a signed request for another host is nohost", async () => {
    const { send } = await setup();
    const res = await send(`/nic/update?hostname=office.example.com&myip=${OTHER_V4}`);
    expect(await res.text()).toBe("nohost");
  });

  it("require_signature: Basic use of the token is badauth, a signed request works", async () => {
    const { fx, token, id, signing, send } = await setup();
    await signing.setRequired(id, true);
    const res = await fx.request(UPDATE, { headers: basic("home.example.com", token) });
    expect([res.status, await res.text()]).toEqual([401, "badauth"]);
    expect(fx.logs.some((l) => JSON.stringify(l).includes("signature_required"))).toBe(true);
    expect((await send(UPDATE)).status).toBe(200);
    await signing.setRequired(id, false);
    const again = await fx.request(`/nic/update?hostname=home.example.com&myip=${CLIENT_V4}`, {
      headers: basic("home.example.com", token),
    });
    expect(await again.text()).toBe(`good ${CLIENT_V4}`);
  });

  it("a key over its nonces per window is 911 with Retry-After", async () => {
    const { send } = await setup();
    let last: Response | undefined;
    // The verifier's default cap is 1,000 nonces per key per window on one node.
    for (let i = 0; i <= 1_000; i++) last = await send(UPDATE);
    expect([last?.status, await last?.text(), last?.headers.get("retry-after")]).toEqual([503, "911", "60"]);
  });

  it("answers 300 mutations of a valid signed request with 200 or 401, never a 500", async () => {
    const { fx, id, signing } = await setup();
    const { secret } = await signing.setKey(id, { generate: "hmac-sha256" });
    const good = signRequest({
      method: "GET",
      url: `http://localhost${UPDATE}`,
      keyid: id,
      key: { alg: "hmac-sha256", key: secret ?? "" },
      created: NOW_MS / 1000,
    });
    const names = ["signature-input", "signature", "content-digest"] as const;
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const statuses = new Set<number>();
    for (let round = 0; round < 300; round++) {
      const name = names[rand(names.length)] ?? "signature";
      const chars = [...good[name]];
      chars.splice(rand(chars.length), rand(3), ' ();=:,"?*\\'[rand(11)] ?? "");
      const res = await fx.request(UPDATE, {
        headers: { "user-agent": UA, ...good, [name]: chars.join("") },
      });
      statuses.add(res.status);
    }
    for (const status of statuses) expect([200, 401]).toContain(status);
  });

  it("answers garbage signature headers with badauth, never a 500", async () => {
    const { fx } = await setup();
    for (const [input, sig] of [
      ["beacon=(", "beacon=:x:"],
      ['beacon=("@method");keyid="tk_aaaaaaaaaa"', "beacon=:AAAA:"],
      ["", "beacon=:AAAA:"],
      ['a=1, beacon=("@method" "@target-uri" "content-digest")', ""],
      ["\u00ff", "\u00ff"],
    ] as const) {
      const res = await fx.request(UPDATE, {
        headers: { "user-agent": UA, "signature-input": input, signature: sig },
      });
      expect([res.status, await res.text()]).toEqual([401, "badauth"]);
    }
  });
});

describe("signed JSON API updates", () => {
  it("a signed PATCH applies; a body changed after signing is a 401 signature_invalid problem", async () => {
    const { fx, id, send } = await setup();
    const path = "/api/v1/hosts/home.example.com/records";
    const json = { "content-type": "application/json" };
    const ok = await send(path, { method: "PATCH", body: JSON.stringify({ A: [OTHER_V4] }), headers: json });
    expect(ok.status).toBe(200);
    expect((await fx.rrsets("home.example.com"))[0]?.values).toEqual([OTHER_V4]);

    const h = signRequest({
      method: "PATCH",
      url: `http://localhost${path}`,
      keyid: id,
      key: { alg: "hmac-sha256", key: "AAAA" },
      created: NOW_MS / 1000,
      body: new TextEncoder().encode("{}"),
    });
    const bad = await fx.request(path, {
      method: "PATCH",
      headers: { ...json, ...h },
      body: JSON.stringify({ A: [CLIENT_V4] }),
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { code: string }).code).toBe("signature_invalid");
    expect((await fx.rrsets("home.example.com"))[0]?.values).toEqual([OTHER_V4]);
  });

  it("a signed body over http.max_body_bytes is a 413 problem, not a hang", async () => {
    const { send } = await setup();
    const body = JSON.stringify({ A: [OTHER_V4], pad: "x".repeat(70_000) });
    const res = await send("/api/v1/hosts/home.example.com/records", {
      method: "PATCH",
      body,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
  });

  it("require_signature: Bearer use is a 401 signature_required problem", async () => {
    const { fx, token, id, signing } = await setup();
    await signing.setRequired(id, true);
    const res = await fx.request("/api/v1/hosts/home.example.com", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("signature_required");
  });
});
