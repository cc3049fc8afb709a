// Tencent Cloud API 3.0 request signing, "TC3-HMAC-SHA256" (Signature v3):
// https://tencentcloud.com/document/product/1026/31038 (the same page exists under every product's API
// docs; Chinese: https://cloud.tencent.com/document/api/362/4208). Like AWS SigV4 but with its own names:
//
//   CanonicalRequest = Method \n "/" \n Query \n CanonicalHeaders \n SignedHeaders \n hex(sha256(payload))
//   StringToSign     = "TC3-HMAC-SHA256" \n Timestamp \n Date/service/tc3_request \n hex(sha256(CanonicalRequest))
//   key              = HMAC(HMAC(HMAC("TC3" + SecretKey, Date), service), "tc3_request")
//   Authorization    = "TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=<…>, Signature=<hex>"
//
// Date is the UTC date of the timestamp (never local time). Header names are lowercased and sorted;
// values trimmed — and, as Tencent's reference code does, lowercased: the vendor recomputes from the
// bytes it receives, so the caller must send exactly the header values it signed.
// Pure: the fake vendor verifies requests with the same function over what it received.

import { createHash, createHmac } from "node:crypto";

export const TC3_ALGORITHM = "TC3-HMAC-SHA256";

export interface Tc3Input {
  readonly secretId: string;
  readonly secretKey: string;
  /** The product, first label of the API host: "dnspod", "cvm". */
  readonly service: string;
  /** Unix seconds, the X-TC-Timestamp header. */
  readonly timestamp: number;
  readonly method: string;
  /** The query string for GET ("" for POST). */
  readonly query?: string;
  /** The headers to sign (at least content-type and host), any case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: string;
}

export interface Tc3Signed {
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaders: string;
  readonly authorization: string;
}

const sha256Hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** "2019-02-25" for 1551113065: the UTC date of a Unix timestamp in seconds. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function tc3Sign(input: Tc3Input): Tc3Signed {
  const headers = Object.entries(input.headers)
    .map(([k, v]) => [k.trim().toLowerCase(), v.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(";");
  const canonicalHeaders = headers.map(([k, v]) => `${k}:${v}\n`).join("");
  const canonicalRequest = [
    input.method.toUpperCase(),
    "/",
    input.query ?? "",
    canonicalHeaders,
    signedHeaders,
    sha256Hex(input.payload),
  ].join("\n");
  const date = tc3Date(input.timestamp);
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(input.timestamp), scope, sha256Hex(canonicalRequest)].join(
    "\n",
  );
  const key = hmac(hmac(hmac(`TC3${input.secretKey}`, date), input.service), "tc3_request");
  const signature = createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
  const authorization =
    `${TC3_ALGORITHM} Credential=${input.secretId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, signedHeaders, authorization };
}

export interface Tc3Authorization {
  readonly secretId: string;
  readonly date: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Reads an Authorization header of this scheme; undefined when it is not one. */
export function parseTc3Authorization(value: string | undefined): Tc3Authorization | undefined {
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      value ?? "",
    );
  if (m === null) return undefined;
  const [, secretId, date, service, signed, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { secretId, date, service, signedHeaders: signed.split(";"), signature };
}
