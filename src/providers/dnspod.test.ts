import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBeaconError, type BeaconError } from "../core/errors.js";
import { dnspodErrorCode, dnspodProvider, type DnspodSettings } from "./dnspod.js";
import { parseTc3Authorization } from "./kit/signing/tc3.js";
import { runProviderContract } from "./testing/contract.js";
import { testProviderDeps, TEST_USER_AGENT } from "./testing/deps.js";
import { json } from "./testing/fake-vendor.js";
import { startFakeDnspod, type FakeDnspod, type FakeDnspodOptions } from "./testing/fakes/dnspod.js";
import type { Provider, ProviderDeps, ProviderRecordType } from "./types.js";

const SECRET_ID = "AKIDfakeBeaconTest0000000000000000000";
const SECRET_KEY = "fake-secret-key-never-in-messages";
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

function provider(
  fake: FakeDnspod,
  over: Partial<Record<keyof DnspodSettings, unknown>> = {},
  deps?: ProviderDeps,
) {
  const s = dnspodProvider.settings.parse({
    secret_id: SECRET_ID,
    secret_key: SECRET_KEY,
    endpoint: fake.url,
    ...over,
  });
  return dnspodProvider.create("t", s, deps ?? testProviderDeps());
}

async function fake(over: Partial<FakeDnspodOptions> = {}) {
  return startFakeDnspod({ secretId: SECRET_ID, secretKey: SECRET_KEY, domains: ["example.com"], ...over });
}

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (err: unknown) => err,
  );
  if (!isBeaconError(e)) throw e;
  return e;
}

function peek(f: FakeDnspod, fqdn: string, type: ProviderRecordType, line = "默认") {
  const zone = f.zones.zoneOf(fqdn);
  const held = zone === undefined ? [] : f.zones.find(zone, fqdn, type).filter((r) => r.extra.Line === line);
  if (held.length === 0) return undefined;
  return { type, ttl: held[0]!.ttl, values: held.map((r) => r.content).sort() };
}

runProviderContract("dnspod (fake Tencent Cloud API 3.0)", async () => {
  // A paid plan (TTLs below 600 allowed): the contract writes TTLs of 60–300.
  const f = await fake({ domains: ["example.com", "example.org"], minTtl: 1 });
  return {
    provider: provider(f),
    zone: "example.com",
    peek: (fqdn, type) => Promise.resolve(peek(f, fqdn, type)),
    wrongCredentials: provider(f, { secret_key: "not-the-key" }),
    foreignName: "www.not-in-the-account.net",
    close: () => f.close(),
  };
});

describe("dnspod: requests as Tencent documents them", () => {
  let f: FakeDnspod;
  beforeAll(async () => {
    f = await fake({ minTtl: 1 });
  });
  afterAll(() => f.close());

  it("POSTs signed JSON to / with the X-TC headers and our User-Agent", async () => {
    f.requests.length = 0;
    const p = provider(f, { domain: "example.com" });
    await p.upsert({ fqdn: "home.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    const actions = f.requests.map((r) => r.headers["x-tc-action"]);
    expect(actions).toEqual(["DescribeRecordList", "CreateRecord"]);
    const [list, create] = f.requests as [(typeof f.requests)[0], (typeof f.requests)[0]];
    expect(list.method).toBe("POST");
    expect(list.path).toBe("/");
    expect(list.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(list.headers["x-tc-version"]).toBe("2021-03-23");
    expect(list.headers["user-agent"]).toBe(TEST_USER_AGENT);
    expect(parseTc3Authorization(list.headers.authorization)).toMatchObject({
      secretId: SECRET_ID,
      service: "dnspod",
      signedHeaders: ["content-type", "host", "x-tc-action"],
    });
    expect(JSON.parse(list.body)).toMatchObject({
      Domain: "example.com",
      Subdomain: "home",
      RecordType: "A",
      RecordLine: "默认",
    });
    expect(JSON.parse(create.body)).toEqual({
      Domain: "example.com",
      SubDomain: "home",
      RecordType: "A",
      RecordLine: "默认",
      Value: "81.2.69.142",
      TTL: 300,
    });
  });

  it("writes the apex as @ and TXT values as plain text", async () => {
    const p = provider(f, { domain: "example.com" });
    await p.upsert({ fqdn: "example.com", type: "TXT", values: ['say "hi" = 1'], ttl: 60 }, ctx());
    expect(f.zones.find("example.com", "example.com", "TXT")[0]?.content).toBe('say "hi" = 1');
    expect((await p.get("example.com", "TXT", ctx()))?.values).toEqual(['say "hi" = 1']);
  });

  it("never sends for a name outside the configured domain", async () => {
    f.requests.length = 0;
    const e = await failure(
      provider(f, { domain: "example.com" }).upsert(
        { fqdn: "a.example.net", type: "A", values: ["81.2.69.142"], ttl: 60 },
        ctx(),
      ),
    );
    expect(e.code).toBe("provider_zone_not_found");
    expect(f.requests).toHaveLength(0);
  });
});

describe("dnspod: domain discovery and paging", () => {
  it("pages DescribeDomainList, picks the longest domain, and caches the list", async () => {
    const domains = ["a.test", "b.test", "example.com", "c.test", "sub.example.com"];
    const f = await fake({ domains, minTtl: 1, pageCap: 2 });
    try {
      const p = provider(f);
      await p.upsert({ fqdn: "x.sub.example.com", type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx());
      expect(peek(f, "x.sub.example.com", "A")?.values).toEqual(["81.2.69.142"]);
      expect(f.zones.find("sub.example.com", "x.sub.example.com", "A")).toHaveLength(1);
      const listings = f.requests.filter((r) => r.headers["x-tc-action"] === "DescribeDomainList");
      // pageCap 2 < Limit 100: a short page is not the end; offsets follow what came back.
      expect(listings.map((r) => (JSON.parse(r.body) as { Offset: number }).Offset)).toEqual([0, 2, 4]);
      f.requests.length = 0;
      await p.upsert({ fqdn: "y.example.com", type: "A", values: ["81.2.69.160"], ttl: 60 }, ctx());
      expect(f.requests.some((r) => r.headers["x-tc-action"] === "DescribeDomainList")).toBe(false);
    } finally {
      await f.close();
    }
  });

  it("reads every page of a record list", async () => {
    const f = await fake({ minTtl: 1, pageCap: 1 });
    try {
      const p = provider(f);
      const values = ["81.2.69.142", "81.2.69.160", "81.2.69.200"];
      await p.upsert({ fqdn: "rr.example.com", type: "A", values, ttl: 60 }, ctx());
      expect((await p.get("rr.example.com", "A", ctx()))?.values).toEqual(values);
      expect(await p.upsert({ fqdn: "rr.example.com", type: "A", values, ttl: 60 }, ctx())).toBe("unchanged");
    } finally {
      await f.close();
    }
  });

  it("an account without domains is provider_zone_not_found (ResourceNotFound.NoDataOfDomain)", async () => {
    const f = await fake({ domains: [] });
    try {
      const e = await failure(provider(f).get("a.example.com", "A", ctx()));
      expect(e.code).toBe("provider_zone_not_found");
      expect(e.message).toContain("a.example.com");
    } finally {
      await f.close();
    }
  });
});

describe("dnspod: what Beacon does not manage is kept", () => {
  let f: FakeDnspod;
  beforeAll(async () => {
    f = await fake({ minTtl: 1 });
  });
  afterAll(() => f.close());

  it("an update keeps the record's id, Remark, Weight, Status and (without a TTL) its TTL", async () => {
    const rec = f.zones.add("example.com", {
      name: "keep.example.com",
      type: "A",
      content: "81.2.69.142",
      ttl: 900,
      extra: { Line: "默认", Status: "DISABLE", Weight: 10, Remark: "managed by hand too" },
    });
    const p = provider(f);
    expect(
      await p.upsert({ fqdn: "keep.example.com", type: "A", values: ["81.2.69.160"], ttl: undefined }, ctx()),
    ).toBe("changed");
    const after = f.zones.byId("example.com", rec.id);
    expect(after).toMatchObject({ content: "81.2.69.160", ttl: 900 });
    expect(after?.extra).toMatchObject({ Status: "DISABLE", Weight: 10, Remark: "managed by hand too" });
  });

  it("records on another line are neither read, changed nor deleted", async () => {
    const other = f.zones.add("example.com", {
      name: "split.example.com",
      type: "A",
      content: "203.0.113.7",
      ttl: 600,
      extra: { Line: "电信", Status: "ENABLE", Weight: null, Remark: "" },
    });
    const p = provider(f);
    expect(await p.get("split.example.com", "A", ctx())).toBeUndefined();
    await p.upsert({ fqdn: "split.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx());
    expect(await p.delete("split.example.com", "A", ctx())).toBe("changed");
    expect(f.zones.byId("example.com", other.id)).toMatchObject({ content: "203.0.113.7" });
  });

  it("a held duplicate value is removed (the set is exactly the values)", async () => {
    for (const _ of [1, 2])
      f.zones.add("example.com", {
        name: "dup.example.com",
        type: "A",
        content: "81.2.69.142",
        ttl: 600,
        extra: { Line: "默认", Status: "ENABLE", Weight: null, Remark: "" },
      });
    const p = provider(f);
    expect(
      await p.upsert({ fqdn: "dup.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx()),
    ).toBe("changed");
    expect(f.zones.find("example.com", "dup.example.com", "A")).toHaveLength(1);
  });
});

describe("dnspod: vendor errors onto the catalogue", () => {
  let f: FakeDnspod;
  let p: Provider;
  beforeAll(async () => {
    f = await fake({ minTtl: 600 });
    p = provider(f, { domain: "example.com" });
  });
  afterAll(() => f.close());

  const vendorError = (Code: string, Message: string) =>
    json(200, { Response: { Error: { Code, Message }, RequestId: "e-1" } });
  const upsert = () =>
    p.upsert({ fqdn: "err.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx());

  it.each([
    ["AuthFailure.SecretIdNotFound", "provider_auth"],
    ["AuthFailure.SignatureFailure", "provider_auth"],
    ["AuthFailure.UnauthorizedOperation", "provider_permission"],
    ["UnauthorizedOperation", "provider_permission"],
    ["OperationDenied.NoPermissionToOperateDomain", "provider_permission"],
    ["RequestLimitExceeded", "provider_rate_limited"],
    ["RequestLimitExceeded.UinLimitExceeded", "provider_rate_limited"],
    ["InvalidParameterValue.DomainNotExists", "provider_zone_not_found"],
    ["ResourceNotFound.NoDataOfDomain", "provider_zone_not_found"],
    ["InvalidParameter.DomainRecordExist", "provider_conflict"],
    ["InternalError", "provider_unavailable"],
    ["InvalidParameter.RecordValueInvalid", "provider_rejected"],
  ])("%s → %s, keeping the vendor's words", async (code, want) => {
    f.failNext(vendorError(code, `vendor says ${code}`));
    const e = await failure(upsert());
    expect(e.code).toBe(want);
    expect(e.message).toContain(`vendor says ${code}`);
    expect(e.details).toMatchObject({ vendorCode: code });
    expect(dnspodErrorCode(code)).toBe(want);
  });

  it("a free-plan TTL below 600 is provider_rejected (LimitExceeded.RecordTtlLimit) and writes nothing", async () => {
    const e = await failure(
      p.upsert({ fqdn: "ttl.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx()),
    );
    expect(e.code).toBe("provider_rejected");
    expect(e.details).toMatchObject({ vendorCode: "LimitExceeded.RecordTtlLimit" });
    expect(e.message).toContain("TTL");
    expect(peek(f, "ttl.example.com", "A")).toBeUndefined();
    // No TTL in the write: the setting's 600 is used and accepted.
    await p.upsert({ fqdn: "ttl.example.com", type: "A", values: ["81.2.69.142"], ttl: undefined }, ctx());
    expect(peek(f, "ttl.example.com", "A")?.ttl).toBe(600);
  });

  it("a clock more than 5 minutes off is provider_auth (AuthFailure.SignatureExpire)", async () => {
    const skewed = provider(
      f,
      { domain: "example.com" },
      testProviderDeps({ clock: () => Date.now() - 6 * 60_000 }),
    );
    const e = await failure(skewed.get("a.example.com", "A", ctx()));
    expect(e.code).toBe("provider_auth");
    expect(e.details).toMatchObject({ vendorCode: "AuthFailure.SignatureExpire" });
  });

  it("a wrong SecretId or SecretKey is provider_auth, and the key never appears in the message", async () => {
    const badId = await failure(provider(f, { secret_id: "AKIDnotknown" }).get("a.example.com", "A", ctx()));
    expect(badId.details).toMatchObject({ vendorCode: "AuthFailure.SecretIdNotFound" });
    const badKey = await failure(provider(f, { secret_key: "wrong" }).get("a.example.com", "A", ctx()));
    expect(badKey.code).toBe("provider_auth");
    expect(badKey.details).toMatchObject({ vendorCode: "AuthFailure.SignatureFailure" });
    expect(`${badKey.message} ${String((badKey.cause as Error).message)}`).not.toContain(SECRET_KEY);
  });

  it("an HTTP 429 with Retry-After is provider_rate_limited with details.retryAfterMs", async () => {
    f.failNext({ status: 429, headers: { "retry-after": "7" }, body: "slow down" });
    const e = await failure(upsert());
    expect(e.code).toBe("provider_rate_limited");
    expect(e.details).toMatchObject({ retryAfterMs: 7000 });
  });

  it.each([
    ["a gateway's 502 HTML page", { status: 502, body: "<html>Bad Gateway</html>" }, "provider_unavailable"],
    ["200 with a non-JSON body", { status: 200, body: "<html>captive portal</html>" }, "malformed_reply"],
    ["200 without Response", json(200, { ok: true }), "malformed_reply"],
    [
      "200 with a wrongly shaped list",
      json(200, { Response: { RecordCountInfo: "many", RecordList: {} } }),
      "malformed_reply",
    ],
    [
      "200 with a record of the wrong family",
      json(200, {
        Response: {
          RecordCountInfo: { TotalCount: 1 },
          RecordList: [{ RecordId: 1, Name: "err", Type: "A", Value: "not-an-ip", TTL: 600, Line: "默认" }],
        },
      }),
      "malformed_reply",
    ],
  ])("%s → %s", async (_what, reply, want) => {
    f.failNext(reply);
    expect((await failure(upsert())).code).toBe(want);
  });
});

describe("dnspod settings", () => {
  it.each([
    [{ secret_id: "", secret_key: "k" }, "secret_id"],
    [{ secret_id: "AKID x", secret_key: "k" }, "secret_id"],
    [{ secret_id: "AKID1", secret_key: "" }, "secret_key"],
    [{ secret_id: "AKID1", secret_key: "k", ttl: 0 }, "ttl"],
    [{ secret_id: "AKID1", secret_key: "k", domain: "not a domain" }, "domain"],
    [
      { secret_id: "AKID1", secret_key: "k", endpoint: "https://user:pw@dnspod.tencentcloudapi.com" },
      "endpoint",
    ],
    [{ secret_id: "AKID1", secret_key: "k", token: "x" }, ""],
  ])("refuses %j (names %s)", (input, key) => {
    const r = dnspodProvider.settings.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(key);
  });

  it("defaults: the real endpoint, TTL 600, the default line", () => {
    expect(
      dnspodProvider.settings.parse({ secret_id: "AKID1", secret_key: "k", domain: "Example.COM." }),
    ).toEqual({
      secret_id: "AKID1",
      secret_key: "k",
      domain: "example.com",
      endpoint: "https://dnspod.tencentcloudapi.com/",
      ttl: 600,
      record_line: "默认",
    });
  });
});
