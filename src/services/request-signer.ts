// Signs an update request with Beacon's RFC 9421 profile (docs/protocols/signed-requests.md): what the
// agent's Beacon target does when its credential has a signing key, and what tests sign with.
//
// Contract: signRequest returns the three headers to send (Content-Digest, Signature-Input,
// Signature) for exactly this method, URL and body; `url` is serialized by WHATWG URL, as the server
// does. The nonce is 128 random bits unless given. It throws only for a key it cannot use (a PEM that
// is not an Ed25519 private key).

import { createHmac, createPrivateKey, randomBytes, sign } from "node:crypto";

import { signatureBase } from "../core/signature-base.js";
import { parseDictionary, serializeBareItem, toBase64, type InnerList } from "../core/structured-fields.js";
import { contentDigest, REQUIRED_COMPONENTS, SIGNATURE_LABEL, SIGNATURE_TAG } from "./request-signatures.js";

/** The private side: an Ed25519 private key (PKCS#8 PEM) or the HMAC secret (base64). */
export interface PrivateSigningKey {
  readonly alg: "ed25519" | "hmac-sha256";
  readonly key: string;
}

export interface RequestToSign {
  readonly method: string;
  readonly url: string;
  readonly body?: Uint8Array;
  /** The token id. */
  readonly keyid: string;
  readonly key: PrivateSigningKey;
  /** Seconds since the epoch. */
  readonly created: number;
  readonly nonce?: string;
}

export interface SignatureHeaders {
  readonly "content-digest": string;
  readonly "signature-input": string;
  readonly signature: string;
}

export function signRequest(r: RequestToSign): SignatureHeaders {
  const nonce = r.nonce ?? randomBytes(16).toString("base64url");
  const components = REQUIRED_COMPONENTS.map((c) => `"${c}"`).join(" ");
  const input =
    `(${components});created=${r.created};keyid=${serializeBareItem(r.keyid)};alg="${r.key.alg}";` +
    `nonce=${serializeBareItem(nonce)};tag="${SIGNATURE_TAG}"`;
  const covered = parseDictionary(`${SIGNATURE_LABEL}=${input}`)?.get(SIGNATURE_LABEL) as InnerList;
  const digest = contentDigest(r.body ?? new Uint8Array());
  const targetUri = new URL(r.url).href;
  const headers: Record<string, string> = { "content-digest": digest };
  const base = signatureBase({ method: r.method, targetUri, header: (n) => headers[n] }, covered) ?? "";
  const signature =
    r.key.alg === "hmac-sha256"
      ? createHmac("sha256", Buffer.from(r.key.key, "base64")).update(base, "utf8").digest()
      : sign(null, Buffer.from(base, "utf8"), createPrivateKey(r.key.key));
  return {
    "content-digest": digest,
    "signature-input": `${SIGNATURE_LABEL}=${input}`,
    signature: `${SIGNATURE_LABEL}=:${toBase64(signature)}:`,
  };
}
