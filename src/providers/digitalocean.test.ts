// The digitalocean provider against the fake DigitalOcean API (testing/fakes/digitalocean.ts), which
// checks the bearer token, scopes, relative record names, the full-name list filter, TTL ≥ 30, and
// paginates with links.pages.next. Peeks read the fake's records directly.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError } from "../core/errors.js";
import { canonicalValues } from "../core/records.js";
import { digitaloceanProvider, type DigitalOceanSettings } from "./digitalocean.js";
import type { VendorError } from "./errors.js";
import { runProviderContract } from "./testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "./testing/deps.js";
import { json } from "./testing/fake-vendor.js";
import { startFakeDigitalOcean, type FakeDigitalOcean } from "./testing/fakes/digitalocean.js";
import type { CallContext, Provider, ProviderRecordType, ProviderRRSet } from "./types.js";

const TOKEN = "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const READ_ONLY = "dop_v1_readonly";
const ZONE = "example.com";
const ctx = (): CallContext => ({ signal: AbortSignal.timeout(15_000) });

function provider(fake: FakeDigitalOcean, over: Record<string, unknown> = {}, now?: number): Provider {
  const settings: DigitalOceanSettings = digitaloceanProvider.settings.parse({
    api_token: TOKEN,
    endpoint: fake.url,
    ...over,
  });
  return digitaloceanProvider.create(
    "do1",
    settings,
    testProviderDeps(now === undefined ? {} : { clock: () => now }),
  );
}

function peek(fake: FakeDigitalOcean, fqdn: string, type: ProviderRecordType): ProviderRRSet | undefined {
  const zone = fake.zones.zoneOf(fqdn);
  const recs = zone === undefined ? [] : fake.zones.find(zone, fqdn, type);
  if (recs.length === 0) return undefined;
  return {
    type,
    ttl: Math.min(...recs.map((r) => r.ttl)),
    values: canonicalValues(
      type,
      recs.map((r) => r.content),
    ),
  };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (!isBeaconError(e)) throw e;
    return e;
  }
  throw new Error("expected a rejection");
}

runProviderContract("digitalocean (domain found by name)", async () => {
  const fake = await startFakeDigitalOcean({ token: TOKEN, domains: [ZONE] });
  return {
    provider: provider(fake),
    zone: ZONE,
    peek: (fqdn, type) => Promise.resolve(peek(fake, fqdn, type)),
    wrongCredentials: provider(fake, { api_token: "dop_v1_wrong" }),
    foreignName: "host.example.org",
    close: () => fake.close(),
  };
});

runProviderContract("digitalocean (zone configured)", async () => {
  const fake = await startFakeDigitalOcean({ token: TOKEN, domains: [ZONE] });
  return {
    provider: provider(fake, { zone: ZONE }),
    zone: ZONE,
    peek: (fqdn, type) => Promise.resolve(peek(fake, fqdn, type)),
    wrongCredentials: provider(fake, { zone: ZONE, api_token: "dop_v1_wrong" }),
    foreignName: "host.example.org",
    close: () => fake.close(),
  };
});

describe("digitalocean", () => {
  let fake: FakeDigitalOcean;
  beforeAll(async () => {
    fake = await startFakeDigitalOcean({
      token: TOKEN,
      readOnlyToken: READ_ONLY,
      domains: [ZONE, "sub.example.com"],
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.failAll(undefined);
    for (const z of [ZONE, "sub.example.com"]) fake.zones.list(z).length = 0;
  });

  it("sends the token and our User-Agent, filters by full name, and creates with a relative name", async () => {
    await provider(fake).upsert(
      { fqdn: "home.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 },
      ctx(),
    );
    for (const r of fake.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers["user-agent"]).toBe(TEST_USER_AGENT);
    }
    const listReq = fake.requests.find((r) => r.method === "GET" && r.path.endsWith("/records"));
    expect(listReq?.query.get("name")).toBe("home.example.com");
    expect(listReq?.query.get("type")).toBe("A");
    const post = fake.requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/domains/example.com/records");
    expect(JSON.parse(post?.body ?? "")).toEqual({ type: "A", name: "home", data: "81.2.69.142", ttl: 300 });
  });

  it("the apex is written as @ and a delegated sub-domain wins over its parent", async () => {
    const p = provider(fake);
    await p.upsert({ fqdn: "sub.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    expect(fake.zones.find("sub.example.com", "sub.example.com", "A")).toHaveLength(1);
    const body = JSON.parse(fake.requests.find((r) => r.method === "POST")?.body ?? "") as { name?: string };
    expect(body.name).toBe("@");
  });

  it("follows links.pages.next (which names DigitalOcean's host) by page number, on the configured endpoint", async () => {
    const small = await startFakeDigitalOcean({ token: TOKEN, domains: [ZONE], maxPerPage: 2 });
    try {
      const values = ["81.2.69.1", "81.2.69.2", "81.2.69.3"];
      for (const v of values)
        small.zones.add(ZONE, { name: "many.example.com", type: "A", content: v, ttl: 60, extra: {} });
      expect((await provider(small, { zone: ZONE }).get("many.example.com", "A", ctx()))?.values).toEqual(
        values,
      );
      expect(small.requests.map((r) => r.query.get("page"))).toEqual(["1", "2"]);
    } finally {
      await small.close();
    }
  });

  it("updates in place with PATCH {data, ttl}; other fields and the record id are kept", async () => {
    const rec = fake.zones.add(ZONE, {
      name: "home.example.com",
      type: "A",
      content: "81.2.69.1",
      ttl: 900,
      extra: { tag: null, weight: 5 },
    });
    await provider(fake).upsert(
      { fqdn: "home.example.com", type: "A", values: ["81.2.69.2"], ttl: undefined },
      ctx(),
    );
    const now = fake.zones.find(ZONE, "home.example.com", "A");
    expect(now).toEqual([{ ...rec, content: "81.2.69.2", ttl: 900, extra: { tag: null, weight: 5 } }]);
    const patch = fake.requests.find((r) => r.method === "PATCH");
    expect(JSON.parse(patch?.body ?? "")).toEqual({ data: "81.2.69.2", ttl: 900 });
  });

  it("TXT is sent as plain text and reads back exactly; a TTL under 30 is raised to 30", async () => {
    const p = provider(fake);
    const value = 'v=spf1 include:_spf.example.net "quoted" ~all';
    await p.upsert({ fqdn: "t.example.com", type: "TXT", values: [value], ttl: 10 }, ctx());
    expect(fake.zones.find(ZONE, "t.example.com", "TXT")[0]).toMatchObject({ content: value, ttl: 30 });
    expect(await p.get("t.example.com", "TXT", ctx())).toEqual({ type: "TXT", ttl: 30, values: [value] });
    expect(await p.upsert({ fqdn: "t.example.com", type: "TXT", values: [value], ttl: 10 }, ctx())).toBe(
      "unchanged",
    );
  });

  it("a new record without a TTL gets DigitalOcean's default 1800", async () => {
    await provider(fake).upsert(
      { fqdn: "d.example.com", type: "A", values: ["81.2.69.1"], ttl: undefined },
      ctx(),
    );
    expect(peek(fake, "d.example.com", "A")?.ttl).toBe(1800);
  });

  describe("errors", () => {
    const write = (p: Provider, fqdn = "err.example.com") =>
      p.upsert({ fqdn, type: "A", values: ["81.2.69.1"], ttl: 300 }, ctx());

    it("a wrong token is provider_auth with DigitalOcean's words and id, never the token", async () => {
      const e = await failure(write(provider(fake, { api_token: "dop_v1_wrong_secret" })));
      expect(e.code).toBe("provider_auth");
      expect(e.message).toContain("Unable to authenticate you");
      expect(e.message).not.toContain("dop_v1_wrong_secret");
      expect((e.cause as VendorError).vendorCode).toBe("Unauthorized");
    });

    it("a read-only token writing is provider_permission", async () => {
      const e = await failure(write(provider(fake, { api_token: READ_ONLY })));
      expect(e.code).toBe("provider_permission");
      expect(e.message).toContain("not authorized");
    });

    it("429 with Retry-After, or with only RateLimit-Reset, is provider_rate_limited with the wait", async () => {
      fake.failNext(
        json(429, { id: "too_many_requests", message: "API Rate limit exceeded." }, { "retry-after": "3" }),
      );
      const a = await failure(provider(fake).get("x.example.com", "A", ctx()));
      expect(a.code).toBe("provider_rate_limited");
      expect(a.details).toMatchObject({ retryAfterMs: 3000, vendorCode: "too_many_requests" });
      const now = 1_700_000_000_000;
      fake.failNext(
        json(
          429,
          { id: "too_many_requests", message: "API Rate limit exceeded." },
          { "ratelimit-reset": String(now / 1000 + 42) },
        ),
      );
      const b = await failure(provider(fake, {}, now).get("x.example.com", "A", ctx()));
      expect(b.details).toMatchObject({ retryAfterMs: 42_000 });
    });

    it("a domain not in the account (zone setting) is provider_zone_not_found", async () => {
      const e = await failure(write(provider(fake, { zone: "example.org" }), "a.example.org"));
      expect(e.code).toBe("provider_zone_not_found");
      expect(e.message).toContain("could not be found");
      const outside = await failure(write(provider(fake, { zone: ZONE }), "a.example.org"));
      expect(outside.code).toBe("provider_zone_not_found");
      expect(fake.requests.some((r) => r.method === "POST")).toBe(false);
    });

    it("422 (DigitalOcean refuses the record) is provider_rejected with its message", async () => {
      const p = provider(fake, { zone: ZONE });
      fake.failAll(
        json(422, { id: "unprocessable_entity", message: "Name Only valid hostname characters are allowed" }),
      );
      const e = await failure(write(p));
      fake.failAll(undefined);
      expect(e.code).toBe("provider_rejected");
      expect(e.message).toContain("Only valid hostname characters");
    });

    it("5xx (JSON or an HTML page) is provider_unavailable; a non-JSON 200 or a wrong shape is malformed_reply", async () => {
      const p = provider(fake, { zone: ZONE });
      fake.failNext(json(500, { id: "server_error", message: "Server Error" }));
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("provider_unavailable");
      fake.failNext({ status: 503, body: "<html>maintenance</html>" });
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("provider_unavailable");
      fake.failNext({ status: 200, body: "<html>portal</html>" });
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
      fake.failNext(json(200, { domain_records: [{ id: "x", type: "A", data: "81.2.69.1" }] }));
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
      fake.failNext(
        json(200, { domain_records: [], links: { pages: { next: "https://elsewhere/?page=1" } } }),
      );
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
    });

    it("a record deleted by someone else meanwhile counts as deleted", async () => {
      fake.zones.add(ZONE, { name: "gone.example.com", type: "A", content: "81.2.69.1", ttl: 60, extra: {} });
      const p = provider(fake, { zone: ZONE });
      fake.failNext(json(200, { domain_records: [{ id: 999, type: "A", data: "81.2.69.1", ttl: 60 }] }));
      expect(await p.delete("gone.example.com", "A", ctx())).toBe("changed");
    });
  });

  describe("settings", () => {
    it.each([
      ["a zone that is not a name", { zone: "not a zone" }],
      ["credentials in the endpoint", { endpoint: "https://u:p@api.digitalocean.com/v2" }],
      ["an unknown setting", { domain_id: 1 }],
      ["an empty token", { api_token: "" }],
    ])("refuses %s", (_name, over) => {
      expect(digitaloceanProvider.settings.safeParse({ api_token: TOKEN, ...over }).success).toBe(false);
    });
  });
});
