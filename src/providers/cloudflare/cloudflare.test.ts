// The cloudflare provider against the fake Cloudflare API (testing/fakes/cloudflare.ts), which checks
// the bearer token, content types, record validation and paginates like v4. Peeks read the fake's
// records directly, so the provider cannot pass by agreeing with itself.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError } from "../../core/errors.js";
import { canonicalValues } from "../../core/records.js";
import { createHttpRequest } from "../../net/http-request.js";
import type { HttpRequest } from "../../net/http.js";
import { cloudflareProvider, type CloudflareSettings } from "./cloudflare.js";
import { VendorError } from "../errors.js";
import { runProviderContract } from "../testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "../testing/deps.js";
import { json } from "../testing/fake-vendor.js";
import { startFakeCloudflare, type FakeCloudflare } from "../testing/fakes/cloudflare.js";
import type { CallContext, Provider, ProviderRecordType, ProviderRRSet } from "../types.js";

const TOKEN = "Yt9x_token-for-tests_0123456789abcdefABCD";
const ZONE = "example.com";
const ctx = (): CallContext => ({ signal: AbortSignal.timeout(15_000) });

function provider(fake: FakeCloudflare, over: Record<string, unknown> = {}, http?: HttpRequest): Provider {
  const settings: CloudflareSettings = cloudflareProvider.settings.parse({
    api_token: TOKEN,
    endpoint: fake.url,
    ...over,
  });
  return cloudflareProvider.create(
    "cf1",
    settings,
    testProviderDeps(http === undefined ? {} : { httpRequest: http }),
  );
}

/** The set the fake holds, read from its records (TXT unquoted by a deliberately naive reader). */
function peek(fake: FakeCloudflare, fqdn: string, type: ProviderRecordType): ProviderRRSet | undefined {
  const zone = fake.zones.zoneOf(fqdn);
  const recs = zone === undefined ? [] : fake.zones.find(zone, fqdn, type);
  if (recs.length === 0) return undefined;
  const values = recs.map((r) =>
    type === "TXT" ? r.content.replace(/^"(.*)"$/s, "$1").replace(/\\(.)/g, "$1") : r.content,
  );
  const ttl = Math.min(...recs.map((r) => (r.ttl === 1 ? 300 : r.ttl)));
  return { type, ttl, values: canonicalValues(type, values) };
}

async function failure(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details: unknown; cause: unknown }> {
  try {
    await p;
  } catch (e) {
    if (!isBeaconError(e)) throw e;
    return { code: e.code, message: e.message, details: e.details, cause: e.cause };
  }
  throw new Error("expected a rejection");
}

runProviderContract("cloudflare (zone found by name)", async () => {
  const fake = await startFakeCloudflare({ token: TOKEN, zones: [ZONE, "example.net"] });
  return {
    provider: provider(fake),
    zone: ZONE,
    peek: (fqdn, type) => Promise.resolve(peek(fake, fqdn, type)),
    wrongCredentials: provider(fake, { api_token: "not-the-token" }),
    foreignName: "host.example.org",
    close: () => fake.close(),
  };
});

runProviderContract("cloudflare (zone_id configured)", async () => {
  const fake = await startFakeCloudflare({ token: TOKEN, zones: [ZONE] });
  return {
    provider: provider(fake, { zone_id: fake.zoneId(ZONE) }),
    zone: ZONE,
    peek: (fqdn, type) => Promise.resolve(peek(fake, fqdn, type)),
    wrongCredentials: provider(fake, { zone_id: fake.zoneId(ZONE), api_token: "not-the-token" }),
    foreignName: "host.example.org",
    close: () => fake.close(),
  };
});

describe("cloudflare", () => {
  let fake: FakeCloudflare;
  beforeAll(async () => {
    fake = await startFakeCloudflare({ token: TOKEN, zones: [ZONE, "sub.example.com"], maxPerPage: 5 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.failAll(undefined);
    for (const z of [ZONE, "sub.example.com"]) fake.zones.list(z).length = 0;
  });

  describe("requests", () => {
    it("sends the bearer token, our User-Agent, JSON bodies with the full name, and TXT content quoted", async () => {
      const p = provider(fake);
      await p.upsert(
        { fqdn: "home.example.com", type: "TXT", values: ['say "hi" \\ there'], ttl: 120 },
        ctx(),
      );
      expect(fake.requests.length).toBeGreaterThan(0);
      for (const r of fake.requests) {
        expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
        expect(r.headers["user-agent"]).toBe(TEST_USER_AGENT);
      }
      const post = fake.requests.find((r) => r.method === "POST");
      expect(post?.path).toBe(`/zones/${fake.zoneId(ZONE)}/dns_records`);
      expect(post?.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(post?.body ?? "")).toEqual({
        type: "TXT",
        name: "home.example.com",
        content: '"say \\"hi\\" \\\\ there"',
        ttl: 120,
      });
      expect(await p.get("home.example.com", "TXT", ctx())).toEqual({
        type: "TXT",
        ttl: 120,
        values: ['say "hi" \\ there'],
      });
    });

    it("lists by exact name and type, and finds a delegated sub-zone before its parent (cached)", async () => {
      const p = provider(fake);
      await p.upsert({ fqdn: "a.sub.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
      expect(fake.zones.find("sub.example.com", "a.sub.example.com", "A")).toHaveLength(1);
      expect(fake.zones.find(ZONE, "a.sub.example.com", "A")).toHaveLength(0);
      const list = fake.requests.find((r) => r.path.endsWith("/dns_records") && r.method === "GET");
      expect(list?.query.get("name")).toBe("a.sub.example.com");
      expect(list?.query.get("type")).toBe("A");
      const zoneLookups = () =>
        fake.requests.filter((r) => r.path === "/zones").map((r) => r.query.get("name"));
      expect(zoneLookups()).toEqual(["a.sub.example.com", "sub.example.com"]);
      await p.get("b.sub.example.com", "A", ctx());
      expect(zoneLookups()).toEqual(["a.sub.example.com", "sub.example.com", "b.sub.example.com"]);
      await p.get("a.sub.example.com", "A", ctx());
      expect(zoneLookups()).toHaveLength(3);
    });

    it("reads every page of a long list (result_info.total_pages)", async () => {
      const values = Array.from({ length: 7 }, (_, i) => `81.2.69.${10 + i}`);
      for (const v of values)
        fake.zones.add(ZONE, { name: "many.example.com", type: "A", content: v, ttl: 300, extra: {} });
      const got = await provider(fake).get("many.example.com", "A", ctx());
      expect(got?.values).toEqual(canonicalValues("A", values));
      expect(
        fake.requests.filter((r) => r.path.endsWith("/dns_records")).map((r) => r.query.get("page")),
      ).toEqual(["1", "2"]);
    });
  });

  describe("vendor settings Beacon does not manage", () => {
    it("an update keeps the record (same id), its proxied flag, comment and tags; only content is patched", async () => {
      const rec = fake.zones.add(ZONE, {
        name: "home.example.com",
        type: "A",
        content: "81.2.69.1",
        ttl: 1,
        extra: { proxied: true, comment: "front door", tags: ["team:web"] },
      });
      const p = provider(fake, { proxied: false });
      expect(
        await p.upsert({ fqdn: "home.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx()),
      ).toBe("changed");
      const now = fake.zones.find(ZONE, "home.example.com", "A");
      expect(now).toHaveLength(1);
      expect(now[0]).toMatchObject({ id: rec.id, content: "81.2.69.142", ttl: 1 });
      expect(now[0]?.extra).toMatchObject({ proxied: true, comment: "front door", tags: ["team:web"] });
      const patch = fake.requests.find((r) => r.method === "PATCH");
      expect(JSON.parse(patch?.body ?? "")).toEqual({ content: "81.2.69.142" });
      expect(fake.requests.some((r) => r.method === "PUT" || r.method === "DELETE")).toBe(false);
      // A proxied record's TTL is always automatic: asking for 600 again is not a change.
      expect(
        await p.upsert({ fqdn: "home.example.com", type: "A", values: ["81.2.69.142"], ttl: 600 }, ctx()),
      ).toBe("unchanged");
    });

    it("a write without a TTL keeps the TTL the record has, and patches content only with that TTL", async () => {
      fake.zones.add(ZONE, {
        name: "keep.example.com",
        type: "A",
        content: "81.2.69.1",
        ttl: 600,
        extra: {},
      });
      const p = provider(fake);
      await p.upsert({ fqdn: "keep.example.com", type: "A", values: ["81.2.69.2"], ttl: undefined }, ctx());
      expect(peek(fake, "keep.example.com", "A")).toEqual({ type: "A", ttl: 600, values: ["81.2.69.2"] });
    });

    it("automatic TTL (1) reads as 300; writing 300 over it is unchanged; a new record without TTL is automatic", async () => {
      fake.zones.add(ZONE, { name: "auto.example.com", type: "A", content: "81.2.69.1", ttl: 1, extra: {} });
      const p = provider(fake);
      expect(await p.get("auto.example.com", "A", ctx())).toEqual({
        type: "A",
        ttl: 300,
        values: ["81.2.69.1"],
      });
      fake.requests.length = 0;
      expect(
        await p.upsert({ fqdn: "auto.example.com", type: "A", values: ["81.2.69.1"], ttl: 300 }, ctx()),
      ).toBe("unchanged");
      expect(fake.requests.filter((r) => r.method !== "GET")).toEqual([]);
      await p.upsert({ fqdn: "new.example.com", type: "A", values: ["81.2.69.1"], ttl: undefined }, ctx());
      expect(fake.zones.find(ZONE, "new.example.com", "A")[0]?.ttl).toBe(1);
    });

    it("the ttl setting applies to writes without one; a TTL under Cloudflare's minimum is raised to 60", async () => {
      await provider(fake, { ttl: 900 }).upsert(
        { fqdn: "set.example.com", type: "A", values: ["81.2.69.1"], ttl: undefined },
        ctx(),
      );
      expect(fake.zones.find(ZONE, "set.example.com", "A")[0]?.ttl).toBe(900);
      const p = provider(fake);
      await p.upsert({ fqdn: "short.example.com", type: "A", values: ["81.2.69.1"], ttl: 30 }, ctx());
      expect(fake.zones.find(ZONE, "short.example.com", "A")[0]?.ttl).toBe(60);
      expect(
        await p.upsert({ fqdn: "short.example.com", type: "A", values: ["81.2.69.1"], ttl: 30 }, ctx()),
      ).toBe("unchanged");
    });

    it("proxied: true proxies new address records only (never TXT)", async () => {
      const p = provider(fake, { proxied: true, ttl: 600 });
      await p.upsert({ fqdn: "px.example.com", type: "A", values: ["81.2.69.1"], ttl: undefined }, ctx());
      expect(fake.zones.find(ZONE, "px.example.com", "A")[0]).toMatchObject({
        ttl: 1,
        extra: { proxied: true },
      });
      await p.upsert({ fqdn: "px.example.com", type: "TXT", values: ["hello"], ttl: undefined }, ctx());
      expect(fake.zones.find(ZONE, "px.example.com", "TXT")[0]?.extra.proxied).toBe(false);
    });

    it("TXT content stored unquoted (older records) reads back whole, spaces included", async () => {
      fake.zones.add(ZONE, {
        name: "old.example.com",
        type: "TXT",
        content: "v=spf1 -all",
        ttl: 300,
        extra: {},
      });
      expect((await provider(fake).get("old.example.com", "TXT", ctx()))?.values).toEqual(["v=spf1 -all"]);
    });
  });

  describe("races", () => {
    /** An HttpRequest that lets `before` act (as another writer would) ahead of each request. */
    function racing(before: (url: string, method: string) => void): HttpRequest {
      const real = createHttpRequest();
      return (url, opts) => {
        before(url, opts.method ?? "GET");
        return real(url, opts);
      };
    }

    it("a record another writer created meanwhile (81058) is re-read, and the set still ends right", async () => {
      let raced = false;
      const http = racing((_url, method) => {
        if (method !== "POST" || raced) return;
        raced = true;
        fake.zones.add(ZONE, {
          name: "race.example.com",
          type: "A",
          content: "81.2.69.142",
          ttl: 300,
          extra: {},
        });
      });
      const p = provider(fake, {}, http);
      expect(
        await p.upsert({ fqdn: "race.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx()),
      ).toBe("changed");
      expect(fake.zones.find(ZONE, "race.example.com", "A")).toHaveLength(1);
    });

    it("a conflict that persists is provider_conflict with Cloudflare's words", async () => {
      const conflict = json(400, {
        success: false,
        errors: [{ code: 81058, message: "An identical record already exists." }],
        messages: [],
        result: null,
      });
      const http = racing((_url, method) => {
        if (method === "POST") fake.failNext(conflict);
      });
      const e = await failure(
        provider(fake, {}, http).upsert(
          { fqdn: "conflict.example.com", type: "A", values: ["81.2.69.1"], ttl: 300 },
          ctx(),
        ),
      );
      expect(e.code).toBe("provider_conflict");
      expect(e.message).toContain("An identical record already exists.");
      expect(e.message).toContain("81058");
    });

    it("a record deleted by someone else while we delete it (81044) counts as deleted", async () => {
      fake.zones.add(ZONE, {
        name: "gone.example.com",
        type: "A",
        content: "81.2.69.1",
        ttl: 300,
        extra: {},
      });
      const http = racing((url, method) => {
        if (method === "DELETE") fake.zones.remove(ZONE, url.split("/").pop() ?? "");
      });
      expect(await provider(fake, {}, http).delete("gone.example.com", "A", ctx())).toBe("changed");
    });
  });

  describe("errors", () => {
    const cf = (status: number, errors: unknown[], headers: Record<string, string> = {}) =>
      json(status, { success: false, errors, messages: [], result: null }, headers);
    const write = (p: Provider) =>
      p.upsert({ fqdn: "err.example.com", type: "A", values: ["81.2.69.1"], ttl: 300 }, ctx());

    it("an unknown token (403 9109) is provider_auth quoting Cloudflare, never the token", async () => {
      const e = await failure(write(provider(fake, { api_token: "wrong-token-value" })));
      expect(e.code).toBe("provider_auth");
      expect(e.message).toContain("Invalid access token");
      expect(e.message).not.toContain("wrong-token-value");
      expect(e.cause).toBeInstanceOf(VendorError);
      expect((e.cause as VendorError).vendorCode).toBe("9109");
    });

    it.each([
      [
        "400 6003 with 6111 in the chain",
        400,
        [
          {
            code: 6003,
            message: "Invalid request headers",
            error_chain: [{ code: 6111, message: "Invalid format for Authorization header" }],
          },
        ],
        "provider_auth",
      ],
      [
        "403 10000 Authentication error",
        403,
        [{ code: 10000, message: "Authentication error" }],
        "provider_auth",
      ],
      ["401 without a known code", 401, [{ code: 1, message: "Unauthorized" }], "provider_auth"],
      [
        "403 with a code we do not know",
        403,
        [{ code: 12345, message: "Forbidden for this zone" }],
        "provider_permission",
      ],
      [
        "400 7003 (no such zone id)",
        400,
        [{ code: 7003, message: "Could not route to /zones/x, perhaps your object identifier is invalid?" }],
        "provider_zone_not_found",
      ],
      [
        "400 81057 Record already exists",
        400,
        [{ code: 81057, message: "Record already exists." }],
        "provider_conflict",
      ],
      ["502 in the envelope", 502, [{ code: 10013, message: "Service unavailable" }], "provider_unavailable"],
      ["400 9021 invalid TTL", 400, [{ code: 9021, message: "Invalid TTL." }], "provider_rejected"],
      [
        "400 6003 with 6105 (content type), not auth",
        400,
        [
          {
            code: 6003,
            message: "Invalid request headers",
            error_chain: [{ code: 6105, message: "Invalid Content-Type header" }],
          },
        ],
        "provider_rejected",
      ],
    ])("%s → %s", async (_name, status, errors, code) => {
      fake.failAll(cf(status, errors));
      const e = await failure(write(provider(fake)));
      fake.failAll(undefined);
      expect(e.code).toBe(code);
      expect(e.message).toContain((errors[0] as { message: string }).message);
    });

    it("429 / 971 is provider_rate_limited with Retry-After in details.retryAfterMs", async () => {
      fake.failNext(
        cf(429, [{ code: 971, message: "Please wait and consider throttling your request speed" }], {
          "retry-after": "7",
        }),
      );
      const e = await failure(provider(fake).get("x.example.com", "A", ctx()));
      expect(e.code).toBe("provider_rate_limited");
      expect(e.details).toMatchObject({ retryAfterMs: 7000, vendorCode: "971" });
      expect(e.message).toContain("throttling");
    });

    it("an HTML error page from the edge (503) is provider_unavailable; a non-JSON 200 is malformed_reply", async () => {
      fake.failNext({
        status: 503,
        headers: { "content-type": "text/html" },
        body: "<html>cloudflare down</html>",
      });
      expect((await failure(provider(fake).get("x.example.com", "A", ctx()))).code).toBe(
        "provider_unavailable",
      );
      fake.failNext({ status: 200, body: "<html>captive portal</html>" });
      expect((await failure(provider(fake).get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
    });

    it("wrong shapes are malformed_reply: result not a list, a record without id, an A record holding a name", async () => {
      const p = provider(fake, { zone_id: fake.zoneId(ZONE) });
      await p.get("x.example.com", "A", ctx()); // zone cached
      fake.failNext(json(200, { success: true, errors: [], messages: [], result: { not: "a list" } }));
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
      fake.failNext(
        json(200, {
          success: true,
          errors: [],
          messages: [],
          result: [{ type: "A", content: "81.2.69.1", ttl: 1 }],
        }),
      );
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
      fake.zones.add(ZONE, {
        name: "x.example.com",
        type: "A",
        content: "host.example.net",
        ttl: 1,
        extra: {},
      });
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
    });

    it("success:false in a 200 is provider_rejected with Cloudflare's message", async () => {
      fake.failNext(cf(200, [{ code: 1004, message: "DNS Validation Error" }]));
      const e = await failure(provider(fake).get("x.example.com", "A", ctx()));
      expect(e.code).toBe("provider_rejected");
      expect(e.message).toContain("DNS Validation Error");
    });

    it("a configured zone_id that does not hold the name is provider_zone_not_found before any write", async () => {
      const p = provider(fake, { zone_id: fake.zoneId("sub.example.com") });
      const e = await failure(write(p));
      expect(e.code).toBe("provider_zone_not_found");
      expect(fake.requests.some((r) => r.method === "POST")).toBe(false);
      const unknown = provider(fake, { zone_id: "0".repeat(32) });
      expect((await failure(write(unknown))).code).toBe("provider_zone_not_found");
    });
  });

  describe("settings", () => {
    it.each([
      ["zone_id that is not 32 hex digits", { zone_id: "example.com" }],
      ["a TTL Cloudflare refuses", { ttl: 30 }],
      ["credentials in the endpoint", { endpoint: "https://u:p@api.cloudflare.com/client/v4" }],
      ["an unknown setting", { zone: "example.com" }],
      ["a token with a space", { api_token: "two words" }],
    ])("refuses %s", (_name, over) => {
      expect(cloudflareProvider.settings.safeParse({ api_token: TOKEN, ...over }).success).toBe(false);
    });

    it("defaults the endpoint to Cloudflare's API", () => {
      expect(cloudflareProvider.settings.parse({ api_token: TOKEN }).endpoint).toBe(
        "https://api.cloudflare.com/client/v4",
      );
    });
  });
});
