// Alibaba Cloud RPC-style request signing, signature version 1.0 with HMAC-SHA1 (used by AliDNS,
// API version 2015-01-09), as documented in "签名机制" (https://help.aliyun.com/document_detail/29747.html):
//   CanonicalizedQueryString = the parameters except Signature, sorted by name (case-sensitive, byte
//     order), each name and value percent-encoded (RFC 3986 unreserved kept, space → %20), joined by & and =
//   StringToSign = METHOD & percentEncode("/") & percentEncode(CanonicalizedQueryString)
//   Signature = base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))
// Shared by the provider (signs) and the fake vendor (verifies), so both read one definition.

import { createHmac } from "node:crypto";
import { rfc3986 } from "./rfc3986.js";

/** Alibaba's percentEncode: RFC 3986 (A–Z a–z 0–9 - _ . ~ kept, everything else %XY, space %20). */
export const percentEncode = rfc3986;

/** Sorted by name in byte order, encoded; `Signature` itself never takes part. */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== "Signature")
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? "")}`)
    .join("&");
}

export function stringToSign(method: string, params: Readonly<Record<string, string>>): string {
  return `${method}&${percentEncode("/")}&${percentEncode(canonicalQuery(params))}`;
}

export function rpcSignature(
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
): string {
  return createHmac("sha1", `${accessKeySecret}&`)
    .update(stringToSign(method, params), "utf8")
    .digest("base64");
}

/** Alibaba's Timestamp: ISO 8601 in UTC to the second, e.g. 2016-03-24T16:41:54Z. */
export function rpcTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
