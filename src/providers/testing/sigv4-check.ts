// AWS Signature Version 4, recomputed on the receiving side (test code: the fake Route 53 verifies the
// SDK's requests with it). It follows the AWS General Reference "Signature Version 4 signing process"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HexPayloadHash
//   StringToSign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n Scope \n hex(sha256(CanonicalRequest))
//   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
//   Signature        = hex(HMAC(SigningKey, StringToSign))
// Non-S3 rules: each path segment is URI-encoded once more than on the wire; query parameters are
// decoded, re-encoded (RFC 3986) and sorted by name then value; header values are trimmed with inner
// runs of spaces folded to one.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { rfc3986 } from "../kit/signing/rfc3986.js";

export interface SignedRequest {
  readonly method: string;
  /** Path and query as sent on the wire. */
  readonly rawUrl: string;
  /** Lowercase names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigV4Scope {
  readonly accessKeyId: string;
  /** yyyymmdd */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const hmac = (key: Buffer | string, s: string) => createHmac("sha256", key).update(s, "utf8").digest();

export function canonicalUri(rawPath: string): string {
  const path = rawPath === "" ? "/" : rawPath;
  return path
    .split("/")
    .map((seg) => rfc3986(seg))
    .join("/");
}

export function canonicalQueryString(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs = rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const i = p.indexOf("=");
      const k = i < 0 ? p : p.slice(0, i);
      const v = i < 0 ? "" : p.slice(i + 1);
      return [rfc3986(decodeURIComponent(k)), rfc3986(decodeURIComponent(v))] as const;
    });
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

export function canonicalRequest(req: SignedRequest, signedHeaders: readonly string[]): string {
  const q = req.rawUrl.indexOf("?");
  const path = q < 0 ? req.rawUrl : req.rawUrl.slice(0, q);
  const query = q < 0 ? "" : req.rawUrl.slice(q + 1);
  const headers = signedHeaders
    .map((h) => `${h}:${(req.headers[h] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const payload = req.headers["x-amz-content-sha256"] ?? sha256(req.body);
  return [
    req.method,
    canonicalUri(path),
    canonicalQueryString(query),
    headers,
    signedHeaders.join(";"),
    payload,
  ].join("\n");
}

export function stringToSign(amzDate: string, scope: SigV4Scope, canonical: string): string {
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  return ["AWS4-HMAC-SHA256", amzDate, credentialScope, sha256(canonical)].join("\n");
}

export function signingKey(secret: string, scope: Omit<SigV4Scope, "accessKeyId">): Buffer {
  const kDate = hmac(`AWS4${secret}`, scope.date);
  return hmac(hmac(hmac(kDate, scope.region), scope.service), "aws4_request");
}

export function signature(secret: string, amzDate: string, scope: SigV4Scope, canonical: string): string {
  return createHmac("sha256", signingKey(secret, scope))
    .update(stringToSign(amzDate, scope, canonical), "utf8")
    .digest("hex");
}

export type SigV4Verdict =
  | { readonly ok: true; readonly accessKeyId: string }
  | {
      readonly ok: false;
      readonly code:
        | "MissingAuthenticationToken"
        | "IncompleteSignature"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch";
      readonly message: string;
    };

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** Checks the Authorization header of `req` the way AWS does, with the secret `secretOf` knows. */
export function verifySigV4(
  req: SignedRequest,
  opts: {
    readonly secretOf: (accessKeyId: string) => string | undefined;
    readonly region: string;
    readonly service: string;
    readonly now: number;
    /** AWS allows 5 minutes of clock difference. */
    readonly maxSkewMs?: number;
  },
): SigV4Verdict {
  const auth = req.headers.authorization;
  if (auth === undefined)
    return { ok: false, code: "MissingAuthenticationToken", message: "Missing Authentication Token" };
  const m = AUTH.exec(auth);
  const amzDate = req.headers["x-amz-date"];
  if (m === null || amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate))
    return {
      ok: false,
      code: "IncompleteSignature",
      message:
        "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' and an X-Amz-Date header.",
    };
  const [, accessKeyId = "", date = "", region = "", service = "", signed = "", sig = ""] = m;
  const secret = opts.secretOf(accessKeyId);
  if (secret === undefined)
    return {
      ok: false,
      code: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
    };
  if (region !== opts.region || service !== opts.service || !amzDate.startsWith(date))
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message: `Credential should be scoped to a valid region and service: ${opts.region}/${opts.service}.`,
    };
  const signedHeaders = signed.split(";");
  if (!signedHeaders.includes("host") || [...signedHeaders].sort().join(";") !== signed)
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message: "'Host' must be a signed header; names must be sorted.",
    };
  const at = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  if (Math.abs(opts.now - at) > (opts.maxSkewMs ?? 5 * 60_000))
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message: `Signature expired: ${amzDate} is now earlier or later than the allowed 5 minutes.`,
    };
  const scope = { accessKeyId, date, region, service };
  const want = signature(secret, amzDate, scope, canonicalRequest(req, signedHeaders));
  if (!timingSafeEqual(Buffer.from(want), Buffer.from(sig)))
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    };
  return { ok: true, accessKeyId };
}
