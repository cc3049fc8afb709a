import { describe, expect, it } from "vitest";
import { parseIp } from "../../core/ip.js";
import type { LimitRates, Rate } from "../../core/rate.js";
import type { UpdateProtocol, UpdateSource } from "../../core/update.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import { hostFixture, zoneFixture } from "../../store/testing/fixtures.js";
import { silentLog } from "../../core/log.js";
import { createAbuseFlags } from "./abuse-flags.js";
import { createBuckets } from "./buckets.js";
import { createLimits, type LimitScope } from "./update-limits.js";

const one: Rate[] = [{ limit: 1, periodMs: 60_000 }];
const RATES: LimitRates = {
  exempt: ["127.0.0.0/8", "::1/128"],
  client: one,
  clientIp: one,
  clientHeartbeat: one,
  credential: [{ limit: 3, periodMs: 60_000 }],
  hostDyndns2: one,
  hostApi: [{ limit: 2, periodMs: 60_000 }],
  nochgFlag: [{ limit: 3, periodMs: 7 * 86_400_000 }],
};

async function setup() {
  let now = 1_700_000_000_000;
  const clock = () => now;
  const store = createMemoryStore();
  await store.createZone(zoneFixture("example.com"));
  await store.createHost(hostFixture("a.example.com", "example.com"));
  const flags = createAbuseFlags({ store, clock, log: silentLog });
  const limited: LimitScope[] = [];
  const limits = createLimits({
    rates: RATES,
    buckets: createBuckets({ clock }),
    flags,
    onLimited: (s) => limited.push(s),
  });
  return { store, flags, limits, limited, advance: (ms: number) => void (now += ms) };
}

const source = (
  protocol: UpdateProtocol,
  ip = "81.2.69.142",
  tokenId: string | undefined = "tk_1",
): UpdateSource => ({
  ip,
  userAgent: "test",
  protocol,
  tokenId,
});

describe("update limits", () => {
  it("limits each client network per scope; /64 is one network; loopback and unknown addresses are exempt", async () => {
    const { limits, limited } = await setup();
    const ip = (s: string) => parseIp(s);
    expect(limits.client("client", ip("2a02:8070:a1b2:1::1"))).toBeUndefined();
    expect(limits.client("client", ip("2a02:8070:a1b2:1::ffff"))).toBe(60_000);
    expect(limits.client("client_ip", ip("2a02:8070:a1b2:1::1"))).toBeUndefined();
    expect(limits.client("client", ip("2a02:8070:a1b2:2::1"))).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(limits.client("client", ip("127.0.0.1"))).toBeUndefined();
    expect(limits.client("client", undefined)).toBeUndefined();
    expect(limited).toEqual(["client"]);
  });

  it("limits credentials and hosts of update clients only: never the console, the CLI or exempt sources", async () => {
    const { limits } = await setup();
    for (const protocol of ["admin", "cli"] as const) {
      const s = source(protocol);
      for (let i = 0; i < 5; i++)
        expect([limits.request(s), limits.host("a.example.com", s)]).toEqual([undefined, undefined]);
    }
    const local = source("dyndns2", "::1");
    for (let i = 0; i < 5; i++) expect(limits.host("a.example.com", local)).toBeUndefined();
    const results = [1, 2, 3, 4].map(() => limits.request(source("api")));
    expect(results).toEqual([undefined, undefined, undefined, 20_000]);
    expect(limits.request(source("api", "81.2.69.142", "tk_2"))).toBeUndefined();
  });

  it("keeps separate host budgets for dyndns2 and for the JSON API and RFC 2136", async () => {
    const { limits } = await setup();
    expect(limits.host("a.example.com", source("dyndns2"))).toBeUndefined();
    expect(limits.host("a.example.com", source("dyndns2", "81.2.69.1", "tk_other"))).toBe(60_000);
    expect(limits.host("a.example.com", source("api"))).toBeUndefined();
    expect(limits.host("a.example.com", source("rfc2136", "81.2.69.2", "tsig:k"))).toBeUndefined();
    expect(limits.host("a.example.com", source("api"))).toBe(30_000);
    expect(limits.host("b.example.com", source("api"))).toBeUndefined();
  });

  it("flags a host after too many no-change updates, once; clearing starts the count again", async () => {
    const { limits, store, flags, advance } = await setup();
    const s = source("dyndns2");
    for (let i = 0; i < 3; i++) limits.noChange("a.example.com", s);
    expect(flags.isFlagged("a.example.com")).toBe(false);
    limits.noChange("a.example.com", s);
    expect(flags.isFlagged("a.example.com")).toBe(true);
    for (let i = 0; i < 10; i++) limits.noChange("a.example.com", s);
    await new Promise((r) => setTimeout(r, 0));
    expect(await store.listHostFlags()).toEqual([
      { fqdn: "a.example.com", flaggedAt: 1_700_000_000_000, reason: "no-change updates beyond 3/7d" },
    ]);
    advance(1_000);
    expect(await flags.clear("a.example.com")).toBe(true);
    for (let i = 0; i < 3; i++) limits.noChange("a.example.com", s);
    expect(flags.isFlagged("a.example.com")).toBe(false);
    // The console's and the CLI's no-change edits never count.
    for (let i = 0; i < 10; i++) limits.noChange("a.example.com", source("admin"));
    expect(flags.isFlagged("a.example.com")).toBe(false);
  });

  it("reads flags another process set or cleared", async () => {
    const { flags, store } = await setup();
    await store.flagHost({ fqdn: "a.example.com", flaggedAt: 1, reason: "by hand" });
    expect(flags.isFlagged("a.example.com")).toBe(false);
    await flags.reload();
    expect(flags.isFlagged("a.example.com")).toBe(true);
    await store.clearHostFlag("a.example.com");
    await flags.reload();
    expect(flags.isFlagged("a.example.com")).toBe(false);
  });
});
