import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBeaconError, type BeaconError } from "../core/errors.js";
import { createHttpRequest } from "../net/http-request.js";
import { huaweiErrorCode, huaweicloudProvider, type HuaweiCloudSettings } from "./huaweicloud.js";
import { parseSdkHmacAuthorization } from "./kit/signing/huawei-sdk-hmac.js";
import { runProviderContract } from "./testing/contract.js";
import { testProviderDeps } from "./testing/deps.js";
import { json } from "./testing/fake-vendor.js";
import { startFakeHuawei, type FakeHuawei, type FakeHuaweiOptions } from "./testing/fakes/huaweicloud.js";
import { unquoteTxt } from "./kit/txt-presentation.js";
import type { Provider, ProviderDeps, ProviderRecordType } from "./types.js";

const AK = "HPUAFAKEBEACONTEST01";
const SK = "fake-huawei-secret-never-in-messages";
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

async function fake(over: Partial<FakeHuaweiOptions> = {}) {
  return startFakeHuawei({ accessKey: AK, secretKey: SK, zones: ["example.com"], ...over });
}

function provider(
  f: FakeHuawei,
  over: Partial<Record<keyof HuaweiCloudSettings, unknown>> = {},
  deps?: ProviderDeps,
) {
  const s = huaweicloudProvider.settings.parse({ access_key: AK, secret_key: SK, endpoint: f.url, ...over });
  return huaweicloudProvider.create("t", s, deps ?? testProviderDeps());
}

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (err: unknown) => err,
  );
  if (!isBeaconError(e)) throw e;
  return e;
}

function setOf(f: FakeHuawei, fqdn: string, type: string, line = "default_view") {
  for (const held of f.sets.values()) {
    const rs = held.find((r) => r.name === `${fqdn}.` && r.type === type && r.line === line);
    if (rs !== undefined) return rs;
  }
  return undefined;
}

function peek(f: FakeHuawei, fqdn: string, type: ProviderRecordType) {
  const rs = setOf(f, fqdn, type);
  if (rs === undefined) return undefined;
  const values = rs.records.map((c) => (type === "TXT" ? (unquoteTxt(c) ?? `unreadable ${c}`) : c)).sort();
  return { type, ttl: rs.ttl, values };
}

runProviderContract("huaweicloud (fake Huawei Cloud DNS + API gateway)", async () => {
  const f = await fake({ zones: ["example.com", "example.org"] });
  return {
    provider: provider(f),
    zone: "example.com",
    peek: (fqdn, type) => Promise.resolve(peek(f, fqdn, type)),
    wrongCredentials: provider(f, { secret_key: "not-the-key" }),
    foreignName: "www.not-in-the-account.net",
    close: () => f.close(),
  };
});

describe("huaweicloud: requests as Huawei documents them", () => {
  let f: FakeHuawei;
  beforeAll(async () => {
    f = await fake();
  });
  afterAll(() => f.close());

  it("lists zones, reads the set by exact name, then POSTs the whole set, all signed", async () => {
    f.requests.length = 0;
    await provider(f, { project_id: "0123abcd" }).upsert(
      { fqdn: "home.example.com", type: "TXT", values: ["a b", 'say "hi"'], ttl: 120 },
      ctx(),
    );
    expect(f.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /v2/zones",
      `GET /v2.1/zones/${f.zoneIds.get("example.com")}/recordsets`,
      `POST /v2.1/zones/${f.zoneIds.get("example.com")}/recordsets`,
    ]);
    const [zones, list, post] = f.requests as [
      (typeof f.requests)[0],
      (typeof f.requests)[0],
      (typeof f.requests)[0],
    ];
    expect(zones.query.get("type")).toBe("public");
    expect(Object.fromEntries(list.query)).toMatchObject({
      name: "home.example.com.",
      type: "TXT",
      search_mode: "equal",
    });
    expect(JSON.parse(post.body)).toEqual({
      name: "home.example.com.",
      type: "TXT",
      ttl: 120,
      records: ['"a b"', '"say \\"hi\\""'],
    });
    expect(post.headers["content-type"]).toBe("application/json");
    expect(post.headers["x-sdk-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    expect(post.headers["x-project-id"]).toBe("0123abcd");
    expect(parseSdkHmacAuthorization(post.headers.authorization)).toMatchObject({
      accessKey: AK,
      signedHeaders: ["content-type", "host", "x-project-id", "x-sdk-date"],
    });
  });

  it("a name outside the configured zone is refused before anything is sent", async () => {
    f.requests.length = 0;
    const e = await failure(
      provider(f, { zone: "example.com" }).upsert(
        { fqdn: "a.example.net", type: "A", values: ["81.2.69.142"], ttl: 60 },
        ctx(),
      ),
    );
    expect(e.code).toBe("provider_zone_not_found");
    expect(f.requests).toHaveLength(0);
  });

  it("a configured zone the account lacks is provider_zone_not_found", async () => {
    const e = await failure(provider(f, { zone: "example.org" }).get("a.example.org", "A", ctx()));
    expect(e.code).toBe("provider_zone_not_found");
    expect(e.message).toContain("example.org");
  });
});

describe("huaweicloud: zone discovery and paging", () => {
  it("pages the zone list by what came back, picks the longest zone, and caches it", async () => {
    const f = await fake({
      zones: ["a.test", "b.test", "example.com", "c.test", "sub.example.com"],
      pageCap: 2,
    });
    try {
      const p = provider(f);
      await p.upsert({ fqdn: "x.sub.example.com", type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx());
      const subId = f.zoneIds.get("sub.example.com")!;
      expect(f.sets.get(subId)?.some((r) => r.name === "x.sub.example.com.")).toBe(true);
      const listings = f.requests.filter((r) => r.path === "/v2/zones");
      expect(listings.map((r) => r.query.get("offset"))).toEqual(["0", "2", "4"]);
      f.requests.length = 0;
      await p.get("y.example.com", "A", ctx());
      expect(f.requests.some((r) => r.path === "/v2/zones")).toBe(false);
    } finally {
      await f.close();
    }
  });

  it("finds its set on a later page of record sets", async () => {
    const f = await fake({ pageCap: 1 });
    try {
      // Same name and type on another line comes first: one set per page, ours on page two.
      f.sets.get(f.zoneIds.get("example.com")!)!.push({
        id: "other-line",
        name: "example.com.",
        type: "A",
        ttl: 300,
        records: ["203.0.113.7"],
        description: null,
        line: "Dianxin",
        weight: null,
        default: false,
        status: "ACTIVE",
      });
      const p = provider(f);
      await p.upsert({ fqdn: "example.com", type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx());
      f.requests.length = 0;
      expect((await p.get("example.com", "A", ctx()))?.values).toEqual(["81.2.69.142"]);
      expect(f.requests.map((r) => r.query.get("offset"))).toEqual(["0", "1"]);
    } finally {
      await f.close();
    }
  });
});

describe("huaweicloud: what Beacon does not manage is kept", () => {
  let f: FakeHuawei;
  beforeAll(async () => {
    f = await fake();
  });
  afterAll(() => f.close());

  const zoneSets = () => f.sets.get(f.zoneIds.get("example.com")!)!;

  it("an update keeps the set's id, description, weight and (without a TTL) its TTL", async () => {
    zoneSets().push({
      id: "keep-1",
      name: "keep.example.com.",
      type: "A",
      ttl: 900,
      records: ["81.2.69.142"],
      description: "hand-made, keep me",
      line: "default_view",
      weight: 3,
      default: false,
      status: "ACTIVE",
    });
    const p = provider(f);
    expect(
      await p.upsert(
        { fqdn: "keep.example.com", type: "A", values: ["81.2.69.142", "81.2.69.160"], ttl: undefined },
        ctx(),
      ),
    ).toBe("changed");
    expect(setOf(f, "keep.example.com", "A")).toMatchObject({
      id: "keep-1",
      ttl: 900,
      records: ["81.2.69.142", "81.2.69.160"],
      description: "hand-made, keep me",
      weight: 3,
    });
  });

  it("a set on another line is neither read, changed nor deleted", async () => {
    zoneSets().push({
      id: "line-1",
      name: "split.example.com.",
      type: "A",
      ttl: 300,
      records: ["203.0.113.7"],
      description: null,
      line: "Dianxin",
      weight: null,
      default: false,
      status: "ACTIVE",
    });
    const p = provider(f);
    expect(await p.get("split.example.com", "A", ctx())).toBeUndefined();
    await p.upsert({ fqdn: "split.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    expect(await p.delete("split.example.com", "A", ctx())).toBe("changed");
    expect(setOf(f, "split.example.com", "A", "Dianxin")?.records).toEqual(["203.0.113.7"]);
  });

  it("a set deleted by someone else between read and DELETE (DNS.0313) is still 'changed', not an error", async () => {
    const real = createHttpRequest();
    const racing = testProviderDeps({
      httpRequest: (url, opts) => {
        if (opts.method === "DELETE") {
          const i = zoneSets().findIndex((r) => r.name === "race.example.com.");
          if (i >= 0) zoneSets().splice(i, 1);
        }
        return real(url, opts);
      },
    });
    const p = provider(f, {}, racing);
    await p.upsert({ fqdn: "race.example.com", type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx());
    expect(await p.delete("race.example.com", "A", ctx())).toBe("changed");
    expect(setOf(f, "race.example.com", "A")).toBeUndefined();
  });
});

describe("huaweicloud: vendor errors onto the catalogue", () => {
  let f: FakeHuawei;
  let p: Provider;
  beforeAll(async () => {
    f = await fake();
    p = provider(f, { zone: "example.com" });
    await p.get("warm.example.com", "A", ctx()); // zone id cached: the next request is the set read
  });
  afterAll(() => f.close());

  const dns = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    json(status, { code, message }, headers);
  const gw = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    json(status, { error_code: code, error_msg: message, request_id: "r-1" }, headers);
  const upsert = () =>
    p.upsert({ fqdn: "err.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());

  it.each([
    [
      "gateway APIGW.0301",
      gw(401, "APIGW.0301", "Incorrect IAM authentication information: x"),
      "provider_auth",
    ],
    ["DNS.0005", dns(401, "DNS.0005", "Authentication required."), "provider_auth"],
    [
      "gateway APIGW.0302",
      gw(403, "APIGW.0302", "The IAM user is not authorized to access the API."),
      "provider_permission",
    ],
    [
      "DNS.0013",
      dns(403, "DNS.0013", "You do not have the permission to perform this operation."),
      "provider_permission",
    ],
    [
      "DNS.0014 flow control",
      dns(403, "DNS.0014", "Request forbidden by flow control."),
      "provider_rate_limited",
    ],
    ["DNS.0302", dns(404, "DNS.0302", "This zone does not exist."), "provider_zone_not_found"],
    ["DNS.0312", dns(400, "DNS.0312", "This record set already exists."), "provider_conflict"],
    ["DNS.0314", dns(409, "DNS.0314", "The record set is not in a steady state."), "provider_unavailable"],
    ["DNS.0001", dns(500, "DNS.0001", "Internal error."), "provider_unavailable"],
    ["DNS.0308", dns(400, "DNS.0308", "Invalid record set value."), "provider_rejected"],
    ["an unknown code (status decides)", dns(409, "DNS.9999", "Something new."), "provider_conflict"],
    [
      "the code constructor (bad input: status decides)",
      dns(409, "constructor", "Odd."),
      "provider_conflict",
    ],
    ["the code __proto__ (bad input: status decides)", dns(400, "__proto__", "Odder."), "provider_rejected"],
  ])("%s → %s, keeping the vendor's words", async (_what, reply, want) => {
    f.failNext(reply);
    const e = await failure(upsert());
    expect(e.code).toBe(want);
    const body = JSON.parse(reply.body) as { message?: string; error_msg?: string };
    expect(e.message).toContain(body.message ?? body.error_msg);
  });

  it("APIGW.0308 with Retry-After is provider_rate_limited with details.retryAfterMs", async () => {
    f.failNext(gw(429, "APIGW.0308", "The throttling threshold has been reached.", { "retry-after": "12" }));
    const e = await failure(upsert());
    expect(e.code).toBe("provider_rate_limited");
    expect(e.details).toMatchObject({ retryAfterMs: 12_000, vendorCode: "APIGW.0308" });
  });

  it.each([
    ["a 502 HTML page", { status: 502, body: "<html>bad gateway</html>" }, "provider_unavailable"],
    ["a 200 that is not JSON", { status: 200, body: "<html>portal</html>" }, "malformed_reply"],
    ["a 200 without recordsets", json(200, { metadata: { total_count: 0 } }), "malformed_reply"],
    [
      "a 200 whose A set holds a name",
      json(200, {
        recordsets: [{ id: "x", name: "err.example.com.", type: "A", ttl: 300, records: ["example.net."] }],
        metadata: { total_count: 1 },
      }),
      "malformed_reply",
    ],
    [
      "a 200 whose TXT set is not presentation form",
      json(200, {
        recordsets: [
          { id: "x", name: "err.example.com.", type: "TXT", ttl: 300, records: ['"unterminated'] },
        ],
        metadata: { total_count: 1 },
      }),
      "malformed_reply",
    ],
  ])("%s → %s", async (_what, reply, want) => {
    f.failNext(reply);
    const type = reply.body.includes("TXT") ? "TXT" : "A";
    expect((await failure(p.get("err.example.com", type, ctx()))).code).toBe(want);
  });

  it("a wrong SK is provider_auth from the gateway's own check, without the key in the message", async () => {
    const e = await failure(provider(f, { secret_key: "wrong" }).get("a.example.com", "A", ctx()));
    expect(e.code).toBe("provider_auth");
    expect(e.details).toMatchObject({ vendorCode: "APIGW.0301" });
    expect(e.message).toContain("verify aksk signature fail");
    expect(e.message).not.toContain(SK);
  });

  it("an X-Sdk-Date more than 15 minutes off is provider_auth", async () => {
    const skewed = provider(f, {}, testProviderDeps({ clock: () => Date.now() - 20 * 60_000 }));
    const e = await failure(skewed.get("a.example.com", "A", ctx()));
    expect(e.code).toBe("provider_auth");
    expect(e.message).toContain("15 minutes");
  });

  it("maps codes without a reply too", () => {
    expect(huaweiErrorCode(401, undefined)).toBe("provider_auth");
    expect(huaweiErrorCode(429, undefined)).toBe("provider_rate_limited");
    expect(huaweiErrorCode(400, "DNS.1206")).toBe("provider_zone_not_found");
  });
});

describe("huaweicloud settings", () => {
  it.each([
    [{ access_key: "", secret_key: "k" }, "access_key"],
    [{ access_key: "AK 1", secret_key: "k" }, "access_key"],
    [{ access_key: "AK1", secret_key: "" }, "secret_key"],
    [{ access_key: "AK1", secret_key: "k", ttl: 0 }, "ttl"],
    [{ access_key: "AK1", secret_key: "k", zone: "a b" }, "zone"],
    [{ access_key: "AK1", secret_key: "k", project_id: "x/y" }, "project_id"],
    [{ access_key: "AK1", secret_key: "k", endpoint: "ftp://dns.myhuaweicloud.com" }, "endpoint"],
    [{ access_key: "AK1", secret_key: "k", region: "cn-north-4" }, ""],
  ])("refuses %j (names %s)", (input, key) => {
    const r = huaweicloudProvider.settings.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(key);
  });

  it("defaults: the global endpoint and TTL 300", () => {
    expect(
      huaweicloudProvider.settings.parse({ access_key: "AK1", secret_key: "k", zone: "Example.com." }),
    ).toEqual({
      access_key: "AK1",
      secret_key: "k",
      endpoint: "https://dns.myhuaweicloud.com/",
      zone: "example.com",
      ttl: 300,
    });
  });
});
