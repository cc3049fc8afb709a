// Huawei Cloud API Gateway request signing, "SDK-HMAC-SHA256" (AK/SK authentication):
// https://support.huaweicloud.com/devg-apisign/api-sign-algorithm-001.md (API签名认证机制)
//
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//   StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
//   Signature        = hex(HMAC-SHA256(SecretKey, StringToSign))          (no key derivation, unlike SigV4)
//   Authorization    = "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<…>, Signature=<hex>"
//
// Huawei's own rules: the canonical URI always ends with "/" (even though the request path need not);
// every path segment and query name/value is percent-encoded per RFC 3986 (unreserved A-Z a-z 0-9 - _ . ~
// kept); query parameters sorted by name (then value), "name=" kept for empty values; header names
// lowercased and sorted, values trimmed (case kept); X-Sdk-Date (YYYYMMDDTHHMMSSZ, UTC) must be signed.
// Pure: the fake vendor verifies requests with the same functions over what it received.

import { createHash, createHmac } from "node:crypto";

export const SDK_HMAC_ALGORITHM = "SDK-HMAC-SHA256";

export interface SdkHmacInput {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly method: string;
  /** The request path as sent (percent-encoded or not). */
  readonly path: string;
  /** Query parameters in any order (repeated names allowed). */
  readonly query: readonly (readonly [string, string])[];
  /** The headers to sign, any case; must hold x-sdk-date. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SdkHmacSigned {
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaders: string;
  readonly authorization: string;
}

/** RFC 3986 percent-encoding (encodeURIComponent also leaves !'()* alone; Huawei encodes them). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** "/v2.1/zones/x/recordsets" → "/v2.1/zones/x/recordsets/": segments re-encoded, trailing slash added. */
export function canonicalUri(path: string): string {
  const encoded = path
    .split("/")
    .map((seg) => rfc3986(decodeSafely(seg)))
    .join("/");
  const withRoot = encoded.startsWith("/") ? encoded : `/${encoded}`;
  return withRoot.endsWith("/") ? withRoot : `${withRoot}/`;
}

export function canonicalQuery(query: readonly (readonly [string, string])[]): string {
  return query
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** X-Sdk-Date for a time in ms: "20191115T033655Z". */
export function sdkDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** The time an X-Sdk-Date names, in ms, or undefined when it is not that shape. */
export function parseSdkDate(value: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

const sha256Hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

export function sdkHmacSign(input: SdkHmacInput): SdkHmacSigned {
  const headers = Object.entries(input.headers)
    .map(([k, v]) => [k.trim().toLowerCase(), v.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(";");
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query),
    headers.map(([k, v]) => `${k}:${v}\n`).join(""),
    signedHeaders,
    sha256Hex(input.body),
  ].join("\n");
  const date = headers.find(([k]) => k === "x-sdk-date")?.[1] ?? "";
  const stringToSign = [SDK_HMAC_ALGORITHM, date, sha256Hex(canonicalRequest)].join("\n");
  const signature = createHmac("sha256", input.secretKey).update(stringToSign, "utf8").digest("hex");
  const authorization = `${SDK_HMAC_ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, signedHeaders, authorization };
}

export interface SdkHmacAuthorization {
  readonly accessKey: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Reads an Authorization header of this scheme; undefined when it is not one. */
export function parseSdkHmacAuthorization(value: string | undefined): SdkHmacAuthorization | undefined {
  const m =
    /^SDK-HMAC-SHA256 Access=([^,\s]+), ?SignedHeaders=([a-z0-9;_-]+), ?Signature=([0-9a-f]{64})$/.exec(
      value ?? "",
    );
  if (m === null) return undefined;
  const [, accessKey, signed, signature] = m as unknown as [string, string, string, string];
  return { accessKey, signedHeaders: signed.split(";"), signature };
}
