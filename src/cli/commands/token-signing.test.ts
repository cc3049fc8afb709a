import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";

import { BeaconError } from "../../core/errors.js";
import { createTokenSigning } from "../../services/token-signing.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { tokenFixture } from "../../store/testing/fixtures.js";
import { tokenSigningCommands, type TokenSigningCliDeps } from "./token-signing.js";

let store: Store;
let out: string[];
let files: Map<string, string>;
const io = { out: (t: string) => void out.push(t), err: () => undefined };
const deps: TokenSigningCliDeps = {
  readText: (path) => {
    const text = files.get(path);
    return text === undefined
      ? Promise.reject(new BeaconError("bad_request", `cannot read ${path}`))
      : Promise.resolve(text);
  },
  writeSecret: (path, text) => {
    if (files.has(path))
      return Promise.reject(new BeaconError("bad_request", `cannot create ${path} (EEXIST)`));
    files.set(path, text);
    return Promise.resolve();
  },
};
const cli = () => tokenSigningCommands(createTokenSigning(store), deps);
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof BeaconError ? e.code : "thrown"),
  );

beforeEach(async () => {
  store = createMemoryStore();
  out = [];
  files = new Map();
  await store.createToken(tokenFixture("tk_aaaaaaaaaa"));
});

describe("beacon token sign-key set", () => {
  it("--generate prints the Ed25519 private key once and stores only the public key", async () => {
    await cli().set(io, "tk_aaaaaaaaaa", { generate: true });
    const pem = out.at(-1) ?? "";
    expect(pem).toContain("BEGIN PRIVATE KEY");
    const stored = (await store.getToken("tk_aaaaaaaaaa"))?.signingKey;
    expect(stored?.alg).toBe("ed25519");
    expect(stored?.key).toContain("BEGIN PUBLIC KEY");
    expect(stored?.key).not.toContain("PRIVATE");
    expect(createPrivateKey(pem).asymmetricKeyType).toBe("ed25519");
  });

  it("--hmac --out writes the secret to a new file, prints nothing secret, and never overwrites", async () => {
    await cli().set(io, "tk_aaaaaaaaaa", { hmac: true, out: "/k", json: true });
    const secret = files.get("/k") ?? "";
    expect(Buffer.from(secret, "base64")).toHaveLength(32);
    expect(JSON.parse(out.join(""))).toEqual({ id: "tk_aaaaaaaaaa", alg: "hmac-sha256", out: "/k" });
    expect((await store.getToken("tk_aaaaaaaaaa"))?.signingKey).toEqual({ alg: "hmac-sha256", key: secret });
    expect(await codeOf(cli().set(io, "tk_aaaaaaaaaa", { hmac: true, out: "/k" }))).toBe("bad_request");
  });

  it("--ed25519 takes a public key file; refuses a private key, an RSA key, garbage", async () => {
    const pair = generateKeyPairSync("ed25519");
    files.set("/pub", pair.publicKey.export({ type: "spki", format: "pem" }).toString());
    files.set("/priv", pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    files.set(
      "/rsa",
      generateKeyPairSync("rsa", { modulusLength: 1024 })
        .publicKey.export({ type: "spki", format: "pem" })
        .toString(),
    );
    files.set("/junk", "not a key");
    await cli().set(io, "tk_aaaaaaaaaa", { ed25519: "/pub" });
    expect(out.join("")).not.toContain("PRIVATE");
    // A private key PEM yields its public key (Node derives it): stored public only.
    await cli().set(io, "tk_aaaaaaaaaa", { ed25519: "/priv" });
    expect((await store.getToken("tk_aaaaaaaaaa"))?.signingKey?.key).not.toContain("PRIVATE");
    expect(await codeOf(cli().set(io, "tk_aaaaaaaaaa", { ed25519: "/rsa" }))).toBe("bad_request");
    expect(await codeOf(cli().set(io, "tk_aaaaaaaaaa", { ed25519: "/junk" }))).toBe("bad_request");
    expect(await codeOf(cli().set(io, "tk_aaaaaaaaaa", { ed25519: "/none" }))).toBe("bad_request");
  });

  it("refuses no choice, two choices, an unknown or revoked token", async () => {
    expect(await codeOf(cli().set(io, "tk_aaaaaaaaaa", {}))).toBe("bad_request");
    expect(await codeOf(cli().set(io, "tk_aaaaaaaaaa", { hmac: true, generate: true }))).toBe("bad_request");
    expect(await codeOf(cli().set(io, "tk_bbbbbbbbbb", { hmac: true }))).toBe("token_not_found");
    await store.revokeToken("tk_aaaaaaaaaa", 1);
    expect(await codeOf(cli().set(io, "tk_aaaaaaaaaa", { hmac: true }))).toBe("bad_request");
  });
});

describe("beacon token require-signature / sign-key rm", () => {
  it("needs a key first; on and off; rm clears both", async () => {
    expect(await codeOf(cli().require(io, "tk_aaaaaaaaaa", "on", false))).toBe("bad_request");
    expect(await codeOf(cli().require(io, "tk_aaaaaaaaaa", "yes", false))).toBe("bad_request");
    await cli().set(io, "tk_aaaaaaaaaa", { hmac: true });
    await cli().require(io, "tk_aaaaaaaaaa", "on", true);
    expect(JSON.parse(out.at(-1) ?? "")).toEqual({
      id: "tk_aaaaaaaaaa",
      alg: "hmac-sha256",
      requireSignature: true,
    });
    expect((await store.getToken("tk_aaaaaaaaaa"))?.requireSignature).toBe(true);
    await cli().rm(io, "tk_aaaaaaaaaa", false);
    const t = await store.getToken("tk_aaaaaaaaaa");
    expect([t?.signingKey, t?.requireSignature]).toEqual([undefined, false]);
  });
});
