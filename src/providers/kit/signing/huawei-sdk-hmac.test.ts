import { describe, expect, it } from "vitest";
import {
  canonicalQuery,
  canonicalUri,
  parseSdkDate,
  parseSdkHmacAuthorization,
  sdkDate,
  sdkHmacSign,
} from "./huawei-sdk-hmac.js";

// Huawei Cloud, "API Request Signing Guide" → "AK/SK Signing and Authentication Algorithm"
// (https://support.huaweicloud.com/devg-apisign/api-sign-algorithm-001.md and the pages after it): the VPC list
// example GET https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0
// with Content-Type application/json and X-Sdk-Date 20191115T033655Z; AK QTWAOYTTINDUT2QVKYUC, SK
// MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc. The guide prints the hashed canonical request
// (b25362e6…), the string to sign, the signature (7be66680…) and the Authorization header.
const EXAMPLE = {
  accessKey: "QTWAOYTTINDUT2QVKYUC",
  secretKey: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
  method: "GET",
  path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
  query: [
    ["marker", "13551d6b-755d-4757-b956-536f674975c0"],
    ["limit", "2"],
  ] as const,
  headers: {
    "Content-Type": "application/json",
    Host: "service.region.example.com",
    "X-Sdk-Date": "20191115T033655Z",
  },
  body: "",
};

describe("sdkHmacSign: Huawei's published example, byte for byte", () => {
  const signed = sdkHmacSign(EXAMPLE);

  it("builds the canonical request whose hash the guide prints", () => {
    expect(signed.canonicalRequest).toBe(
      "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\nlimit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n" +
        "content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n" +
        "content-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("builds the documented string to sign", () => {
    expect(signed.stringToSign).toBe(
      "SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a",
    );
  });

  it("yields the documented signature and Authorization header", () => {
    expect(signed.signature).toBe("7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe");
    expect(signed.authorization).toBe(
      "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, " +
        "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    );
    expect(parseSdkHmacAuthorization(signed.authorization)).toEqual({
      accessKey: "QTWAOYTTINDUT2QVKYUC",
      signedHeaders: ["content-type", "host", "x-sdk-date"],
      signature: signed.signature,
    });
  });

  it.each([
    ["the body", { body: "{}" }],
    ["the path", { path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/x" }],
    ["a query value", { query: [["limit", "3"]] as const }],
    ["the date", { headers: { ...EXAMPLE.headers, "X-Sdk-Date": "20191115T033656Z" } }],
    ["the secret key", { secretKey: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHd" }],
  ])("changes with %s", (_what, change) => {
    expect(sdkHmacSign({ ...EXAMPLE, ...change }).signature).not.toBe(signed.signature);
  });
});

describe("canonical parts", () => {
  it.each([
    ["/v2.1/zones/abc/recordsets", "/v2.1/zones/abc/recordsets/"],
    ["/v2.1/zones/abc/recordsets/", "/v2.1/zones/abc/recordsets/"],
    ["/", "/"],
    ["/a b/c%2Fd", "/a%20b/c%2Fd/"],
  ])("URI %s → %s (always a trailing slash)", (path, want) => {
    expect(canonicalUri(path)).toBe(want);
  });

  it("sorts and RFC 3986-encodes the query, keeping empty values as name=", () => {
    expect(
      canonicalQuery([
        ["name", "_acme-challenge.example.com."],
        ["b", "x y*"],
        ["a", ""],
        ["B", "~!"],
      ]),
    ).toBe("B=~%21&a=&b=x%20y%2A&name=_acme-challenge.example.com.");
  });

  it("formats and reads X-Sdk-Date in UTC", () => {
    const at = Date.UTC(2019, 10, 15, 3, 36, 55, 789);
    expect(sdkDate(at)).toBe("20191115T033655Z");
    expect(parseSdkDate("20191115T033655Z")).toBe(Date.UTC(2019, 10, 15, 3, 36, 55));
    expect(parseSdkDate("2019-11-15T03:36:55Z")).toBeUndefined();
    expect(parseSdkDate(undefined)).toBeUndefined();
  });
});
