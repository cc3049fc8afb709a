import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError, type BeaconError } from "../core/errors.js";
import { porkbunProvider, type PorkbunSettings } from "./porkbun.js";
import { runProviderContract } from "./testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "./testing/deps.js";
import { json } from "./testing/fake-vendor.js";
import { startFakePorkbun, type FakePorkbun } from "./testing/fakes/porkbun.js";
import { peekZones } from "./testing/zones-peek.js";
import type { Provider, WriteRequest } from "./types.js";

const KEY = "pk1_0f3a9c2b7d4e8f1a6b5c";
const SECRET = "sk1_9e8d7c6b5a4f3e2d1c0b";
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

function make(fake: FakePorkbun, over: Partial<Record<keyof PorkbunSettings, unknown>> = {}): Provider {
  const s = porkbunProvider.settings.parse({
    api_key: KEY,
    secret_api_key: SECRET,
    endpoint: fake.url,
    ...over,
  });
  return porkbunProvider.create("pb", s, testProviderDeps());
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

runProviderContract("porkbun → fake Porkbun API", async () => {
  const fake = await startFakePorkbun({
    apiKey: KEY,
    secretApiKey: SECRET,
    domains: ["example.org", "example.com", "example.net"],
    pageSize: 2,
  });
  return {
    provider: make(fake),
    wrongCredentials: make(fake, { secret_api_key: "sk1_wrong" }),
    zone: "example.com",
    foreignName: "home.not-ours.example",
    peek: (fqdn, type) => Promise.resolve(peekZones(fake.zones, fqdn, type)),
    close: () => fake.close(),
  };
});

describe("porkbun provider against the fake", () => {
  let fake: FakePorkbun;
  let p: Provider;
  const write = (over: Partial<WriteRequest> = {}): WriteRequest => ({
    fqdn: "home.example.com",
    type: "A",
    values: ["81.2.69.142"],
    ttl: undefined,
    ...over,
  });
  const bodyOf = (i: number) => JSON.parse(fake.requests[i]?.body ?? "{}") as Record<string, unknown>;

  beforeAll(async () => {
    fake = await startFakePorkbun({
      apiKey: KEY,
      secretApiKey: SECRET,
      domains: ["a.test", "example.com", "b.test", "sub.example.com", "c.test"],
      notOptedIn: ["c.test"],
      pageSize: 2,
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    for (const list of fake.zones.records.values()) list.length = 0;
    fake.requests.length = 0;
    fake.failAll(undefined);
    p = make(fake, { domain: "example.com" });
  });

  it("POSTs JSON with apikey and secretapikey, our User-Agent, and Porkbun's paths and string TTLs", async () => {
    await p.upsert(write({ fqdn: "example.com", ttl: 900 }), ctx());
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /dns/retrieveByNameType/example.com/A",
      "POST /dns/create/example.com",
    ]);
    for (const r of fake.requests) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["user-agent"]).toBe(TEST_USER_AGENT);
    }
    expect(bodyOf(1)).toEqual({
      apikey: KEY,
      secretapikey: SECRET,
      name: "",
      type: "A",
      content: "81.2.69.142",
      ttl: "900",
    });
    await p.get("x.y.example.com", "TXT", ctx());
    expect(fake.requests.at(-1)?.path).toBe("/dns/retrieveByNameType/example.com/TXT/x.y");
  });

  it("finds the domain in the paged /domain/listAll (longest match) once per instance", async () => {
    const q = make(fake);
    await q.upsert(write({ fqdn: "x.sub.example.com" }), ctx());
    await q.upsert(write({ fqdn: "y.example.com" }), ctx());
    const lists = fake.requests.filter((r) => r.path === "/domain/listAll");
    expect(lists.map((r) => (JSON.parse(r.body) as { start?: unknown }).start)).toEqual(["0", "2", "4", "5"]);
    expect(peekZones(fake.zones, "x.sub.example.com", "A")).toBeDefined();
    expect(fake.zones.find("sub.example.com", "x.sub.example.com", "A")).toHaveLength(1);
    expect(fake.zones.find("example.com", "y.example.com", "A")).toHaveLength(1);
  });

  it("edits records in place, so Porkbun's notes and prio survive; creates, then deletes the rest", async () => {
    const kept = fake.zones.add("example.com", {
      name: "home.example.com",
      type: "A",
      content: "81.2.69.1",
      ttl: 1800,
      extra: { notes: "office router", prio: "5" },
    });
    expect(await p.upsert(write({ values: ["81.2.69.142", "81.2.69.160"] }), ctx())).toBe("changed");
    expect(kept).toMatchObject({
      content: "81.2.69.142",
      ttl: 1800,
      extra: { notes: "office router", prio: "5" },
    });
    expect(peekZones(fake.zones, "home.example.com", "A")).toEqual({
      type: "A",
      ttl: 1800,
      values: ["81.2.69.142", "81.2.69.160"],
    });
    fake.requests.length = 0;
    expect(await p.upsert(write({ values: ["81.2.69.160"] }), ctx())).toBe("changed");
    expect(fake.requests.map((r) => r.path)).toEqual([
      "/dns/retrieveByNameType/example.com/A/home",
      `/dns/delete/example.com/${fake.idOf(kept)}`,
    ]);
  });

  it("raises a TTL below 600 to 600 and then reports the same write as unchanged", async () => {
    expect(await p.upsert(write({ ttl: 60 }), ctx())).toBe("changed");
    expect(bodyOf(1).ttl).toBe("600");
    expect(await p.upsert(write({ ttl: 60 }), ctx())).toBe("unchanged");
    expect(fake.requests).toHaveLength(3);
  });

  it("keeps the held TTL when the write has none; a TTL-only change is a change", async () => {
    fake.zones.add("example.com", {
      name: "home.example.com",
      type: "A",
      content: "81.2.69.1",
      ttl: 3600,
      extra: {},
    });
    await p.upsert(write(), ctx());
    expect(peekZones(fake.zones, "home.example.com", "A")?.ttl).toBe(3600);
    expect(await p.upsert(write({ ttl: 1200 }), ctx())).toBe("changed");
    expect(peekZones(fake.zones, "home.example.com", "A")?.ttl).toBe(1200);
  });

  it("TXT content is sent and read back as it is (no quoting)", async () => {
    const value = 'say "hi" v=spf1 ~all';
    await p.upsert(write({ fqdn: "_acme-challenge.example.com", type: "TXT", values: [value] }), ctx());
    expect(bodyOf(1)).toMatchObject({ name: "_acme-challenge", content: value });
    expect((await p.get("_acme-challenge.example.com", "TXT", ctx()))?.values).toEqual([value]);
  });

  describe("maps Porkbun's errors and keeps its words", () => {
    it('"Invalid API key. (002)" → provider_auth', async () => {
      const e = await failure(make(fake, { secret_api_key: "sk1_nope" }).get("home.example.com", "A", ctx()));
      expect(e.code).toBe("provider_auth");
      expect(e.message).toContain("Invalid API key. (002)");
    });

    it('"Domain is not opted in to API access." → provider_permission', async () => {
      const e = await failure(make(fake).get("www.c.test", "A", ctx()));
      expect(e.code).toBe("provider_permission");
      expect(e.message).toContain("not opted in to API access");
    });

    it('"Invalid domain." for a configured domain → provider_zone_not_found; so is a name in no domain', async () => {
      const e = await failure(make(fake, { domain: "gone.test" }).get("www.gone.test", "A", ctx()));
      expect(e.code).toBe("provider_zone_not_found");
      expect(e.message).toContain("Invalid domain.");
      expect((await failure(make(fake).get("www.nowhere.test", "A", ctx()))).code).toBe(
        "provider_zone_not_found",
      );
    });

    it("429 → provider_rate_limited with Retry-After; 5xx pages → provider_unavailable", async () => {
      fake.failNext(json(429, { status: "ERROR", message: "Rate limit exceeded." }, { "retry-after": "30" }));
      const e = await failure(p.get("home.example.com", "A", ctx()));
      expect(e.code).toBe("provider_rate_limited");
      expect(e.details?.retryAfterMs).toBe(30_000);
      fake.failNext({
        status: 503,
        headers: { "content-type": "text/html" },
        body: "<h1>503 Service Unavailable</h1>",
      });
      expect((await failure(p.get("home.example.com", "A", ctx()))).code).toBe("provider_unavailable");
    });

    it("an error that echoes our request body has the secret key cut out", async () => {
      fake.failNext(json(400, { status: "ERROR", message: `Bad request: {"secretapikey":"${SECRET}"}` }));
      const e = await failure(p.get("home.example.com", "A", ctx()));
      expect(e.message).toContain('{"secretapikey":"[secret]"}');
    });

    it("an ERROR Porkbun does not explain → provider_rejected with its message", async () => {
      fake.failNext(
        json(400, { status: "ERROR", message: "Create error: We were unable to create the DNS record." }),
      );
      const e = await failure(p.get("home.example.com", "A", ctx()));
      expect(e.code).toBe("provider_rejected");
      expect(e.message).toContain("unable to create the DNS record");
    });

    it("a 200 that is not JSON, lacks records, or holds garbage → malformed_reply", async () => {
      for (const reply of [
        { status: 200, body: "<html>maintenance</html>" },
        json(200, { status: "SUCCESS" }),
        json(200, { status: "SUCCESS", records: [{ id: "1", type: "A", content: "nope", ttl: "600" }] }),
        json(200, { status: "SUCCESS", records: [{ id: "1", type: "A", content: "81.2.69.1", ttl: "six" }] }),
      ]) {
        fake.failNext(reply);
        expect((await failure(p.get("home.example.com", "A", ctx()))).code).toBe("malformed_reply");
      }
    });
  });

  describe("settings", () => {
    const parse = (over: Record<string, unknown>) =>
      porkbunProvider.settings.safeParse({ api_key: KEY, secret_api_key: SECRET, ...over });
    it("defaults the endpoint to api.porkbun.com", () => {
      expect(parse({}).data?.endpoint).toBe("https://api.porkbun.com/api/json/v3");
    });
    it.each([
      ["a TTL below Porkbun's 600", { ttl: 300 }],
      ["a key with a space", { api_key: "pk1 x" }],
      ["an empty secret key", { secret_api_key: "" }],
      ["an endpoint with credentials", { endpoint: "https://u:p@api.porkbun.com/api/json/v3" }],
      ["an unknown setting", { apikey: KEY }],
    ])("refuses %s", (_, over) => {
      expect(parse(over).success).toBe(false);
    });
  });
});
