import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBeaconError, type BeaconError } from "../core/errors.js";
import { alidnsProvider, type AliDnsSettings } from "./alidns.js";
import {
  canonicalQuery,
  percentEncode,
  rpcSignature,
  rpcTimestamp,
  stringToSign,
} from "./kit/signing/acs-rpc.js";
import { runProviderContract } from "./testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "./testing/deps.js";
import { aliError, startFakeAliDns, type FakeAliDns } from "./testing/fakes/alidns.js";
import { json } from "./testing/fake-vendor.js";
import type { ProviderDeps, ProviderRecordType, ProviderRRSet } from "./types.js";

const KEY_ID = "LTAI5tBeaconTest0001";
const SECRET = "s3cr3t/with+chars=";
const ZONE = "example.com";

/** Fresh bytes per call across every provider of this file: AliDNS refuses a reused SignatureNonce. */
let calls = 0;
function counterBytes(): (n: number) => Uint8Array {
  return (n) => {
    calls++;
    return Uint8Array.from({ length: n }, (_, i) => (i < 4 ? (calls >>> (8 * i)) & 0xff : i));
  };
}

function deps(over: Partial<ProviderDeps> = {}): ProviderDeps {
  return testProviderDeps({ randomBytes: counterBytes(), ...over });
}

function provider(fake: FakeAliDns, over: Partial<Record<keyof AliDnsSettings, unknown>> = {}, d = deps()) {
  const settings = alidnsProvider.settings.parse({
    access_key_id: KEY_ID,
    access_key_secret: SECRET,
    endpoint: fake.url,
    ...over,
  });
  return alidnsProvider.create("ali", settings, d);
}

function peek(fake: FakeAliDns, fqdn: string, type: ProviderRecordType): ProviderRRSet | undefined {
  const zone = fake.zones.zoneOf(fqdn);
  if (zone === undefined) return undefined;
  const recs = fake.zones.find(zone, fqdn, type).filter((r) => (r.extra.Line ?? "default") === "default");
  if (recs.length === 0) return undefined;
  return { type, ttl: recs[0]!.ttl, values: recs.map((r) => r.content).sort() };
}

const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (err: unknown) => err,
  );
  if (!isBeaconError(e)) throw new Error(`not a BeaconError: ${String(e)}`);
  return e;
}

describe("AliDNS signing (acs-rpc)", () => {
  it("reproduces Alibaba's published example byte for byte", () => {
    // Source: Alibaba Cloud DNS API docs, 签名机制 (https://help.aliyun.com/document_detail/29747.html) and
    // 调用说明 (https://help.aliyun.com/document_detail/29819.html): DescribeDomainRecords for example.com
    // with AccessKeyId "testid", AccessKeySecret "testsecret" (HMAC key "testsecret&").
    const params = {
      Format: "XML",
      AccessKeyId: "testid",
      Action: "DescribeDomainRecords",
      SignatureMethod: "HMAC-SHA1",
      DomainName: "example.com",
      SignatureNonce: "f59ed6a9-83fc-473b-9cc6-99c95df3856e",
      SignatureVersion: "1.0",
      Version: "2015-01-09",
      Timestamp: "2016-03-24T16:41:54Z",
    };
    expect(canonicalQuery(params)).toBe(
      "AccessKeyId=testid&Action=DescribeDomainRecords&DomainName=example.com&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=f59ed6a9-83fc-473b-9cc6-99c95df3856e&SignatureVersion=1.0&Timestamp=2016-03-24T16%3A41%3A54Z&Version=2015-01-09",
    );
    expect(stringToSign("GET", params)).toBe(
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDomainRecords%26DomainName%3Dexample.com%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Df59ed6a9-83fc-473b-9cc6-99c95df3856e%26SignatureVersion%3D1.0%26Timestamp%3D2016-03-24T16%253A41%253A54Z%26Version%3D2015-01-09",
    );
    expect(rpcSignature("GET", params, "testsecret")).toBe("uRpHwaSEt3J+6KQD//svCh/x+pI=");
    // The Signature parameter itself never takes part.
    expect(rpcSignature("GET", { ...params, Signature: "x" }, "testsecret")).toBe(
      "uRpHwaSEt3J+6KQD//svCh/x+pI=",
    );
  });

  it("percent-encodes as Alibaba specifies (space %20, * %2A, ~ kept, UTF-8 bytes)", () => {
    expect(percentEncode("a b*c~d/é+=!'()")).toBe("a%20b%2Ac~d%2F%C3%A9%2B%3D%21%27%28%29");
  });

  it("sorts parameter names by bytes (uppercase before lowercase)", () => {
    expect(canonicalQuery({ b: "1", B: "2", a: "3" })).toBe("B=2&a=3&b=1");
  });

  it("formats the Timestamp in UTC to the second", () => {
    expect(rpcTimestamp(Date.UTC(2016, 2, 24, 16, 41, 54, 789))).toBe("2016-03-24T16:41:54Z");
  });
});

describe("AliDNS settings", () => {
  it("fills defaults and refuses bad values", () => {
    const s = alidnsProvider.settings.parse({ access_key_id: "abc", access_key_secret: "x" });
    expect(s).toMatchObject({ ttl: 600, endpoint: "https://alidns.aliyuncs.com/" });
    expect(
      alidnsProvider.settings.parse({ access_key_id: "a", access_key_secret: "x", domain: "Example.COM." })
        .domain,
    ).toBe("example.com");
    for (const bad of [
      { access_key_id: "a", access_key_secret: "" },
      { access_key_id: "a b", access_key_secret: "x" },
      { access_key_id: "a", access_key_secret: "x", ttl: 0 },
      { access_key_id: "a", access_key_secret: "x", endpoint: "ftp://x" },
      { access_key_id: "a", access_key_secret: "x", domain: "not a domain" },
      { access_key_id: "a", access_key_secret: "x", region: "cn-hangzhou" },
    ]) {
      expect(alidnsProvider.settings.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

runProviderContract("alidns (fake AliDNS)", async () => {
  const fake = await startFakeAliDns({ accessKeyId: KEY_ID, accessKeySecret: SECRET, zones: [ZONE] });
  return {
    provider: provider(fake),
    zone: ZONE,
    peek: (fqdn, type) => Promise.resolve(peek(fake, fqdn, type)),
    wrongCredentials: provider(fake, { access_key_secret: "wrong-secret" }),
    foreignName: "host.not-in-this-account.org",
    close: () => fake.close(),
  };
});

describe("alidns provider against the fake", () => {
  let fake: FakeAliDns;
  beforeAll(async () => {
    fake = await startFakeAliDns({
      accessKeyId: KEY_ID,
      accessKeySecret: SECRET,
      zones: [ZONE, "sub.example.com", "example.org"],
      maxPageSize: 2,
    });
  });
  afterAll(() => fake.close());

  it("sends signed GETs with Format=JSON, our User-Agent, and the secret nowhere", async () => {
    const p = provider(fake);
    const before = fake.requests.length;
    await p.upsert({ fqdn: "shape.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx());
    const sent = fake.requests.slice(before);
    // Three domains, two per page: discovery reads both pages.
    expect(sent.map((r) => `${r.query.get("Action")}:${r.query.get("PageNumber") ?? ""}`)).toEqual([
      "DescribeDomains:1",
      "DescribeDomains:2",
      "DescribeSubDomainRecords:1",
      "AddDomainRecord:",
    ]);
    for (const r of sent) {
      expect(r.method).toBe("GET");
      expect(r.path).toBe("/");
      expect(r.headers["user-agent"]).toBe(TEST_USER_AGENT);
      expect(r.query.get("Format")).toBe("JSON");
      expect(r.rawUrl).toMatch(/Timestamp=\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\dZ/);
      expect(r.rawUrl).not.toContain(encodeURIComponent(SECRET));
    }
    const add = sent[3]!.query;
    expect(
      Object.fromEntries(["DomainName", "RR", "Type", "Value", "TTL", "Line"].map((k) => [k, add.get(k)])),
    ).toEqual({
      DomainName: ZONE,
      RR: "shape",
      Type: "A",
      Value: "81.2.69.142",
      TTL: "600",
      Line: "default",
    });
  });

  it("discovers the longest matching domain across pages and caches it", async () => {
    const p = provider(fake);
    await p.upsert({ fqdn: "a.sub.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx());
    expect(fake.zones.find("sub.example.com", "a.sub.example.com", "A")).toHaveLength(1);
    const before = fake.requests.length;
    await p.get("b.sub.example.com", "A", ctx());
    await p.get("www.example.org", "A", ctx());
    expect(fake.requests.slice(before).map((r) => r.query.get("Action"))).toEqual([
      "DescribeSubDomainRecords",
      "DescribeSubDomainRecords",
    ]);
  });

  it("uses the apex as @ and the configured domain without discovery", async () => {
    const p = provider(fake, { domain: "example.org" });
    const before = fake.requests.length;
    await p.upsert({ fqdn: "example.org", type: "TXT", values: ["v=spf1 -all"], ttl: 600 }, ctx());
    const sent = fake.requests.slice(before);
    expect(sent.map((r) => r.query.get("Action"))).toEqual(["DescribeSubDomainRecords", "AddDomainRecord"]);
    expect(sent[1]!.query.get("RR")).toBe("@");
    const e = await failure(p.get("x.example.com", "A", ctx()));
    expect(e.code).toBe("provider_zone_not_found");
  });

  it("reads every page of a big set", async () => {
    const fqdn = "many.example.com";
    const values = ["81.2.69.1", "81.2.69.2", "81.2.69.3", "81.2.69.4", "81.2.69.5"];
    for (const v of values) fake.zones.add(ZONE, { name: fqdn, type: "A", content: v, ttl: 600, extra: {} });
    expect((await provider(fake).get(fqdn, "A", ctx()))?.values).toEqual(values);
  });

  it("keeps vendor-only fields, the record id and the existing TTL when updating in place", async () => {
    const fqdn = "kept.example.com";
    const rec = fake.zones.add(ZONE, {
      name: fqdn,
      type: "A",
      content: "81.2.69.142",
      ttl: 1200,
      extra: { Weight: 7, Remark: "home router", Status: "ENABLE" },
    });
    const p = provider(fake);
    expect(await p.upsert({ fqdn, type: "A", values: ["81.2.69.160"], ttl: undefined }, ctx())).toBe(
      "changed",
    );
    const [now] = fake.zones.find(ZONE, fqdn, "A");
    expect(now).toMatchObject({ id: rec.id, content: "81.2.69.160", ttl: 1200 });
    expect(now?.extra).toMatchObject({ Weight: 7, Remark: "home router", Status: "ENABLE", Line: "default" });
  });

  it("leaves records on other lines alone", async () => {
    const fqdn = "split.example.com";
    fake.zones.add(ZONE, { name: fqdn, type: "A", content: "1.1.1.1", ttl: 600, extra: { Line: "telecom" } });
    const p = provider(fake);
    expect(await p.get(fqdn, "A", ctx())).toBeUndefined();
    await p.upsert({ fqdn, type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx());
    expect(await p.delete(fqdn, "A", ctx())).toBe("changed");
    expect(fake.zones.find(ZONE, fqdn, "A").map((r) => [r.content, r.extra.Line])).toEqual([
      ["1.1.1.1", "telecom"],
    ]);
  });

  it("takes DomainRecordDuplicate on a write as 'already there'", async () => {
    const fqdn = "race.example.com";
    // Another writer adds the same record between our read and our AddDomainRecord.
    const base = deps();
    const racing: ProviderDeps = {
      ...base,
      httpRequest: (url, opts) => {
        if (new URL(url).searchParams.get("Action") === "AddDomainRecord")
          fake.zones.add(ZONE, { name: fqdn, type: "A", content: "81.2.69.142", ttl: 600, extra: {} });
        return base.httpRequest(url, opts);
      },
    };
    const p = provider(fake, {}, racing);
    expect(await p.upsert({ fqdn, type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx())).toBe("changed");
    expect(fake.zones.find(ZONE, fqdn, "A")).toHaveLength(1);
  });

  it("a locked record is provider_conflict, a CNAME at the name too", async () => {
    fake.zones.add(ZONE, {
      name: "locked.example.com",
      type: "A",
      content: "1.1.1.1",
      ttl: 600,
      extra: { Locked: true },
    });
    const p = provider(fake);
    let e = await failure(
      p.upsert({ fqdn: "locked.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx()),
    );
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_conflict", "DomainRecordLocked"]);
    fake.zones.add(ZONE, {
      name: "alias.example.com",
      type: "CNAME",
      content: "x.example.net",
      ttl: 600,
      extra: {},
    });
    e = await failure(
      p.upsert({ fqdn: "alias.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx()),
    );
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_conflict", "DomainRecordConflict"]);
    expect(e.message).toContain("conflicts with other records");
  });

  it("maps vendor refusals onto catalogue codes and keeps the vendor's message", async () => {
    const p = provider(fake, { domain: ZONE });
    const cases: [ReturnType<typeof aliError>, string, string][] = [
      [
        aliError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
        "provider_auth",
        "access key is not found",
      ],
      [
        aliError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."),
        "provider_auth",
        "does not conform",
      ],
      [
        aliError(403, "Forbidden.RAM", "User not authorized to operate on the specified resource."),
        "provider_permission",
        "not authorized",
      ],
      [
        aliError(403, "Forbidden", "User not authorized to operate on the specified resource."),
        "provider_permission",
        "not authorized",
      ],
      [
        aliError(400, "Throttling.User", "Request was denied due to user flow control."),
        "provider_rate_limited",
        "flow control",
      ],
      [
        aliError(400, "LastOperationNotFinished", "Last operation is not finished, please try again later."),
        "provider_rate_limited",
        "not finished",
      ],
      [
        aliError(400, "InvalidDomainName.NoExist", "The specified domain name does not exist."),
        "provider_zone_not_found",
        "does not exist",
      ],
      [
        aliError(400, "DomainRecordNotBelongToUser", "The DNS record does not belong to you."),
        "provider_zone_not_found",
        "does not belong",
      ],
      [
        aliError(
          503,
          "ServiceUnavailable",
          "The request has failed due to a temporary failure of the server.",
        ),
        "provider_unavailable",
        "temporary failure",
      ],
      [
        aliError(500, "InternalError", "The request processing has failed due to some unknown error."),
        "provider_unavailable",
        "unknown error",
      ],
      [aliError(400, "InvalidTTL", "The TTL value is invalid."), "provider_rejected", "TTL value is invalid"],
      [
        { status: 502, headers: { "content-type": "text/html" }, body: "<html>Bad Gateway</html>" },
        "provider_unavailable",
        "Bad Gateway",
      ],
      [{ status: 200, body: "<html>captive portal</html>" }, "malformed_reply", "not JSON"],
      [
        json(200, { RequestId: "x", DomainRecords: { Record: "nope" } }),
        "malformed_reply",
        "unexpected reply shape",
      ],
      [
        json(200, {
          RequestId: "x",
          TotalCount: 1,
          DomainRecords: { Record: [{ RecordId: "1", RR: "w", Type: "A", Value: "not-an-ip", TTL: 600 }] },
        }),
        "malformed_reply",
        "unreadable A set",
      ],
      [json(400, { RequestId: "x" }), "malformed_reply", "unexpected reply"],
    ];
    for (const [reply, code, words] of cases) {
      fake.failNext(reply);
      const e = await failure(p.get("w.example.com", "A", ctx()));
      expect([e.code, e.message], reply.body).toEqual([code, expect.stringContaining(words)]);
    }
  });

  it("a rate limit carries Retry-After as details.retryAfterMs", async () => {
    const p = provider(fake, { domain: ZONE });
    fake.failNext({
      ...aliError(400, "Throttling.User", "Request was denied due to user flow control."),
      headers: { "content-type": "application/json", "retry-after": "7" },
    });
    const e = await failure(p.get("w.example.com", "A", ctx()));
    expect(e.details).toMatchObject({ retryAfterMs: 7000, vendorCode: "Throttling.User" });
  });

  it("Forbidden.RAM from the fake's policy is provider_permission", async () => {
    fake.forbidden.add("AddDomainRecord");
    try {
      const e = await failure(
        provider(fake).upsert(
          { fqdn: "ram.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 },
          ctx(),
        ),
      );
      expect([e.code, e.details?.vendorCode]).toEqual(["provider_permission", "Forbidden.RAM"]);
    } finally {
      fake.forbidden.delete("AddDomainRecord");
    }
  });

  it("the fake refuses a wrong signature, an unknown key, a stale timestamp and a reused nonce", async () => {
    let e = await failure(provider(fake, { access_key_secret: "nope" }).get("w.example.com", "A", ctx()));
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_auth", "SignatureDoesNotMatch"]);
    expect(e.message).not.toContain("nope");
    e = await failure(provider(fake, { access_key_id: "LTAIunknown" }).get("w.example.com", "A", ctx()));
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_auth", "InvalidAccessKeyId.NotFound"]);
    const stale = deps({ clock: () => Date.now() - 3_600_000 });
    e = await failure(provider(fake, { domain: ZONE }, stale).get("w.example.com", "A", ctx()));
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_rejected", "InvalidTimeStamp.Expired"]);
    // testProviderDeps' default randomBytes repeats itself: the second request reuses the nonce.
    const fixed = testProviderDeps();
    const p = provider(fake, { domain: ZONE }, fixed);
    await p.get("w.example.com", "A", ctx()).catch(() => undefined);
    e = await failure(p.get("w.example.com", "A", ctx()));
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_rejected", "SignatureNonceUsed"]);
  });

  it("refuses types it cannot hold before sending anything", async () => {
    const before = fake.requests.length;
    const e = await failure(provider(fake).get("w.example.com", "CNAME" as ProviderRecordType, ctx()));
    expect(e.code).toBe("provider_unsupported");
    expect(fake.requests.length).toBe(before);
  });
});
