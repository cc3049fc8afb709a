import { beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { silentLog } from "../../core/log.js";
import { createFakeTime, type FakeTime } from "../../core/testing/fake-time.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { hostFixture, zoneFixture } from "../../store/testing/fixtures.js";
import type { MirrorStatus, MirrorTarget } from "../../store/types.js";
import { FakeProvider, hang } from "../testing/fake-provider.js";
import { drainAll, drainMirror, LEASE_POLL_MS, mayBePending, type DrainDeps } from "./drain.js";

const ZONE = "example.com";
const unavailable = () =>
  new BeaconError("provider_unavailable", "route53: 500 We encountered an internal error");
const throttled = (retryAfterMs: number) =>
  new BeaconError("provider_rate_limited", "route53: 400 Rate exceeded (Throttling)", {
    details: { retryAfterMs },
  });

let store: Store;
let time: FakeTime;
let providers: Map<string, FakeProvider>;
let mirror: MirrorTarget;

beforeEach(async () => {
  store = createMemoryStore();
  time = createFakeTime();
  providers = new Map();
  await store.createZone(zoneFixture(ZONE));
  for (const h of ["a", "b", "c"]) await store.createHost(hostFixture(`${h}.${ZONE}`, ZONE));
  mirror = await addMirror("r53");
});

async function addMirror(id: string): Promise<MirrorTarget> {
  providers.set(id, new FakeProvider(id));
  return store.createMirror({ id, zone: ZONE, provider: "fake", settings: {}, createdAt: time.clock() });
}

function deps(over: Partial<DrainDeps> = {}): DrainDeps {
  return {
    store,
    provider: (m) => providers.get(m.id)!,
    clock: time.clock,
    timers: time.timers,
    log: silentLog,
    node: "lambda-1",
    deliveryTimeoutMs: 2_000,
    ...over,
  };
}

const p = (id = "r53") => providers.get(id)!;

async function set(host: string, type: "A" | "AAAA", value: string): Promise<void> {
  await store.commit({
    writes: [{ fqdn: `${host}.${ZONE}`, type, rrset: { ttl: 60, values: [value] } }],
    history: [],
    at: time.clock(),
  });
}

async function status(id = "r53"): Promise<MirrorStatus> {
  return (await store.mirrorStatus()).find((s) => s.id === id)!;
}

/** Runs a pass while fake time moves on in `step`s (bounded), so lease waits and timeouts can end. */
async function drainOver(ms: number, budgetMs: number, over: Partial<DrainDeps> = {}) {
  const pass = drainMirror(mirror, deps(over), time.clock() + budgetMs);
  await time.advance(ms);
  return pass;
}

describe("drainMirror", () => {
  it("delivers the newest value per key, acks the rows and frees the lease", async () => {
    await set("a", "A", "81.2.69.1");
    await set("b", "A", "81.2.69.2");
    await set("a", "A", "81.2.69.3");
    const r = await drainMirror(mirror, deps(), time.clock() + 10_000);
    expect(r).toMatchObject({ gone: false, pending: [], more: false, stop: undefined });
    expect(r.delivered).toEqual([
      { fqdn: "b.example.com", type: "A" },
      { fqdn: "a.example.com", type: "A" },
    ]);
    expect(p().accepted.map((c) => `${c.fqdn} ${c.values?.join()}`)).toEqual([
      "b.example.com 81.2.69.2",
      "a.example.com 81.2.69.3",
    ]);
    expect(await store.pendingOutbox("r53", 10)).toEqual([]);
    expect(await status()).toMatchObject({ delivered: 3, attempts: 0, lease: undefined });
  });

  it("reads batch after batch until the outbox is empty", async () => {
    for (const h of ["a", "b", "c"]) await set(h, "A", "81.2.69.1");
    for (const h of ["a", "b"]) await set(h, "AAAA", "2a02:8070::1");
    const r = await drainMirror(mirror, deps({ batchSize: 2 }), time.clock() + 10_000);
    expect(r.delivered).toHaveLength(5);
    expect(r.stop).toBeUndefined();
    expect(await store.pendingOutbox("r53", 10)).toEqual([]);
  });

  it("records a vendor failure with the runner's backoff, keeps the rows and stops", async () => {
    await set("a", "A", "81.2.69.1");
    await set("b", "A", "81.2.69.2");
    p().gate = () => Promise.reject(unavailable());
    const r = await drainMirror(mirror, deps(), time.clock() + 10_000);
    expect(p().attempts).toBe(1);
    expect(r.stop).toEqual({
      reason: "failed",
      error: { code: "provider_unavailable", message: "route53: 500 We encountered an internal error" },
      nextTryAt: time.clock() + 1_000,
    });
    expect(r.pending).toEqual([
      { fqdn: "a.example.com", type: "A" },
      { fqdn: "b.example.com", type: "A" },
    ]);
    expect(mayBePending(r, "a.example.com")).toBe(true);
    expect(mayBePending(r, "c.example.com")).toBe(false);
    expect(await store.pendingOutbox("r53", 10)).toHaveLength(2);
    expect(await status()).toMatchObject({ attempts: 1, nextTryAt: time.clock() + 1_000, lease: undefined });
  });

  it("honours the vendor's Retry-After (throttling) when it is longer than the backoff", async () => {
    await set("a", "A", "81.2.69.1");
    p().gate = () => Promise.reject(throttled(7_000));
    const r = await drainMirror(mirror, deps(), time.clock() + 10_000);
    expect(r.stop).toMatchObject({ reason: "failed", nextTryAt: time.clock() + 7_000 });
    expect((await status()).lastError?.code).toBe("provider_rate_limited");
  });

  it("does not call a parked mirror before its nextTryAt, and reports the wait and the error", async () => {
    await set("a", "A", "81.2.69.1");
    p().gate = () => Promise.reject(unavailable());
    await drainMirror(mirror, deps(), time.clock() + 10_000);
    const nextTryAt = time.clock() + 1_000;
    p().gate = undefined;
    await time.advance(999);
    const parked = await drainMirror(mirror, deps(), time.clock() + 10_000);
    expect(p().attempts).toBe(1);
    expect(parked.stop).toMatchObject({
      reason: "parked",
      nextTryAt,
      error: { code: "provider_unavailable" },
    });
    expect(parked.pending).toEqual([{ fqdn: "a.example.com", type: "A" }]);
    await time.advance(1);
    const retried = await drainMirror(mirror, deps(), time.clock() + 10_000);
    expect(retried).toMatchObject({ stop: undefined, delivered: [{ fqdn: "a.example.com", type: "A" }] });
    expect(await status()).toMatchObject({ attempts: 0, nextTryAt: undefined });
  });

  it("continues the backoff from the recorded attempts", async () => {
    await set("a", "A", "81.2.69.1");
    p().gate = () => Promise.reject(unavailable());
    await drainMirror(mirror, deps(), time.clock() + 10_000);
    await time.advance(1_000);
    const r = await drainMirror(mirror, deps({ node: "lambda-2" }), time.clock() + 10_000);
    expect(r.stop?.nextTryAt).toBe(time.clock() + 2_000);
  });

  it("a vendor that does not answer within deliveryTimeoutMs is a recorded failure (aborted)", async () => {
    await set("a", "A", "81.2.69.1");
    p().gate = hang;
    const r = await drainOver(2_000, 10_000);
    expect(r.stop).toMatchObject({ reason: "failed", error: { code: "aborted" } });
    expect((await status()).attempts).toBe(1);
  });

  it("a delivery cut short by the budget ends the pass out of time and records nothing", async () => {
    await set("a", "A", "81.2.69.1");
    p().gate = hang;
    const r = await drainOver(500, 500);
    expect(r.stop).toEqual({ reason: "out_of_time" });
    expect(r.pending).toEqual([{ fqdn: "a.example.com", type: "A" }]);
    expect(await status()).toMatchObject({ attempts: 0, nextTryAt: undefined, lease: undefined });
  });

  it("with no budget left, sends nothing", async () => {
    await set("a", "A", "81.2.69.1");
    const r = await drainMirror(mirror, deps(), time.clock());
    expect(r.stop).toEqual({ reason: "out_of_time" });
    expect(p().attempts).toBe(0);
  });

  it("waits for a lease another invocation holds, looking every LEASE_POLL_MS, then delivers", async () => {
    await set("a", "A", "81.2.69.1");
    expect(await store.claimMirror("r53", "lambda-2", time.clock(), 60_000)).toBe(true);
    const pass = drainMirror(mirror, deps(), time.clock() + 5_000);
    await time.advance(3 * LEASE_POLL_MS);
    expect(p().attempts).toBe(0);
    await store.releaseMirror("r53", "lambda-2");
    await time.advance(LEASE_POLL_MS);
    const r = await pass;
    expect(r).toMatchObject({ stop: undefined, delivered: [{ fqdn: "a.example.com", type: "A" }] });
    expect(time.delays.every((d) => d <= LEASE_POLL_MS || d === 2_000)).toBe(true);
  });

  it("ends busy when the lease stays taken for the whole budget, and never waits past it", async () => {
    await set("a", "A", "81.2.69.1");
    await store.claimMirror("r53", "lambda-2", time.clock(), 60_000);
    const r = await drainOver(1_000, 1_000);
    expect(r.stop).toEqual({ reason: "busy" });
    expect(r.pending).toEqual([{ fqdn: "a.example.com", type: "A" }]);
    expect(time.pending()).toEqual([]);
    expect(p().attempts).toBe(0);
  });

  it("ends clean when the holder of the lease delivered the rows meanwhile", async () => {
    await set("a", "A", "81.2.69.1");
    await store.claimMirror("r53", "lambda-2", time.clock(), 60_000);
    const pass = drainMirror(mirror, deps(), time.clock() + 1_000);
    const [row] = await store.pendingOutbox("r53", 10);
    await store.ackOutbox("r53", [row!.seq], time.clock(), "delivered", "lambda-2");
    await time.advance(1_000);
    expect(await pass).toMatchObject({ stop: undefined, pending: [], delivered: [] });
  });

  it("says so when the mirror was removed", async () => {
    await store.deleteMirror("r53");
    expect(await drainMirror(mirror, deps(), time.clock() + 1_000)).toMatchObject({
      gone: true,
      stop: undefined,
    });
  });

  it("a full batch left behind means any name may be pending", async () => {
    await set("a", "A", "81.2.69.1");
    await set("b", "A", "81.2.69.2");
    p().gate = () => Promise.reject(unavailable());
    const r = await drainMirror(mirror, deps({ batchSize: 2 }), time.clock() + 1_000);
    expect(r.more).toBe(true);
    expect(mayBePending(r, "c.example.com")).toBe(true);
  });

  it("a provider that cannot be built is a recorded failure, not a throw", async () => {
    await set("a", "A", "81.2.69.1");
    const r = await drainMirror(
      mirror,
      deps({
        provider: () => {
          throw new BeaconError("config_invalid", "route53: secret_access_key_file is missing");
        },
      }),
      time.clock() + 1_000,
    );
    expect(r.stop).toMatchObject({ reason: "failed", error: { code: "config_invalid" } });
  });

  it("a store failure ends the pass with the error, never a throw", async () => {
    await set("a", "A", "81.2.69.1");
    const broken = {
      ...store,
      pendingOutbox: () => Promise.reject(new BeaconError("store_unavailable", "the table is away")),
    };
    const r = await drainMirror(mirror, deps({ store: broken }), time.clock() + 1_000);
    expect(r.stop).toMatchObject({ reason: "failed", error: { code: "store_unavailable" } });
    expect((await status()).lease).toBeUndefined();
  });
});

describe("drainAll", () => {
  it("passes over every mirror within one budget and sums up", async () => {
    await addMirror("z-down");
    p("z-down").gate = () => Promise.reject(unavailable());
    await set("a", "A", "81.2.69.1");
    await set("b", "A", "81.2.69.2");
    const first = await drainAll({ ...deps(), budgetMs: 10_000 });
    expect(first).toEqual({ mirrors: 2, delivered: 2, pending: 2, failed: 1 });
    const again = await drainAll({ ...deps(), budgetMs: 10_000 });
    expect(again).toEqual({ mirrors: 2, delivered: 0, pending: 2, failed: 1 });
    expect(p("z-down").attempts).toBe(1);
  });

  it("counts nothing when the mirrors cannot be listed", async () => {
    const broken = {
      ...store,
      listMirrors: () => Promise.reject(new BeaconError("store_unavailable", "away")),
    };
    expect(await drainAll({ ...deps({ store: broken }), budgetMs: 1_000 })).toEqual({
      mirrors: 0,
      delivered: 0,
      pending: 0,
      failed: 0,
    });
  });
});
