// The gandi provider against the fake LiveDNS API (testing/fakes/gandi.ts), which checks the
// personal-access-token header, JSON bodies, the TTL range and TXT quoting, and answers with Gandi's
// {code, message, object, cause} errors. Peeks read the fake's records directly.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError } from "../core/errors.js";
import type { VendorError } from "./errors.js";
import { gandiProvider, type GandiSettings } from "./gandi.js";
import { runProviderContract } from "./testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "./testing/deps.js";
import { json } from "./testing/fake-vendor.js";
import { startFakeGandi, type FakeGandi } from "./testing/fakes/gandi.js";
import { peekZones } from "./testing/zones-peek.js";
import type { CallContext, Provider, ProviderRecordType, ProviderRRSet } from "./types.js";

const TOKEN = "pat_0123456789abcdef0123456789abcdef";
const READ_ONLY = "pat_read_only";
const ZONE = "example.com";
const ctx = (): CallContext => ({ signal: AbortSignal.timeout(15_000) });

function provider(fake: FakeGandi, over: Record<string, unknown> = {}): Provider {
  const settings: GandiSettings = gandiProvider.settings.parse({
    api_token: TOKEN,
    endpoint: fake.url,
    ...over,
  });
  return gandiProvider.create("gandi1", settings, testProviderDeps());
}

/** The fake's set, TXT unquoted by a deliberately naive reader (not the provider's). */
function peek(fake: FakeGandi, fqdn: string, type: ProviderRecordType): ProviderRRSet | undefined {
  const set = peekZones(fake.zones, fqdn, type);
  if (set === undefined || type !== "TXT") return set;
  const values = set.values.map((v) => v.replace(/^"(.*)"$/s, "$1").replace(/\\(.)/g, "$1")).sort();
  return { ...set, values };
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

runProviderContract("gandi (domain found by name)", async () => {
  const fake = await startFakeGandi({ token: TOKEN, domains: [ZONE] });
  return {
    provider: provider(fake),
    zone: ZONE,
    peek: (fqdn, type) => Promise.resolve(peek(fake, fqdn, type)),
    wrongCredentials: provider(fake, { api_token: "pat_wrong" }),
    foreignName: "host.example.org",
    close: () => fake.close(),
  };
});

describe("gandi", () => {
  let fake: FakeGandi;
  beforeAll(async () => {
    fake = await startFakeGandi({
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

  it("sends Bearer <token> (never Apikey), our User-Agent, and PUTs {rrset_values, rrset_ttl} to the set's path", async () => {
    await provider(fake).upsert(
      { fqdn: "home.example.com", type: "A", values: ["81.2.69.142", "81.2.69.160"], ttl: 600 },
      ctx(),
    );
    for (const r of fake.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers["user-agent"]).toBe(TEST_USER_AGENT);
    }
    const put = fake.requests.find((r) => r.method === "PUT");
    expect(put?.path).toBe("/domains/example.com/records/home/A");
    expect(put?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(put?.body ?? "")).toEqual({
      rrset_values: ["81.2.69.142", "81.2.69.160"],
      rrset_ttl: 600,
    });
  });

  it("the apex is @, and a delegated sub-domain wins over its parent", async () => {
    await provider(fake).upsert(
      { fqdn: "sub.example.com", type: "A", values: ["81.2.69.1"], ttl: 300 },
      ctx(),
    );
    expect(fake.requests.find((r) => r.method === "PUT")?.path).toBe("/domains/sub.example.com/records/@/A");
  });

  it("TXT values go quoted and escaped, and read back exactly", async () => {
    const p = provider(fake);
    const values = ['say "hi" \\ there', "v=spf1 -all"];
    await p.upsert({ fqdn: "_acme-challenge.example.com", type: "TXT", values, ttl: 300 }, ctx());
    const put = fake.requests.find((r) => r.method === "PUT");
    expect((JSON.parse(put?.body ?? "") as { rrset_values: string[] }).rrset_values).toEqual([
      '"say \\"hi\\" \\\\ there"',
      '"v=spf1 -all"',
    ]);
    expect((await p.get("_acme-challenge.example.com", "TXT", ctx()))?.values).toEqual(values);
  });

  it("a TTL under 300 is raised to 300 and then compares as unchanged", async () => {
    const p = provider(fake);
    await p.upsert({ fqdn: "short.example.com", type: "A", values: ["81.2.69.1"], ttl: 60 }, ctx());
    expect(peek(fake, "short.example.com", "A")?.ttl).toBe(300);
    expect(
      await p.upsert({ fqdn: "short.example.com", type: "A", values: ["81.2.69.1"], ttl: 60 }, ctx()),
    ).toBe("unchanged");
  });

  it("a write without a TTL keeps the held TTL; a new set gets the ttl setting, else 10800", async () => {
    fake.zones.add(ZONE, { name: "keep.example.com", type: "A", content: "81.2.69.1", ttl: 7200, extra: {} });
    await provider(fake).upsert(
      { fqdn: "keep.example.com", type: "A", values: ["81.2.69.2"], ttl: undefined },
      ctx(),
    );
    expect(peek(fake, "keep.example.com", "A")).toEqual({ type: "A", ttl: 7200, values: ["81.2.69.2"] });
    await provider(fake).upsert(
      { fqdn: "new.example.com", type: "A", values: ["81.2.69.2"], ttl: undefined },
      ctx(),
    );
    expect(peek(fake, "new.example.com", "A")?.ttl).toBe(10_800);
    await provider(fake, { ttl: 900 }).upsert(
      { fqdn: "new2.example.com", type: "A", values: ["81.2.69.2"], ttl: undefined },
      ctx(),
    );
    expect(peek(fake, "new2.example.com", "A")?.ttl).toBe(900);
  });

  describe("errors", () => {
    const write = (p: Provider, fqdn = "err.example.com") =>
      p.upsert({ fqdn, type: "A", values: ["81.2.69.1"], ttl: 300 }, ctx());

    it("a wrong token is provider_auth with Gandi's message, never the token", async () => {
      const e = await failure(write(provider(fake, { api_token: "pat_wrong_secret" })));
      expect(e.code).toBe("provider_auth");
      expect(e.message).toContain("could not verify that you are authorized");
      expect(e.message).not.toContain("pat_wrong_secret");
      expect((e.cause as VendorError).vendorCode).toBe("HTTPUnauthorized");
    });

    it("a token without the DNS permission writing is provider_permission", async () => {
      const e = await failure(write(provider(fake, { api_token: READ_ONLY })));
      expect(e.code).toBe("provider_permission");
      expect(e.message).toContain("Access was denied");
    });

    it("a domain LiveDNS does not hold is provider_zone_not_found (configured or walked)", async () => {
      expect((await failure(write(provider(fake, { zone: "example.org" }), "a.example.org"))).code).toBe(
        "provider_zone_not_found",
      );
      expect((await failure(write(provider(fake), "a.example.org"))).code).toBe("provider_zone_not_found");
      expect((await failure(write(provider(fake, { zone: ZONE }), "a.example.org"))).code).toBe(
        "provider_zone_not_found",
      );
      expect(fake.requests.some((r) => r.method === "PUT")).toBe(false);
    });

    it("400 with field errors is provider_rejected naming the field", async () => {
      const p = provider(fake, { zone: ZONE });
      fake.failAll(
        json(400, {
          code: 400,
          message: "Bad Request",
          object: "HTTPBadRequest",
          cause: "",
          errors: [{ location: "body", name: "rrset_values", description: "Invalid value" }],
        }),
      );
      const e = await failure(write(p));
      fake.failAll(undefined);
      expect(e.code).toBe("provider_rejected");
      expect(e.message).toContain("rrset_values: Invalid value");
    });

    it("429 with Retry-After is provider_rate_limited with the wait", async () => {
      fake.failNext(
        json(
          429,
          { code: 429, message: "Too Many Requests", object: "HTTPTooManyRequests", cause: "" },
          { "retry-after": "12" },
        ),
      );
      const e = await failure(provider(fake, { zone: ZONE }).get("x.example.com", "A", ctx()));
      expect(e.code).toBe("provider_rate_limited");
      expect(e.details).toMatchObject({ retryAfterMs: 12_000 });
    });

    it("5xx (JSON or HTML) is provider_unavailable; non-JSON 200 or a wrong shape is malformed_reply", async () => {
      const p = provider(fake, { zone: ZONE });
      fake.failNext(
        json(503, { code: 503, message: "Service Unavailable", object: "HTTPServiceUnavailable", cause: "" }),
      );
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("provider_unavailable");
      fake.failNext({ status: 502, body: "<html>bad gateway</html>" });
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("provider_unavailable");
      fake.failNext({ status: 200, body: "not json" });
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
      fake.failNext(json(200, { rrset_type: "A", rrset_values: "81.2.69.1" }));
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
      fake.failNext(json(200, { rrset_type: "A", rrset_ttl: 300, rrset_values: ["not-an-ip"] }));
      expect((await failure(p.get("x.example.com", "A", ctx()))).code).toBe("malformed_reply");
    });

    it("a set deleted by someone else meanwhile counts as deleted", async () => {
      fake.zones.add(ZONE, {
        name: "gone.example.com",
        type: "A",
        content: "81.2.69.1",
        ttl: 300,
        extra: {},
      });
      const p = provider(fake, { zone: ZONE });
      const gone = json(404, {
        code: 404,
        message: "Can't find the DNS record",
        object: "dns-record",
        cause: "Not Found",
      });
      await p.get("gone.example.com", "A", ctx());
      fake.zones.list(ZONE).length = 0;
      fake.failNext(json(200, { rrset_type: "A", rrset_ttl: 300, rrset_values: ["81.2.69.1"] }));
      fake.failNext(gone);
      expect(await p.delete("gone.example.com", "A", ctx())).toBe("changed");
    });
  });

  describe("settings", () => {
    it.each([
      ["a TTL under Gandi's 300", { ttl: 120 }],
      ["a zone that is not a name", { zone: "not a zone" }],
      ["credentials in the endpoint", { endpoint: "https://u:p@api.gandi.net/v5/livedns" }],
      ["an API key setting (deprecated; only personal access tokens)", { api_key: "abc" }],
    ])("refuses %s", (_name, over) => {
      expect(gandiProvider.settings.safeParse({ api_token: TOKEN, ...over }).success).toBe(false);
    });
  });
});
