import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  canonicalQueryString,
  canonicalRequest,
  signature,
  signingKey,
  verifySigV4,
  type SignedRequest,
} from "./sigv4-check.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const NOW = Date.UTC(2015, 7, 30, 12, 36, 0);

describe("SigV4 verifier against AWS's published examples", () => {
  // AWS General Reference, "Create a canonical request" / "Calculate the signature" (the IAM ListUsers
  // GET example: https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html and
  // sigv4-calculate-signature.html): credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
  // 20150830T123600Z, us-east-1, iam.
  const listUsers: SignedRequest = {
    method: "GET",
    rawUrl: "/?Action=ListUsers&Version=2010-05-08",
    headers: {
      host: "iam.amazonaws.com",
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      "x-amz-date": "20150830T123600Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    },
    body: "",
  };
  const scope = { accessKeyId: "AKIDEXAMPLE", date: "20150830", region: "us-east-1", service: "iam" };

  it("builds the documented canonical request (and its hash)", () => {
    const canonical = canonicalRequest(listUsers, ["content-type", "host", "x-amz-date"]);
    expect(canonical).toBe(
      [
        "GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        "content-type:application/x-www-form-urlencoded; charset=utf-8",
        "host:iam.amazonaws.com",
        "x-amz-date:20150830T123600Z",
        "",
        "content-type;host;x-amz-date",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ].join("\n"),
    );
    expect(createHash("sha256").update(canonical).digest("hex")).toBe(
      "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
    );
  });

  it("derives the documented signing key and signature", () => {
    expect(signingKey(SECRET, scope).toString("hex")).toBe(
      "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
    );
    const canonical = canonicalRequest(listUsers, ["content-type", "host", "x-amz-date"]);
    expect(signature(SECRET, "20150830T123600Z", scope, canonical)).toBe(
      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    );
  });

  it("accepts the documented request and refuses it with any part changed", () => {
    const opts = {
      secretOf: (id: string) => (id === "AKIDEXAMPLE" ? SECRET : undefined),
      region: "us-east-1",
      service: "iam",
      now: NOW,
    };
    expect(verifySigV4(listUsers, opts)).toEqual({ ok: true, accessKeyId: "AKIDEXAMPLE" });
    const tampered: [string, SignedRequest][] = [
      ["query", { ...listUsers, rawUrl: "/?Action=ListUsers&Version=2010-05-09" }],
      ["method", { ...listUsers, method: "POST" }],
      ["body", { ...listUsers, body: "x" }],
      ["signed header", { ...listUsers, headers: { ...listUsers.headers, "content-type": "text/plain" } }],
      ["date", { ...listUsers, headers: { ...listUsers.headers, "x-amz-date": "20150830T123601Z" } }],
    ];
    for (const [what, req] of tampered) {
      expect(verifySigV4(req, opts), what).toMatchObject({ ok: false, code: "SignatureDoesNotMatch" });
    }
    expect(verifySigV4(listUsers, { ...opts, secretOf: () => "other" })).toMatchObject({
      code: "SignatureDoesNotMatch",
    });
    expect(verifySigV4(listUsers, { ...opts, secretOf: () => undefined })).toMatchObject({
      code: "InvalidClientTokenId",
    });
    expect(verifySigV4(listUsers, { ...opts, now: NOW + 6 * 60_000 })).toMatchObject({
      code: "SignatureDoesNotMatch",
      message: expect.stringContaining("Signature expired") as unknown,
    });
    expect(verifySigV4(listUsers, { ...opts, region: "eu-west-1" })).toMatchObject({
      code: "SignatureDoesNotMatch",
    });
    const { authorization: _, ...unsigned } = listUsers.headers;
    expect(verifySigV4({ ...listUsers, headers: unsigned }, opts)).toMatchObject({
      code: "MissingAuthenticationToken",
    });
    expect(
      verifySigV4(
        {
          ...listUsers,
          headers: { ...listUsers.headers, authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE" },
        },
        opts,
      ),
    ).toMatchObject({ code: "IncompleteSignature" });
  });

  it("reproduces the SigV4 test suite's get-vanilla-query-order-key-case", () => {
    // AWS SigV4 test suite (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html),
    // case get-vanilla-query-order-key-case: parameters out of order, service "service".
    const req: SignedRequest = {
      method: "GET",
      rawUrl: "/?Param2=value2&Param1=value1",
      headers: {
        host: "example.amazonaws.com",
        "x-amz-date": "20150830T123600Z",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
      },
      body: "",
    };
    expect(
      verifySigV4(req, { secretOf: () => SECRET, region: "us-east-1", service: "service", now: NOW }),
    ).toEqual({ ok: true, accessKeyId: "AKIDEXAMPLE" });
  });

  it("canonicalises queries: decoded, RFC 3986 re-encoded, sorted by name then value", () => {
    expect(canonicalQueryString("b=2&a=x%20y&a=1&c=%2a&d")).toBe("a=1&a=x%20y&b=2&c=%2A&d=");
  });
});
