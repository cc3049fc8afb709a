// The RFC 9421 appendix B vectors through the signature base and the key check (B.2.5 hmac-sha256,
// B.2.6 ed25519), then verify() with the profile's refusals. The HTTP routes' use: http/signed-request.test.ts.

import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";

import { BeaconError } from "../core/errors.js";
import { signatureBase, type SignedMessage } from "../core/signature-base.js";
import { isInnerList, parseDictionary, type InnerList } from "../core/structured-fields.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { tokenFixture } from "../store/testing/fixtures.js";
import type { SigningKey } from "../store/types.js";
import { createRequestSignatures, verifyWithKey, type SignedRequest } from "./request-signatures.js";
import { signRequest, type PrivateSigningKey } from "./request-signer.js";

// RFC 9421 appendix B.2: the test request, B.1.4's Ed25519 key and B.1.5's shared secret.
const RFC_REQUEST: SignedMessage = {
  method: "POST",
  targetUri: "https://example.com/foo?param=Value&Pet=dog",
  header: (name) =>
    ({
      host: "example.com",
      date: "Tue, 20 Apr 2021 02:07:55 GMT",
      "content-type": "application/json",
      "content-digest":
        "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
      "content-length": "18",
    })[name],
};
const RFC_ED25519_PUBLIC =
  "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n";
const RFC_SHARED_SECRET =
  "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==";

function member(field: string, label: string) {
  const m = parseDictionary(field)?.get(label);
  if (m === undefined) throw new Error(`no ${label}`);
  return m;
}

describe("RFC 9421 appendix B vectors", () => {
  it("B.2.5: hmac-sha256 over the signature base the RFC prints", () => {
    const covered = member(
      'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
      "sig-b25",
    ) as InnerList;
    const base = signatureBase(RFC_REQUEST, covered);
    expect(base).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@authority": example.com',
        '"content-type": application/json',
        '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
      ].join("\n"),
    );
    const sig = member("sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:", "sig-b25");
    expect(isInnerList(sig)).toBe(false);
    const bytes = (sig as { value: Uint8Array }).value;
    const key: SigningKey = { alg: "hmac-sha256", key: RFC_SHARED_SECRET };
    expect(verifyWithKey(key, base ?? "", bytes)).toBe(true);
    expect(verifyWithKey(key, `${base}x`, bytes)).toBe(false);
    // The same secret presented as an Ed25519 key verifies nothing (and does not throw).
    expect(verifyWithKey({ alg: "ed25519", key: RFC_SHARED_SECRET }, base ?? "", bytes)).toBe(false);
  });

  it("B.2.6: ed25519 over the signature base the RFC prints", () => {
    const covered = member(
      'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      "sig-b26",
    ) as InnerList;
    const base = signatureBase(RFC_REQUEST, covered);
    expect(base).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join("\n"),
    );
    const sig = member(
      "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
      "sig-b26",
    ) as { value: Uint8Array };
    const key: SigningKey = { alg: "ed25519", key: RFC_ED25519_PUBLIC };
    expect(verifyWithKey(key, base ?? "", sig.value)).toBe(true);
    expect(verifyWithKey(key, (base ?? "").replace("POST", "GET"), sig.value)).toBe(false);
    // The public key used as an HMAC secret is not the key.
    expect(verifyWithKey({ alg: "hmac-sha256", key: RFC_ED25519_PUBLIC }, base ?? "", sig.value)).toBe(false);
  });

  it("cannot build a base for a missing header, a parameterised or repeated component", () => {
    for (const list of ['("x-missing")', '("date";sf)', '("date" "date")', "(1)", '("@unknown")', '("Date")'])
      expect(signatureBase(RFC_REQUEST, member(`s=${list}`, "s") as InnerList)).toBeUndefined();
  });
});

const NOW_S = 1_700_000_000;
const URL_V4 = "https://dns.example/nic/update?hostname=home.example.com&myip=81.2.69.142";

async function setup(key: "ed25519" | "hmac-sha256" = "ed25519") {
  const store = createMemoryStore();
  let now = NOW_S * 1000;
  await store.createToken(tokenFixture("tk_aaaaaaaaaa", { allowedCidrs: [] }));
  let priv: PrivateSigningKey;
  if (key === "ed25519") {
    const pair = generateKeyPairSync("ed25519");
    priv = { alg: key, key: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
    await store.setTokenSigning(
      "tk_aaaaaaaaaa",
      { alg: key, key: pair.publicKey.export({ type: "spki", format: "pem" }).toString() },
      false,
    );
  } else {
    priv = { alg: key, key: Buffer.alloc(32, 7).toString("base64") };
    await store.setTokenSigning("tk_aaaaaaaaaa", priv, false);
  }
  const verifier = createRequestSignatures({
    tokens: store,
    replay: store,
    clock: () => now,
    admit: (t) => t,
    maxNoncesPerKey: 5,
  });
  const signed = (over: Partial<Parameters<typeof signRequest>[0]> = {}, url = URL_V4): SignedRequest => {
    const h = signRequest({ method: "GET", url, keyid: "tk_aaaaaaaaaa", key: priv, created: NOW_S, ...over });
    const headers: Record<string, string> = { ...h };
    return {
      method: over.method ?? "GET",
      targetUri: url,
      header: (n) => headers[n],
      body: over.body ?? new Uint8Array(),
    };
  };
  return { store, verifier, priv, signed, setNow: (s: number) => void (now = s * 1000) };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (e) {
    return e instanceof BeaconError ? e.code : `threw ${String(e)}`;
  }
}

const withHeader = (req: SignedRequest, name: string, value: string | undefined): SignedRequest => ({
  ...req,
  header: (n) => (n === name ? value : req.header(n)),
});

describe("verify", () => {
  it.each(["ed25519", "hmac-sha256"] as const)(
    "accepts a %s request signed by the profile, once",
    async (alg) => {
      const { verifier, signed } = await setup(alg);
      const req = signed();
      expect((await verifier.verify(req, undefined)).id).toBe("tk_aaaaaaaaaa");
      expect(await codeOf(verifier.verify(req, undefined))).toBe("replayed");
    },
  );

  it("checks the body against Content-Digest, and the digest and URL through the signature", async () => {
    const { verifier, signed } = await setup();
    const body = new TextEncoder().encode('{"ip":"81.2.69.142"}');
    const req = signed({ method: "POST", body });
    expect(
      await codeOf(
        verifier.verify({ ...req, body: new TextEncoder().encode('{"ip":"81.2.69.160"}') }, undefined),
      ),
    ).toBe("signature_invalid");
    // A digest that matches the changed body is no longer the one signed.
    const other = new TextEncoder().encode("{}");
    const forged = withHeader(
      { ...req, body: other },
      "content-digest",
      signed({ method: "POST", body: other }).header("content-digest"),
    );
    expect(await codeOf(verifier.verify(forged, undefined))).toBe("signature_invalid");
    const myip = { ...signed(), targetUri: URL_V4.replace("81.2.69.142", "81.2.69.160") };
    expect(await codeOf(verifier.verify(myip, undefined))).toBe("signature_invalid");
    expect(await codeOf(verifier.verify({ ...signed(), method: "POST" }, undefined))).toBe(
      "signature_invalid",
    );
    expect(await codeOf(verifier.verify(withHeader(signed(), "content-digest", undefined), undefined))).toBe(
      "signature_invalid",
    );
    expect((await verifier.verify(req, undefined)).id).toBe("tk_aaaaaaaaaa");
  });

  it("accepts created within ±300 s and refuses 301 s away, and a passed expires", async () => {
    const { verifier, signed } = await setup();
    expect(await codeOf(verifier.verify(signed({ created: NOW_S - 301 }), undefined))).toBe(
      "signature_expired",
    );
    expect(await codeOf(verifier.verify(signed({ created: NOW_S + 301 }), undefined))).toBe(
      "signature_expired",
    );
    expect(await codeOf(verifier.verify(signed({ created: NOW_S - 300 }), undefined))).toBe("resolved");
    expect(await codeOf(verifier.verify(signed({ created: NOW_S + 300 }), undefined))).toBe("resolved");
  });

  it("honours expires: passed or before created is signature_expired", async () => {
    const { verifier, signed } = await setup();
    const withExpires = (expires: number) => {
      const r = signed();
      return withHeader(r, "signature-input", `${r.header("signature-input")};expires=${expires}`);
    };
    expect(await codeOf(verifier.verify(withExpires(NOW_S - 1), undefined))).toBe("signature_expired");
    expect(await codeOf(verifier.verify(withExpires(NOW_S - 10_000), undefined))).toBe("signature_expired");
    // A future expires passes the time checks; this one was added after signing, so the base differs.
    expect(await codeOf(verifier.verify(withExpires(NOW_S + 60), undefined))).toBe("signature_invalid");
  });

  it("refuses alg not matching the key, an unknown keyid, a token without a key", async () => {
    const { verifier, signed, priv, store } = await setup("ed25519");
    // An HMAC signature under alg="hmac-sha256" for an Ed25519 key, and the reverse claim.
    const hmac = signed({ key: { alg: "hmac-sha256", key: "c2VjcmV0c2VjcmV0c2VjcmV0" } });
    expect(await codeOf(verifier.verify(hmac, undefined))).toBe("signature_invalid");
    const lying = signed();
    const input = lying.header("signature-input")?.replace('alg="ed25519"', 'alg="hmac-sha256"');
    expect(await codeOf(verifier.verify(withHeader(lying, "signature-input", input), undefined))).toBe(
      "signature_invalid",
    );
    expect(await codeOf(verifier.verify(signed({ keyid: "tk_bbbbbbbbbb" }), undefined))).toBe(
      "signature_invalid",
    );
    expect(await codeOf(verifier.verify(signed({ keyid: "x\\y" }), undefined))).toBe("signature_invalid");
    await store.setTokenSigning("tk_aaaaaaaaaa", undefined, false);
    expect(await codeOf(verifier.verify(signed({ key: priv }), undefined))).toBe("signature_invalid");
  });

  it.each([
    ["no Signature-Input", (r: SignedRequest) => withHeader(r, "signature-input", undefined)],
    ["no Signature", (r: SignedRequest) => withHeader(r, "signature", undefined)],
    [
      "another label only",
      (r: SignedRequest) =>
        withHeader(r, "signature-input", r.header("signature-input")?.replace("beacon=", "other=")),
    ],
    [
      "the label twice",
      (r: SignedRequest) =>
        withHeader(r, "signature-input", `${r.header("signature-input")}, ${r.header("signature-input")}`),
    ],
    [
      "an unknown parameter",
      (r: SignedRequest) => withHeader(r, "signature-input", `${r.header("signature-input")};foo=1`),
    ],
    [
      "no nonce",
      (r: SignedRequest) =>
        withHeader(r, "signature-input", r.header("signature-input")?.replace(/;nonce="[^"]*"/, "")),
    ],
    [
      "a short nonce",
      (r: SignedRequest) =>
        withHeader(
          r,
          "signature-input",
          r.header("signature-input")?.replace(/nonce="[^"]*"/, 'nonce="AAAA"'),
        ),
    ],
    [
      "another tag",
      (r: SignedRequest) =>
        withHeader(r, "signature-input", r.header("signature-input")?.replace("beacon-update", "other")),
    ],
    [
      "created as a string",
      (r: SignedRequest) =>
        withHeader(
          r,
          "signature-input",
          r.header("signature-input")?.replace(/created=(\d+)/, 'created="$1"'),
        ),
    ],
    [
      "content-digest not covered",
      (r: SignedRequest) =>
        withHeader(r, "signature-input", r.header("signature-input")?.replace(' "content-digest"', "")),
    ],
    [
      "Signature as a list",
      (r: SignedRequest) => withHeader(r, "signature", `beacon=(${r.header("signature")?.slice(7) ?? ""})`),
    ],
    ["a truncated signature", (r: SignedRequest) => withHeader(r, "signature", "beacon=:AAAA:")],
  ])("refuses %s with signature_invalid", async (_, change) => {
    const { verifier, signed } = await setup();
    expect(await codeOf(verifier.verify(change(signed()), undefined))).toBe("signature_invalid");
  });

  it("never throws anything but a 401 BeaconError for a few hundred mutated headers", async () => {
    const { verifier, signed } = await setup();
    const good = signed();
    const fields = ["signature-input", "signature", "content-digest"] as const;
    const alphabet = ' ()";=:,?*-_./\\é0123456789aZ@';
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const codes = new Set<string>();
    for (let round = 0; round < 400; round++) {
      const name = fields[rand(fields.length)] ?? "signature";
      const chars = [...(good.header(name) ?? "")];
      const at = rand(chars.length);
      if (rand(2) === 0) chars.splice(at, 1 + rand(3));
      else chars.splice(at, 0, alphabet[rand(alphabet.length)] ?? "");
      codes.add(await codeOf(verifier.verify(withHeader(good, name, chars.join("")), undefined)));
    }
    for (const code of codes)
      expect(["signature_invalid", "signature_expired", "replayed", "resolved"]).toContain(code);
    expect(codes.has("signature_invalid")).toBe(true);
  });

  it("caps the nonces one key uses within the window on this node", async () => {
    const { verifier, signed } = await setup();
    for (let i = 0; i < 5; i++) expect(await codeOf(verifier.verify(signed(), undefined))).toBe("resolved");
    expect(await codeOf(verifier.verify(signed(), undefined))).toBe("rate_limited");
  });
});
