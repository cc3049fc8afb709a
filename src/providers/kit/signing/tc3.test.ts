import { describe, expect, it } from "vitest";
import { parseTc3Authorization, tc3Date, tc3Sign } from "./tc3.js";

// Tencent Cloud, "Signature v3" (https://tencentcloud.com/document/product/1026/31038, the same page in
// every product's API docs): the CVM DescribeInstances example.
// SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE, SecretKey Gu5t9xGARNpq86cd98joQYCN3EXAMPLE, timestamp
// 1551113065, POST https://cvm.tencentcloudapi.com with Content-Type "application/json; charset=utf-8",
// signed headers content-type;host, and the payload below (the \u escapes are literal in the body).
const EXAMPLE = {
  secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
  secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
  service: "cvm",
  timestamp: 1551113065,
  method: "POST",
  headers: { "Content-Type": "application/json; charset=utf-8", Host: "cvm.tencentcloudapi.com" },
  payload: String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`,
};

describe("tc3Sign: Tencent's published example, byte for byte", () => {
  const signed = tc3Sign(EXAMPLE);

  it("builds the documented canonical request", () => {
    expect(signed.canonicalRequest).toBe(
      "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n" +
        "content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
    );
  });

  it("builds the documented string to sign", () => {
    expect(signed.stringToSign).toBe(
      "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n" +
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
    );
  });

  it("yields the documented signature and Authorization header", () => {
    expect(signed.signature).toBe("72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
    expect(signed.authorization).toBe(
      "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, " +
        "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    );
  });

  it("reads its own Authorization header back", () => {
    expect(parseTc3Authorization(signed.authorization)).toEqual({
      secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
      date: "2019-02-25",
      service: "cvm",
      signedHeaders: ["content-type", "host"],
      signature: signed.signature,
    });
  });
});

describe("tc3Sign: what the signature covers", () => {
  const base = tc3Sign(EXAMPLE).signature;
  it.each([
    ["the payload", { payload: EXAMPLE.payload.replace("1", "2") }],
    ["the secret key", { secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLF" }],
    ["the timestamp", { timestamp: EXAMPLE.timestamp + 1 }],
    ["the service", { service: "dnspod" }],
    ["a signed header", { headers: { ...EXAMPLE.headers, Host: "dnspod.tencentcloudapi.com" } }],
  ])("changes with %s", (_what, change) => {
    expect(tc3Sign({ ...EXAMPLE, ...change }).signature).not.toBe(base);
  });

  it("ignores header-name case and surrounding spaces, as the vendor does", () => {
    const same = tc3Sign({
      ...EXAMPLE,
      headers: { host: " cvm.tencentcloudapi.com ", "content-type": "application/json; charset=utf-8" },
    });
    expect(same.signature).toBe(base);
  });
});

describe("tc3Date", () => {
  it("is the UTC date, not the local one (Tencent's note: 00:44 in UTC+8 is still the 25th)", () => {
    expect(tc3Date(1551113065)).toBe("2019-02-25");
    expect(tc3Date(1551139199)).toBe("2019-02-25");
    expect(tc3Date(1551139200)).toBe("2019-02-26");
  });
});

describe("parseTc3Authorization", () => {
  it.each([
    ["missing", undefined],
    ["another scheme", "Bearer abc"],
    ["no signature", "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=host"],
    [
      "a short signature",
      "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=host, Signature=abc",
    ],
    [
      "a bad scope",
      "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/aws4_request, SignedHeaders=host, Signature=" +
        "a".repeat(64),
    ],
  ])("refuses %s", (_what, value) => {
    expect(parseTc3Authorization(value)).toBeUndefined();
  });
});
