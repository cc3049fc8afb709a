// Verifies a signed update request: Beacon's RFC 9421 profile (docs/protocols/signed-requests.md).
// The label `beacon` of Signature-Input/Signature (other labels are ignored) must cover at least
// "@method", "@target-uri" and "content-digest"; its parameters are exactly created, keyid, alg,
// nonce and tag="beacon-update", plus expires if the client wants; any other parameter is refused.
// keyid is the token id; alg must name the token's key's algorithm (the key decides, never alg alone).
// Content-Digest must carry sha-256 of the body as received.
//
// Contract: verify resolves with the token, or rejects with BeaconError signature_invalid (missing,
// malformed, unknown keyid, wrong digest, bad signature), signature_expired (created more than the
// window away from now, expires passed), replayed (the nonce was seen for this key within the window),
// rate_limited (the key used more than maxNoncesPerKey nonces within the window on this node) or,
// once the signature verified, unauthorized (the token is revoked, expired, or refuses the address).
// A nonce is claimed only after the signature verified, so unsigned noise cannot fill the memory.
// The store's claim (ReplayStore, key name "sig:<token id>") makes the nonce single-use across nodes
// sharing a PostgreSQL store; its failures propagate (store_unavailable: the client retries).

import { createHash, createHmac, createPublicKey, timingSafeEqual, verify } from "node:crypto";

import type { Clock } from "../core/clock.js";
import { BeaconError, type ErrorCode } from "../core/errors.js";
import type { ParsedIp } from "../core/ip.js";
import { silentLog, type Log } from "../core/log.js";
import { signatureBase, type SignedMessage } from "../core/signature-base.js";
import { isInnerList, parseDictionary, type InnerList } from "../core/structured-fields.js";
import type { ReplayStore, TokenStore } from "../store/ports.js";
import type { SigningKey, TokenRecord } from "../store/types.js";
import { isTokenId } from "./tokens.js";

export const SIGNATURE_LABEL = "beacon";
export const SIGNATURE_TAG = "beacon-update";
export const REQUIRED_COMPONENTS = ["@method", "@target-uri", "content-digest"] as const;
export const DEFAULT_SIGNATURE_WINDOW_SECONDS = 300;
const PARAMS = new Set(["created", "expires", "keyid", "alg", "nonce", "tag"]);
/** base64url of 16 to 64 bytes (128 to 512 bits). */
const NONCE = /^[A-Za-z0-9_-]{22,86}$/;
const PRUNE_EVERY_SECONDS = 60;
const PRUNE_BATCH = 1_000;

export interface SignedRequest extends SignedMessage {
  /** The body exactly as received (empty for GET). */
  readonly body: Uint8Array;
}

export interface RequestSignatureDeps {
  readonly tokens: Pick<TokenStore, "getToken">;
  readonly replay: ReplayStore;
  readonly clock: Clock;
  /** Accepted distance of `created` from now, in seconds (default 300). */
  readonly windowSeconds?: number;
  /** Nonces one key may use within the window on this node (default 1,000); beyond: rate_limited. */
  readonly maxNoncesPerKey?: number;
  /** Checks the token itself once the signature verified (revoked, expired, source address). */
  readonly admit: (token: TokenRecord, sourceIp: ParsedIp | undefined) => TokenRecord;
  readonly log?: Log;
}

export interface RequestSignatures {
  /** True when the request carries a Signature-Input or Signature header (it then must verify). */
  isSigned(header: (name: string) => string | undefined): boolean;
  verify(req: SignedRequest, sourceIp: ParsedIp | undefined): Promise<TokenRecord>;
}

interface Claimed {
  readonly covered: InnerList;
  readonly signature: Uint8Array;
  readonly created: number;
  readonly expires: number | undefined;
  readonly keyid: string;
  readonly alg: string;
  readonly nonce: Uint8Array;
}

function refuse(code: ErrorCode, reason: string): never {
  throw new BeaconError(code, `${ERROR_PREFIX[code] ?? ""}${reason}`);
}
const ERROR_PREFIX: Partial<Record<ErrorCode, string>> = { signature_invalid: "signature refused: " };

/** The `beacon` signature's parts, checked against the profile; refuses with signature_invalid. */
export function readSignature(header: (name: string) => string | undefined): Claimed {
  const inputs = parseDictionary(header("signature-input") ?? "");
  const values = parseDictionary(header("signature") ?? "");
  if (inputs === undefined || values === undefined)
    refuse("signature_invalid", "Signature-Input or Signature is not a valid structured field");
  const covered = inputs.get(SIGNATURE_LABEL);
  const value = values.get(SIGNATURE_LABEL);
  if (covered === undefined || value === undefined)
    refuse("signature_invalid", `no signature labelled "${SIGNATURE_LABEL}"`);
  if (!isInnerList(covered) || isInnerList(value) || !(value.value instanceof Uint8Array))
    refuse("signature_invalid", "Signature-Input must be an inner list and Signature a byte sequence");
  for (const key of covered.params.keys())
    if (!PARAMS.has(key)) refuse("signature_invalid", `unknown signature parameter "${key.slice(0, 32)}"`);
  const p = covered.params;
  const created = p.get("created");
  const expires = p.get("expires");
  const keyid = p.get("keyid");
  const alg = p.get("alg");
  const nonce = p.get("nonce");
  if (typeof created !== "number" || (expires !== undefined && typeof expires !== "number"))
    refuse("signature_invalid", "created (and expires) must be integers");
  if (typeof keyid !== "string" || typeof alg !== "string" || typeof nonce !== "string")
    refuse("signature_invalid", "keyid, alg and nonce are required strings");
  if (p.get("tag") !== SIGNATURE_TAG) refuse("signature_invalid", `tag must be "${SIGNATURE_TAG}"`);
  if (!NONCE.test(nonce)) refuse("signature_invalid", "nonce must be base64url of at least 128 bits");
  const names = covered.items.map((i) => i.value);
  for (const c of REQUIRED_COMPONENTS)
    if (!names.includes(c)) refuse("signature_invalid", `the signature must cover "${c}"`);
  const nonceBytes = Uint8Array.from(Buffer.from(nonce, "base64url"));
  return { covered, signature: value.value, created, expires, keyid, alg, nonce: nonceBytes };
}

/** The SHA-256 a Content-Digest field claims (RFC 9530), or undefined when it has none. */
export function claimedSha256(field: string | undefined): Uint8Array | undefined {
  const member = parseDictionary(field ?? "")?.get("sha-256");
  return member && !isInnerList(member) && member.value instanceof Uint8Array ? member.value : undefined;
}

export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}

/** Whether `signature` is `key`'s over `base`; never throws (a malformed stored key: false). */
export function verifyWithKey(key: SigningKey, base: string, signature: Uint8Array): boolean {
  try {
    if (key.alg === "hmac-sha256") {
      const mac = createHmac("sha256", Buffer.from(key.key, "base64")).update(base, "utf8").digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    }
    const publicKey = createPublicKey(key.key);
    if (publicKey.asymmetricKeyType !== "ed25519") return false;
    return verify(null, Buffer.from(base, "utf8"), publicKey, signature);
  } catch {
    return false;
  }
}

export function createRequestSignatures(deps: RequestSignatureDeps): RequestSignatures {
  const windowSeconds = deps.windowSeconds ?? DEFAULT_SIGNATURE_WINDOW_SECONDS;
  const maxNonces = deps.maxNoncesPerKey ?? 1_000;
  const log = deps.log ?? silentLog;
  /** token id → when each nonce it used on this node may be forgotten (seconds). */
  const used = new Map<string, number[]>();
  let nextPrune = 0;

  function countNonce(keyid: string, until: number, now: number): void {
    const live = (used.get(keyid) ?? []).filter((t) => t >= now);
    if (live.length >= maxNonces) refuse("rate_limited", "too many signed requests for this key");
    live.push(until);
    used.set(keyid, live);
    for (const [id, times] of used) if (times.every((t) => t < now)) used.delete(id);
  }

  function prune(now: number): void {
    if (now < nextPrune) return;
    nextPrune = now + PRUNE_EVERY_SECONDS;
    deps.replay
      .pruneTsigMacs(now, PRUNE_BATCH)
      .catch((e: unknown) => log.warn({ err: e }, "could not prune the signed-request nonces"));
  }

  return {
    isSigned: (header) => header("signature-input") !== undefined || header("signature") !== undefined,

    async verify(req, sourceIp) {
      const claimed = readSignature(req.header);
      const now = Math.floor(deps.clock() / 1000);
      if (Math.abs(now - claimed.created) > windowSeconds)
        refuse("signature_expired", `created is more than ${windowSeconds} s away from the server's clock`);
      if (claimed.expires !== undefined && (now > claimed.expires || claimed.expires < claimed.created))
        refuse("signature_expired", "the signature has expired");
      const token = isTokenId(claimed.keyid) ? await deps.tokens.getToken(claimed.keyid) : undefined;
      const key = token?.signingKey;
      if (token === undefined || key === undefined)
        refuse("signature_invalid", "keyid names no token with a signing key");
      if (claimed.alg !== key.alg) refuse("signature_invalid", `the key's algorithm is ${key.alg}`);
      const digest = claimedSha256(req.header("content-digest"));
      const actual = createHash("sha256").update(req.body).digest();
      if (digest === undefined || !actual.equals(digest))
        refuse("signature_invalid", "Content-Digest is missing or does not match the body");
      const base = signatureBase(req, claimed.covered);
      if (base === undefined) refuse("signature_invalid", "a covered component cannot be resolved");
      if (!verifyWithKey(key, base, claimed.signature))
        refuse("signature_invalid", "the signature does not verify");
      const admitted = deps.admit(token, sourceIp);
      const until = claimed.created + windowSeconds;
      countNonce(token.id, until, now);
      try {
        if (!(await deps.replay.claimTsigMac(`sig:${token.id}`, claimed.nonce, until, now)))
          refuse("replayed", "this nonce was already used");
      } finally {
        prune(now);
      }
      return admitted;
    },
  };
}
