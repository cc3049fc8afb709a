import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError, type BeaconError } from "../core/errors.js";
import { json } from "./testing/fake-vendor.js";
import { godaddyProvider, type GodaddySettings } from "./godaddy.js";
import { runProviderContract } from "./testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "./testing/deps.js";
import { startFakeGodaddy, type FakeGodaddy } from "./testing/fakes/godaddy.js";
import { peekZones } from "./testing/zones-peek.js";
import type { Provider, WriteRequest } from "./types.js";

const KEY = "dKz3u8_Lq9Wm2xY7aBc4dEf";
const SECRET = "Ws8xPq2LmN4vR6tY9zA1bC";
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

function make(fake: FakeGodaddy, over: Partial<Record<keyof GodaddySettings, unknown>> = {}): Provider {
  const s = godaddyProvider.settings.parse({ api_key: KEY, api_secret: SECRET, endpoint: fake.url, ...over });
  return godaddyProvider.create("gd", s, testProviderDeps());
}

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (x: unknown) => x,
  );
  if (!isBeaconError(e)) throw new Error(`not a BeaconError: ${String(e)}`);
  expect(e.message).not.toContain(SECRET);
  return e;
}

runProviderContract("godaddy → fake GoDaddy API", async () => {
  const fake = await startFakeGodaddy({ key: KEY, secret: SECRET, domains: ["example.com", "example.net"] });
  return {
    provider: make(fake),
    wrongCredentials: make(fake, { api_secret: "wrong" }),
    zone: "example.com",
    foreignName: "home.not-ours.example",
    peek: (fqdn, type) => Promise.resolve(peekZones(fake.zones, fqdn, type)),
    close: () => fake.close(),
  };
});

describe("godaddy provider against the fake", () => {
  let fake: FakeGodaddy;
  let p: Provider;
  const write = (over: Partial<WriteRequest> = {}): WriteRequest => ({
    fqdn: "home.example.com",
    type: "A",
    values: ["81.2.69.142"],
    ttl: undefined,
    ...over,
  });

  beforeAll(async () => {
    fake = await startFakeGodaddy({ key: KEY, secret: SECRET, domains: ["example.com", "example.co.uk"] });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    for (const list of fake.zones.records.values()) list.length = 0;
    fake.requests.length = 0;
    fake.failAll(undefined);
    p = make(fake);
  });

  it("sends sso-key auth, our User-Agent, and PUTs [{data, ttl}] to records/{type}/{name}", async () => {
    await p.upsert(write({ values: ["81.2.69.142", "81.2.69.160"], ttl: 900 }), ctx());
    const put = fake.requests.find((r) => r.method === "PUT");
    expect(put?.path).toBe("/v1/domains/example.com/records/A/home");
    expect(put?.headers.authorization).toBe(`sso-key ${KEY}:${SECRET}`);
    expect(put?.headers["user-agent"]).toBe(TEST_USER_AGENT);
    expect(put?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(put?.body ?? "")).toEqual([
      { data: "81.2.69.142", ttl: 900 },
      { data: "81.2.69.160", ttl: 900 },
    ]);
  });

  it("addresses the apex as @ and finds the domain by walking up, once per instance", async () => {
    await p.upsert(write({ fqdn: "example.co.uk" }), ctx());
    await p.upsert(write({ fqdn: "a.b.example.co.uk" }), ctx());
    await p.upsert(write({ fqdn: "_acme-challenge.b.example.co.uk", type: "TXT", values: ["tok"] }), ctx());
    const probes = fake.requests.filter((r) => r.method === "GET" && !r.path.includes("/records/"));
    // Longest first; a candidate already answered is not asked again; an underscore label never is.
    expect(probes.map((r) => r.path)).toEqual([
      "/v1/domains/example.co.uk",
      "/v1/domains/a.b.example.co.uk",
      "/v1/domains/b.example.co.uk",
    ]);
    expect(fake.requests.some((r) => r.path === "/v1/domains/example.co.uk/records/A/@")).toBe(true);
    expect(peekZones(fake.zones, "_acme-challenge.b.example.co.uk", "TXT")?.values).toEqual(["tok"]);
  });

  it("with `domain` set, asks for no domain and refuses names outside it before sending", async () => {
    const q = make(fake, { domain: "example.com" });
    await q.upsert(write(), ctx());
    expect(fake.requests.every((r) => r.path.includes("/records/"))).toBe(true);
    fake.requests.length = 0;
    const e = await failure(q.upsert(write({ fqdn: "home.example.co.uk" }), ctx()));
    expect(e.code).toBe("provider_zone_not_found");
    expect(fake.requests).toHaveLength(0);
  });

  it("raises a TTL below 600 to 600, and then reports the same write as unchanged", async () => {
    expect(await p.upsert(write({ ttl: 300 }), ctx())).toBe("changed");
    expect(peekZones(fake.zones, "home.example.com", "A")?.ttl).toBe(600);
    expect(await p.upsert(write({ ttl: 300 }), ctx())).toBe("unchanged");
    expect(await p.get("home.example.com", "A", ctx())).toEqual({
      type: "A",
      ttl: 600,
      values: ["81.2.69.142"],
    });
  });

  it("keeps the held TTL when the write has none; a TTL-only change is a change", async () => {
    fake.zones.add("example.com", {
      name: "home.example.com",
      type: "A",
      content: "81.2.69.1",
      ttl: 7200,
      extra: {},
    });
    expect(await p.upsert(write(), ctx())).toBe("changed");
    expect(peekZones(fake.zones, "home.example.com", "A")).toEqual({
      type: "A",
      ttl: 7200,
      values: ["81.2.69.142"],
    });
    expect(await p.upsert(write({ ttl: 1200 }), ctx())).toBe("changed");
    expect(peekZones(fake.zones, "home.example.com", "A")?.ttl).toBe(1200);
  });

  it("gives a new set the `ttl` setting, else 3600, when the write has none", async () => {
    await p.upsert(write(), ctx());
    expect(peekZones(fake.zones, "home.example.com", "A")?.ttl).toBe(3600);
    await make(fake, { ttl: 1800 }).upsert(write({ fqdn: "other.example.com" }), ctx());
    expect(peekZones(fake.zones, "other.example.com", "A")?.ttl).toBe(1800);
  });

  it("delete of a set that vanished after the read (404 NOT_FOUND) is still done", async () => {
    const q = make(fake, { domain: "example.com" });
    fake.failNext(json(200, [{ data: "81.2.69.142", name: "home", ttl: 3600, type: "A" }]));
    expect(await q.delete("home.example.com", "A", ctx())).toBe("changed");
    expect(fake.requests.map((r) => r.method)).toEqual(["GET", "DELETE"]);
  });

  describe("maps GoDaddy's errors and keeps its words", () => {
    it("401 UNABLE_TO_AUTHENTICATE → provider_auth", async () => {
      const e = await failure(make(fake, { api_secret: "nope" }).get("home.example.com", "A", ctx()));
      expect(e.code).toBe("provider_auth");
      expect(e.message).toContain("Could not authenticate API key/secret");
      expect(e.message).toContain("UNABLE_TO_AUTHENTICATE");
    });

    it("403 ACCESS_DENIED → provider_permission, explaining GoDaddy's account requirement", async () => {
      fake.failAll(json(403, { code: "ACCESS_DENIED", message: "Authenticated user is not allowed access" }));
      const e = await failure(p.upsert(write(), ctx()));
      expect(e.code).toBe("provider_permission");
      expect(e.message).toContain("Authenticated user is not allowed access");
      expect(e.message).toMatch(/10 or more domains/);
    });

    it.each([
      ["constructor", 422, "provider_rejected"],
      ["__proto__", 503, "provider_unavailable"],
    ])(
      "the vendor code %s (bad input) finds no table entry: HTTP %i decides (%s)",
      async (code, status, want) => {
        fake.failAll(json(status, { code, message: "odd" }));
        const e = await failure(p.upsert(write(), ctx()));
        expect(e.code).toBe(want);
      },
    );

    it("404 UNKNOWN_DOMAIN for a configured domain the account lacks → provider_zone_not_found", async () => {
      const e = await failure(
        make(fake, { domain: "nothere.org" }).upsert(write({ fqdn: "a.nothere.org" }), ctx()),
      );
      expect(e.code).toBe("provider_zone_not_found");
      expect(e.message).toContain("does not have a zone file");
    });

    it("429 TOO_MANY_REQUESTS → provider_rate_limited with retryAfterSec (or Retry-After) as retryAfterMs", async () => {
      fake.failNext(
        json(429, { code: "TOO_MANY_REQUESTS", message: "Too many requests", retryAfterSec: 42 }),
      );
      const e = await failure(make(fake, { domain: "example.com" }).get("home.example.com", "A", ctx()));
      expect(e.code).toBe("provider_rate_limited");
      expect(e.details?.retryAfterMs).toBe(42_000);
      fake.failNext({ status: 429, headers: { "retry-after": "7" }, body: "" });
      const h = await failure(make(fake, { domain: "example.com" }).get("home.example.com", "A", ctx()));
      expect(h.details?.retryAfterMs).toBe(7_000);
    });

    it("422 with field errors → provider_rejected naming the field", async () => {
      fake.failNext(
        json(422, {
          code: "INVALID_BODY",
          message: "Request body doesn't fulfill schema, see details in `fields`",
          fields: [{ code: "UNEXPECTED_VALUE", message: "is not a supported record type", path: "type" }],
        }),
      );
      const e = await failure(make(fake, { domain: "example.com" }).get("home.example.com", "A", ctx()));
      expect(e.code).toBe("provider_rejected");
      expect(e.message).toContain("type: is not a supported record type");
      expect(e.message).toContain("INVALID_BODY");
    });

    it("the fake's own 422 for a TTL below 600 is what an unclamped write would meet", async () => {
      const res = await fetch(`${fake.url}/v1/domains/example.com/records/A/x`, {
        method: "PUT",
        headers: { authorization: `sso-key ${KEY}:${SECRET}`, "content-type": "application/json" },
        body: JSON.stringify([{ data: "81.2.69.142", ttl: 300 }]),
      });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: "INVALID_BODY", fields: [{ path: "records[0].ttl" }] });
    });

    it("409 → provider_conflict; 5xx with an HTML page → provider_unavailable", async () => {
      const q = make(fake, { domain: "example.com" });
      fake.failNext(json(409, { code: "CONFLICT", message: "The given domain is locked" }));
      expect((await failure(q.delete("home.example.com", "A", ctx()))).code).toBe("provider_conflict");
      fake.failNext({
        status: 503,
        headers: { "content-type": "text/html" },
        body: "<html>Service Unavailable</html>",
      });
      const e = await failure(q.get("home.example.com", "A", ctx()));
      expect(e.code).toBe("provider_unavailable");
      expect(e.message).toContain("Service Unavailable");
    });

    it("a 200 that is not JSON, not a list, or holds garbage for the type → malformed_reply", async () => {
      const q = make(fake, { domain: "example.com" });
      for (const reply of [
        { status: 200, body: "<html>hi</html>" },
        json(200, { records: [] }),
        json(200, [{ data: "not-an-address", name: "home", ttl: 600, type: "A" }]),
        json(200, [{ data: "81.2.69.142", name: "home", ttl: "600", type: "A" }]),
      ]) {
        fake.failNext(reply);
        expect((await failure(q.get("home.example.com", "A", ctx()))).code).toBe("malformed_reply");
      }
    });
  });

  describe("settings", () => {
    const parse = (over: Record<string, unknown>) =>
      godaddyProvider.settings.safeParse({ api_key: KEY, api_secret: SECRET, ...over });
    it("defaults the endpoint to the production API", () => {
      expect(parse({}).data?.endpoint).toBe("https://api.godaddy.com");
    });
    it.each([
      ["a TTL below GoDaddy's 600", { ttl: 300 }],
      ["a key with a space", { api_key: "a b" }],
      ["an empty secret", { api_secret: "" }],
      ["an endpoint with a query", { endpoint: "https://api.godaddy.com/?x=1" }],
      ["a domain that is not a name", { domain: "exa mple.com" }],
      ["an unknown setting", { zone: "example.com" }],
    ])("refuses %s", (_, over) => {
      expect(parse(over).success).toBe(false);
    });
  });
});
