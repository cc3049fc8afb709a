import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError } from "../core/errors.js";
import { canonicalValues } from "../core/records.js";
import { hetznerProvider, rateLimitWait } from "./hetzner.js";
import { runProviderContract } from "./testing/contract.js";
import { testProviderDeps } from "./testing/deps.js";
import { json, type FakeReply } from "./testing/fake-vendor.js";
import { startHetznerFake, type HetznerFake } from "./testing/fakes/hetzner.js";
import { unquoteTxt } from "./kit/txt-presentation.js";
import type { CallContext, Provider } from "./types.js";

const TOKEN = "hcloud-rw-token-0123456789abcdef";
const RO_TOKEN = "hcloud-ro-token-0123456789abcdef";
const ZONE = "home.hetzner-example.de";
const NOW_S = 1_780_000_000;
const ctx = (): CallContext => ({ signal: AbortSignal.timeout(10_000) });

/** 60 other zones first, so finding ours needs the second page of GET /zones. */
function startFake() {
  const fillers = Array.from({ length: 60 }, (_, i) => ({ name: `filler${i}.example` }));
  return startHetznerFake({
    token: TOKEN,
    readOnlyToken: RO_TOKEN,
    zones: [
      ...fillers,
      { name: ZONE, ttl: 3600 },
      { name: `lab.${ZONE}`, ttl: 600 },
      { name: "sec.example", mode: "secondary" },
    ],
    now: () => NOW_S,
  });
}

function provider(fake: HetznerFake, over: Record<string, unknown> = {}): Provider {
  const settings = hetznerProvider.settings.parse({ endpoint: fake.endpoint, api_token: TOKEN, ...over });
  return hetznerProvider.create("hz1", settings, testProviderDeps({ clock: () => Date.now() }));
}

async function rejection(p: Promise<unknown>) {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

runProviderContract("hetzner (fake Cloud API)", async () => {
  const fake = await startFake();
  return {
    provider: provider(fake),
    zone: ZONE,
    peek: (fqdn, type) => {
      const name = fqdn === ZONE ? "@" : fqdn.slice(0, -ZONE.length - 1);
      const held = fake.rrset(ZONE, name, type);
      if (held === undefined) return Promise.resolve(undefined);
      const values = held.records.map((r) => (type === "TXT" ? (unquoteTxt(r.value) ?? r.value) : r.value));
      return Promise.resolve({ type, ttl: held.ttl ?? 3600, values: canonicalValues(type, values) });
    },
    wrongCredentials: provider(fake, { api_token: "wrong" }),
    foreignName: "www.not-in-project.example",
    close: () => fake.vendor.close(),
  };
});

describe("hetzner beyond the contract", () => {
  let fake: HetznerFake;
  let p: Provider;
  beforeAll(async () => {
    fake = await startFake();
    p = provider(fake);
  });
  afterAll(() => fake.vendor.close());
  beforeEach(() => {
    fake.vendor.requests.length = 0;
    fake.runningPolls = 0;
  });

  it("lists zones page by page with a Bearer token, then creates the set with POST …/rrsets", async () => {
    await p.upsert({ fqdn: `nas.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    const seen = fake.vendor.requests.map((r) => `${r.method} ${r.rawUrl}`);
    expect(seen).toEqual([
      "GET /v1/zones?page=1&per_page=50",
      "GET /v1/zones?page=2&per_page=50",
      "GET /v1/zones/1060/rrsets/nas/A",
      "POST /v1/zones/1060/rrsets",
    ]);
    for (const r of fake.vendor.requests) expect(r.headers["authorization"]).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(fake.vendor.requests[3]?.body ?? "")).toEqual({
      name: "nas",
      type: "A",
      ttl: 300,
      records: [{ value: "81.2.69.142" }],
    });
  });

  it("a changed value goes through actions/set_records and keeps labels, protection flag and comments", async () => {
    const fqdn = `kept.${ZONE}`;
    await p.upsert({ fqdn, type: "A", values: ["81.2.69.142", "81.2.69.160"], ttl: 300 }, ctx());
    const held = fake.rrset(ZONE, "kept", "A");
    if (held === undefined) throw new Error("not created");
    held.labels = { owner: "router-team" };
    held.records = [
      { value: "81.2.69.142", comment: "line 1" },
      { value: "81.2.69.160", comment: "line 2" },
    ];
    fake.vendor.requests.length = 0;
    expect(
      await p.upsert({ fqdn, type: "A", values: ["81.2.69.142", "81.2.69.200"], ttl: undefined }, ctx()),
    ).toBe("changed");
    expect(fake.vendor.requests.map((r) => r.path)).toEqual([
      `/v1/zones/1060/rrsets/kept/A`,
      `/v1/zones/1060/rrsets/kept/A/actions/set_records`,
    ]);
    expect(fake.rrset(ZONE, "kept", "A")).toMatchObject({
      ttl: 300,
      labels: { owner: "router-team" },
      records: [{ value: "81.2.69.142", comment: "line 1" }, { value: "81.2.69.200" }],
    });
  });

  it("a TTL-only change is one actions/change_ttl; a set following the zone default reports the zone's TTL", async () => {
    const fqdn = `zonettl.${ZONE}`;
    await p.upsert({ fqdn, type: "AAAA", values: ["2a02:8070:a1b2::1"], ttl: undefined }, ctx());
    expect(fake.rrset(ZONE, "zonettl", "AAAA")?.ttl).toBeNull();
    expect(await p.get(fqdn, "AAAA", ctx())).toEqual({
      type: "AAAA",
      ttl: 3600,
      values: ["2a02:8070:a1b2::1"],
    });
    fake.vendor.requests.length = 0;
    expect(await p.upsert({ fqdn, type: "AAAA", values: ["2a02:8070:a1b2::1"], ttl: 120 }, ctx())).toBe(
      "changed",
    );
    expect(fake.vendor.requests.map((r) => r.path).at(-1)).toBe(
      `/v1/zones/1060/rrsets/zonettl/AAAA/actions/change_ttl`,
    );
    expect(fake.rrset(ZONE, "zonettl", "AAAA")?.ttl).toBe(120);
  });

  it("the `ttl` setting is the TTL of new sets", async () => {
    await provider(fake, { ttl: 90 }).upsert(
      { fqdn: `t.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: undefined },
      ctx(),
    );
    expect(fake.rrset(ZONE, "t", "A")?.ttl).toBe(90);
  });

  it("the apex is `@`; TXT values are quoted", async () => {
    await p.upsert({ fqdn: ZONE, type: "TXT", values: ['v=spf1 "x" -all'], ttl: 300 }, ctx());
    expect(fake.rrset(ZONE, "@", "TXT")?.records).toEqual([{ value: '"v=spf1 \\"x\\" -all"' }]);
  });

  it("a running action is polled until it succeeds; the next read sees the write", async () => {
    fake.runningPolls = 2;
    await p.upsert({ fqdn: `slow.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    const polls = fake.vendor.requests.filter((r) => r.path.startsWith("/v1/zones/actions/"));
    expect(polls).toHaveLength(2);
    expect(await p.get(`slow.${ZONE}`, "A", ctx())).toMatchObject({ values: ["81.2.69.142"] });
  });

  it("an action that fails is provider_rejected with Hetzner's words", async () => {
    await p.upsert({ fqdn: `af.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    fake.failNextAction = { code: "action_failed", message: "zone update could not be applied" };
    const e = await rejection(
      p.upsert({ fqdn: `af.${ZONE}`, type: "A", values: ["81.2.69.160"], ttl: 300 }, ctx()),
    );
    expect(isBeaconError(e) && e.code).toBe("provider_rejected");
    expect(isBeaconError(e) && e.message).toMatch(/could not be applied/);
  });

  it("an aborted wait for an action is `aborted`", async () => {
    fake.runningPolls = 1000;
    const ac = new AbortController();
    const pending = p.upsert(
      { fqdn: `ab.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 300 },
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 50);
    const e = await rejection(pending);
    expect(isBeaconError(e) && e.code).toBe("aborted");
  });

  it("a name in a child zone goes to the longest zone; a configured zone is fetched by name", async () => {
    await p.upsert({ fqdn: `x.lab.${ZONE}`, type: "A", values: ["81.2.69.160"], ttl: 300 }, ctx());
    expect(fake.rrset(`lab.${ZONE}`, "x", "A")).toBeDefined();
    fake.vendor.requests.length = 0;
    const pinned = provider(fake, { zone: ZONE });
    await pinned.get(`y.${ZONE}`, "A", ctx());
    expect(fake.vendor.requests.map((r) => r.rawUrl)).toEqual([
      `/v1/zones/${ZONE}`,
      "/v1/zones/1060/rrsets/y/A",
    ]);
    const e = await rejection(provider(fake, { zone: "nope.example" }).get("a.nope.example", "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("provider_zone_not_found");
  });

  it("a read-only token is provider_permission (token_readonly)", async () => {
    const ro = provider(fake, { api_token: RO_TOKEN });
    const e = await rejection(
      ro.upsert({ fqdn: `ro.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx()),
    );
    expect(isBeaconError(e) && e.code).toBe("provider_permission");
    expect(isBeaconError(e) && e.details?.["vendorCode"]).toBe("token_readonly");
  });

  it("a change-protected set is provider_permission (protected)", async () => {
    await p.upsert({ fqdn: `prot.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    const held = fake.rrset(ZONE, "prot", "A");
    if (held !== undefined) held.protection = { change: true };
    const e = await rejection(
      p.upsert({ fqdn: `prot.${ZONE}`, type: "A", values: ["81.2.69.160"], ttl: 300 }, ctx()),
    );
    expect(isBeaconError(e) && e.code).toBe("provider_permission");
  });

  it("a secondary zone refuses writes: provider_rejected (incorrect_zone_mode)", async () => {
    const e = await rejection(
      p.upsert({ fqdn: "a.sec.example", type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx()),
    );
    expect(isBeaconError(e) && e.code).toBe("provider_rejected");
    expect(isBeaconError(e) && e.message).toMatch(/Zone's mode/);
  });

  const cases: [string, string, FakeReply, RegExp][] = [
    [
      "401 unauthorized",
      "provider_auth",
      json(401, { error: { code: "unauthorized", message: "unable to authenticate", details: {} } }),
      /unable to authenticate/,
    ],
    [
      "403 forbidden",
      "provider_permission",
      json(403, { error: { code: "forbidden", message: "insufficient permissions", details: {} } }),
      /insufficient/,
    ],
    [
      "409 conflict",
      "provider_conflict",
      json(409, { error: { code: "conflict", message: "resource changed meanwhile", details: {} } }),
      /changed meanwhile/,
    ],
    [
      "423 locked",
      "provider_unavailable",
      json(423, { error: { code: "locked", message: "another action is running", details: {} } }),
      /another action/,
    ],
    [
      "400 invalid_input",
      "provider_rejected",
      json(400, {
        error: { code: "invalid_input", message: "invalid input in field 'records'", details: {} },
      }),
      /field 'records'/,
    ],
    [
      "503 maintenance",
      "provider_unavailable",
      json(503, { error: { code: "maintenance", message: "API is in maintenance", details: {} } }),
      /maintenance/,
    ],
    [
      "400 with the vendor code constructor (bad input: an Object.prototype member)",
      "provider_rejected",
      json(400, { error: { code: "constructor", message: "odd code", details: {} } }),
      /odd code/,
    ],
    [
      "503 with the vendor code __proto__ (bad input)",
      "provider_unavailable",
      json(503, { error: { code: "__proto__", message: "odder code", details: {} } }),
      /odder code/,
    ],
    ["502 html", "provider_unavailable", { status: 502, body: "<html>Bad Gateway</html>" }, /Bad Gateway/],
    ["200 not JSON", "malformed_reply", { status: 200, body: "oops" }, /not JSON/],
    ["200 wrong shape", "malformed_reply", json(200, { rrset: { ttl: "x", records: [] } }), /shape/],
  ];
  it.each(cases)("%s → %s, keeping the vendor's message", async (_what, code, reply, message) => {
    await p.get(`err.${ZONE}`, "A", ctx()); // the zone is cached: the failure hits the set's read
    fake.vendor.failNext(reply);
    const e = await rejection(p.get(`err.${ZONE}`, "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe(code);
    expect(isBeaconError(e) && e.message).toMatch(message);
    expect(isBeaconError(e) && e.message).not.toContain(TOKEN);
  });

  it("429 rate_limit_exceeded → provider_rate_limited, waiting as the RateLimit headers say", async () => {
    await p.get(`rl.${ZONE}`, "A", ctx());
    const reset = Math.floor(Date.now() / 1000) + 3600;
    fake.vendor.failNext(
      json(
        429,
        {
          error: {
            code: "rate_limit_exceeded",
            message: "limit of 3600 requests per hour reached",
            details: {},
          },
        },
        {
          "ratelimit-limit": "3600",
          "ratelimit-remaining": "0",
          "ratelimit-reset": String(reset),
        },
      ),
    );
    const e = await rejection(p.get(`rl.${ZONE}`, "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("provider_rate_limited");
    const wait = isBeaconError(e) ? (e.details?.["retryAfterMs"] as number) : -1;
    // One request back after about a second (3600 per hour, refilled evenly), never the full hour.
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);
  });

  it("rateLimitWait: Retry-After wins; otherwise reset/(limit-remaining); nothing readable → undefined", () => {
    const now = 1_000_000_000_000;
    const reply = (headers: Record<string, string>) => ({ status: 429, headers, body: "" });
    expect(rateLimitWait(reply({ "retry-after": "30", "ratelimit-reset": "9999999999" }), now)).toBe(30_000);
    expect(
      rateLimitWait(
        reply({
          "ratelimit-limit": "3600",
          "ratelimit-remaining": "3590",
          "ratelimit-reset": String(now / 1000 + 100),
        }),
        now,
      ),
    ).toBe(10_000);
    expect(rateLimitWait(reply({ "ratelimit-reset": String(now / 1000 + 100) }), now)).toBe(100_000);
    expect(rateLimitWait(reply({ "ratelimit-reset": String(now / 1000 - 5) }), now)).toBe(0);
    expect(rateLimitWait(reply({ "ratelimit-reset": "soon" }), now)).toBeUndefined();
    expect(rateLimitWait(reply({}), now)).toBeUndefined();
  });

  it("settings: bad inputs are refused with the setting named", () => {
    const bad: [Record<string, unknown>, string | undefined][] = [
      [{}, "api_token"],
      [{ api_token: "" }, "api_token"],
      [{ api_token: "t", zone: "bad zone" }, "zone"],
      [{ api_token: "t", ttl: 30 }, "ttl"],
      [{ api_token: "t", endpoint: "http://u:p@x" }, "endpoint"],
      [{ api_token: "t", action_wait_ms: -1 }, "action_wait_ms"],
      [{ api_token: "t", token: "t" }, undefined],
    ];
    for (const [input, setting] of bad) {
      const r = hetznerProvider.settings.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      expect(r.error?.issues[0]?.path[0], JSON.stringify(input)).toBe(setting);
    }
    expect(hetznerProvider.settings.parse({ api_token: "t" }).endpoint).toBe("https://api.hetzner.cloud/v1");
  });
});
