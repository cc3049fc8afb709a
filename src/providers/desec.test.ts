import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError } from "../core/errors.js";
import { canonicalValues } from "../core/records.js";
import { desecProvider } from "./desec.js";
import { runProviderContract } from "./testing/contract.js";
import { testProviderDeps } from "./testing/deps.js";
import { json, type FakeReply } from "./testing/fake-vendor.js";
import { startDesecFake, type DesecFake } from "./testing/fakes/desec.js";
import { unquoteTxt } from "./kit/txt-presentation.js";
import type { CallContext, Provider } from "./types.js";

const TOKEN = "d3sec-t0ken-abcdefghijklmnopqrstu";
const ZONE = "home.dedyn.example";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const ctx = (): CallContext => ({ signal: AbortSignal.timeout(10_000) });

function startFake() {
  return startDesecFake({
    token: TOKEN,
    domains: [
      { name: ZONE, minimum_ttl: 60 },
      { name: `lab.${ZONE}`, minimum_ttl: 3600 },
      { name: "other.example", minimum_ttl: 3600 },
    ],
  });
}

function provider(fake: DesecFake, over: Record<string, unknown> = {}): Provider {
  const settings = desecProvider.settings.parse({ endpoint: fake.endpoint, token: TOKEN, ...over });
  return desecProvider.create("desec1", settings, testProviderDeps({ clock: () => NOW }));
}

async function rejection(p: Promise<unknown>) {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

runProviderContract("desec (fake)", async () => {
  const fake = await startFake();
  return {
    provider: provider(fake),
    zone: ZONE,
    peek: (fqdn, type) => {
      const subname = fqdn === ZONE ? "" : fqdn.slice(0, -ZONE.length - 1);
      const held = fake.rrset(ZONE, subname, type);
      if (held === undefined) return Promise.resolve(undefined);
      const values = held.records.map((c) => (type === "TXT" ? (unquoteTxt(c) ?? c) : c));
      return Promise.resolve({ type, ttl: held.ttl, values: canonicalValues(type, values) });
    },
    wrongCredentials: desecProvider.create(
      "desec-bad",
      desecProvider.settings.parse({ endpoint: fake.endpoint, token: "wrong" }),
      testProviderDeps(),
    ),
    foreignName: "www.not-mine.example",
    close: () => fake.vendor.close(),
  };
});

describe("desec beyond the contract", () => {
  let fake: DesecFake;
  let p: Provider;
  beforeAll(async () => {
    fake = await startFake();
    p = provider(fake);
  });
  afterAll(() => fake.vendor.close());
  beforeEach(() => {
    fake.vendor.requests.length = 0;
  });

  it("sends `Authorization: Token …`, finds the domain with owns_qname, and writes one bulk PUT", async () => {
    await p.upsert({ fqdn: `nas.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    const seen = fake.vendor.requests.map((r) => `${r.method} ${r.rawUrl}`);
    expect(seen).toEqual([
      `GET /api/v1/domains/?owns_qname=nas.${ZONE}`,
      `GET /api/v1/domains/${ZONE}/rrsets/nas/A/`,
      `PUT /api/v1/domains/${ZONE}/rrsets/`,
    ]);
    for (const r of fake.vendor.requests) expect(r.headers["authorization"]).toBe(`Token ${TOKEN}`);
    expect(JSON.parse(fake.vendor.requests[2]?.body ?? "")).toEqual([
      { subname: "nas", type: "A", ttl: 300, records: ["81.2.69.142"] },
    ]);
    expect(fake.vendor.requests[2]?.headers["content-type"]).toBe("application/json");
  });

  it('the apex is `@` in the set\'s URL and "" in the bulk body', async () => {
    await p.upsert({ fqdn: ZONE, type: "AAAA", values: ["2a02:8070:a1b2::1"], ttl: 60 }, ctx());
    const paths = fake.vendor.requests.map((r) => r.path);
    expect(paths).toContain(`/api/v1/domains/${ZONE}/rrsets/@/AAAA/`);
    const put = fake.vendor.requests.find((r) => r.method === "PUT");
    expect(JSON.parse(put?.body ?? "")).toEqual([
      { subname: "", type: "AAAA", ttl: 60, records: ["2a02:8070:a1b2::1"] },
    ]);
    expect(fake.rrset(ZONE, "", "AAAA")?.records).toEqual(["2a02:8070:a1b2::1"]);
  });

  it("TXT values are written as quoted presentation strings", async () => {
    await p.upsert({ fqdn: `_acme-challenge.${ZONE}`, type: "TXT", values: ['a "q" b'], ttl: 60 }, ctx());
    expect(fake.rrset(ZONE, "_acme-challenge", "TXT")?.records).toEqual(['"a \\"q\\" b"']);
  });

  it("a name in a child domain goes to the domain deSEC names as owner", async () => {
    await p.upsert({ fqdn: `x.lab.${ZONE}`, type: "A", values: ["81.2.69.160"], ttl: 3600 }, ctx());
    expect(fake.rrset(`lab.${ZONE}`, "x", "A")?.records).toEqual(["81.2.69.160"]);
    expect(fake.rrset(ZONE, "x.lab", "A")).toBeUndefined();
  });

  it("a new set without a TTL gets the domain's minimum_ttl; an existing set keeps its TTL", async () => {
    await p.upsert({ fqdn: `fresh.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: undefined }, ctx());
    expect(fake.rrset(ZONE, "fresh", "A")?.ttl).toBe(60);
    await p.upsert({ fqdn: `fresh.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 900 }, ctx());
    const created = fake.rrset(ZONE, "fresh", "A")?.created;
    await p.upsert({ fqdn: `fresh.${ZONE}`, type: "A", values: ["81.2.69.160"], ttl: undefined }, ctx());
    expect(fake.rrset(ZONE, "fresh", "A")).toMatchObject({ ttl: 900, records: ["81.2.69.160"], created });
  });

  it("the `ttl` setting is the TTL of new sets", async () => {
    const withTtl = provider(fake, { ttl: 7200 });
    await withTtl.upsert({ fqdn: `ttl.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: undefined }, ctx());
    expect(fake.rrset(ZONE, "ttl", "A")?.ttl).toBe(7200);
  });

  it("a TTL below the domain's minimum_ttl is provider_rejected with deSEC's words; nothing is written", async () => {
    const e = await rejection(
      p.upsert({ fqdn: `low.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 30 }, ctx()),
    );
    expect(isBeaconError(e) && e.code).toBe("provider_rejected");
    expect(isBeaconError(e) && e.message).toContain("ttl: Ensure this value is greater than or equal to 60.");
    expect(fake.rrset(ZONE, "low", "A")).toBeUndefined();
  });

  it("a configured domain is checked once and names outside it are refused", async () => {
    const pinned = provider(fake, { domain: ZONE });
    await pinned.upsert({ fqdn: `pin.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx());
    expect(fake.vendor.requests[0]?.rawUrl).toBe(`/api/v1/domains/${ZONE}/`);
    const e = await rejection(pinned.get("x.other.example", "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("provider_zone_not_found");
    const missing = provider(fake, { domain: "missing.example" });
    const e2 = await rejection(missing.get("a.missing.example", "A", ctx()));
    expect(isBeaconError(e2) && e2.code).toBe("provider_zone_not_found");
  });

  it("the domain is cached per instance", async () => {
    await p.get(`cache.${ZONE}`, "A", ctx());
    fake.vendor.requests.length = 0;
    await p.get(`cache.${ZONE}`, "A", ctx());
    expect(fake.vendor.requests.map((r) => r.path)).toEqual([`/api/v1/domains/${ZONE}/rrsets/cache/A/`]);
  });

  it("delete of an absent set sends no DELETE", async () => {
    expect(await p.delete(`absent.${ZONE}`, "A", ctx())).toBe("unchanged");
    expect(fake.vendor.requests.some((r) => r.method === "DELETE")).toBe(false);
  });

  const cases: [string, string, FakeReply, RegExp][] = [
    ["401 invalid token", "provider_auth", json(401, { detail: "Invalid token." }), /Invalid token\./],
    [
      "403 token policy",
      "provider_permission",
      json(403, { detail: "You do not have permission to perform this action." }),
      /permission/,
    ],
    ["404 unknown domain", "provider_zone_not_found", json(404, { detail: "Not found." }), /Not found\./],
    [
      "400 CNAME conflict",
      "provider_conflict",
      json(400, [{ non_field_errors: ["RRset with conflicting type present: database (CNAME)."] }]),
      /conflicting type/,
    ],
    [
      "400 bad record",
      "provider_rejected",
      json(400, [{ records: ["Record content for type A malformed: 1.2.3"] }]),
      /records: Record content/,
    ],
    [
      "500 plain",
      "provider_unavailable",
      { status: 500, body: "Internal Server Error" },
      /Internal Server Error/,
    ],
    ["502 html", "provider_unavailable", { status: 502, body: "<html>Bad Gateway</html>" }, /Bad Gateway/],
    ["200 not JSON", "malformed_reply", { status: 200, body: "<html>hi</html>" }, /not JSON/],
  ];
  it.each(cases)("%s → %s, keeping the vendor's message", async (_what, code, reply, message) => {
    await p.get(`err.${ZONE}`, "A", ctx()); // cache the domain: the failures hit the set's read and write
    // A 404 on the read is "no such set"; only the write's 404 says the domain is gone.
    fake.vendor.failNext(reply, reply.status === 404 ? 2 : 1);
    const e = await rejection(
      p.upsert({ fqdn: `err.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx()),
    );
    expect(isBeaconError(e) && e.code).toBe(code);
    expect(isBeaconError(e) && e.message).toMatch(message);
    expect(isBeaconError(e) && e.message).not.toContain(TOKEN);
  });

  it("a reply of the wrong shape is malformed_reply", async () => {
    await p.get(`shape.${ZONE}`, "A", ctx());
    fake.vendor.failNext(json(200, { ttl: "sixty", records: "1.2.3.4" }));
    const e = await rejection(p.get(`shape.${ZONE}`, "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("malformed_reply");
  });

  it("429 throttling → provider_rate_limited with Retry-After as details.retryAfterMs", async () => {
    await p.get(`slow.${ZONE}`, "A", ctx());
    fake.vendor.failNext(
      json(
        429,
        { detail: "Request was throttled. Expected available in 12 seconds." },
        { "retry-after": "12" },
      ),
    );
    const e = await rejection(
      p.upsert({ fqdn: `slow.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx()),
    );
    expect(isBeaconError(e) && e.code).toBe("provider_rate_limited");
    expect(isBeaconError(e) && e.details?.["retryAfterMs"]).toBe(12_000);
    expect(isBeaconError(e) && e.message).toMatch(/throttled/);
  });

  it("a missing token header is answered like deSEC (the fake checks it)", async () => {
    const r = await fetch(`${fake.endpoint}domains/`);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("settings: bad inputs are refused with the setting named", () => {
    const bad: [Record<string, unknown>, string | undefined][] = [
      [{}, "token"],
      [{ token: "" }, "token"],
      [{ token: "t", domain: "bad domain" }, "domain"],
      [{ token: "t", endpoint: "https://desec.io/api/v1/?x=1" }, "endpoint"],
      [{ token: "t", ttl: -1 }, "ttl"],
      [{ token: "t", api_token: "t" }, undefined],
    ];
    for (const [input, setting] of bad) {
      const r = desecProvider.settings.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      expect(r.error?.issues[0]?.path[0], JSON.stringify(input)).toBe(setting);
    }
    expect(desecProvider.settings.parse({ token: "t" }).endpoint).toBe("https://desec.io/api/v1/");
  });
});
