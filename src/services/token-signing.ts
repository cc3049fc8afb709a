// A token's request-signing key and its require-signature flag (docs/protocols/signed-requests.md):
// what `beacon token sign-key …` and `beacon token require-signature …` do.
//
// Contract: an Ed25519 key is given as a public key (SPKI PEM) or generated here, and then its private
// key (PKCS#8 PEM) is returned once and never kept; an HMAC-SHA256 secret (32 random bytes) is always
// generated here and returned once (base64), and stored as given, like TSIG secrets. A new key
// replaces the old one. token_not_found for an unknown token; bad_request for a revoked token, a key
// that is not an Ed25519 public key, or turning require-signature on for a token with no key (it
// could not be used at all). On the DynamoDB store every change rejects with not_supported.

import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";

import { BeaconError } from "../core/errors.js";
import type { TokenStore } from "../store/ports.js";
import type { SigningKey, TokenRecord } from "../store/types.js";

export type NewSigningKey =
  | { readonly ed25519PublicKey: string }
  | { readonly generate: "ed25519" }
  | { readonly generate: "hmac-sha256" };

export interface SigningKeyResult {
  readonly token: TokenRecord;
  /** Shown once: the Ed25519 private key (PKCS#8 PEM) or the HMAC secret (base64). */
  readonly secret?: string;
}

export interface TokenSigning {
  setKey(id: string, key: NewSigningKey): Promise<SigningKeyResult>;
  /** Removes the key, and with it the require-signature flag. */
  removeKey(id: string): Promise<TokenRecord>;
  setRequired(id: string, required: boolean): Promise<TokenRecord>;
}

const MAX_PEM = 4_096;

/** The key's public part as stored: Ed25519 SPKI PEM; bad_request for anything else. */
export function ed25519PublicPem(text: string): string {
  let key;
  try {
    if (text.length > MAX_PEM) throw new Error("too long");
    key = createPublicKey(text);
  } catch {
    throw new BeaconError("bad_request", "the key is not a PEM public key (openssl pkey -pubout)");
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new BeaconError(
      "bad_request",
      `the key is ${key.asymmetricKeyType ?? "of an unknown type"}, not Ed25519`,
    );
  return key.export({ type: "spki", format: "pem" }).toString();
}

function newKey(spec: NewSigningKey): { key: SigningKey; secret?: string } {
  if ("ed25519PublicKey" in spec)
    return { key: { alg: "ed25519", key: ed25519PublicPem(spec.ed25519PublicKey) } };
  if (spec.generate === "hmac-sha256") {
    const secret = randomBytes(32).toString("base64");
    return { key: { alg: "hmac-sha256", key: secret }, secret };
  }
  const pair = generateKeyPairSync("ed25519");
  return {
    key: { alg: "ed25519", key: pair.publicKey.export({ type: "spki", format: "pem" }).toString() },
    secret: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

export function createTokenSigning(store: Pick<TokenStore, "getToken" | "setTokenSigning">): TokenSigning {
  async function live(id: string): Promise<TokenRecord> {
    const token = await store.getToken(id);
    if (token === undefined) throw new BeaconError("token_not_found", `no token "${id.slice(0, 64)}"`);
    if (token.revokedAt !== undefined) throw new BeaconError("bad_request", `token "${id}" is revoked`);
    return token;
  }

  async function save(token: TokenRecord, key: SigningKey | undefined, required: boolean) {
    if (!(await store.setTokenSigning(token.id, key, required)))
      throw new BeaconError("token_not_found", `no token "${token.id}"`);
    return { ...token, signingKey: key, requireSignature: required };
  }

  return {
    async setKey(id, spec) {
      const token = await live(id);
      const { key, secret } = newKey(spec);
      const saved = await save(token, key, token.requireSignature === true);
      return secret === undefined ? { token: saved } : { token: saved, secret };
    },

    async removeKey(id) {
      return save(await live(id), undefined, false);
    },

    async setRequired(id, required) {
      const token = await live(id);
      if (required && token.signingKey === undefined)
        throw new BeaconError("bad_request", `token "${id}" has no signing key; set one first`);
      return save(token, token.signingKey, required);
    },
  };
}
