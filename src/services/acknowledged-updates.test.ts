import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { parseIp } from "../core/ip.js";
import { silentLog } from "../core/log.js";
import { createFakeTime, type FakeTime } from "../core/testing/fake-time.js";
import { systemTimers } from "../core/timers.js";
import type { HostOutcome, UpdateSource } from "../core/update.js";
import { route53Provider } from "../providers/route53/route53.js";
import { testProviderDeps } from "../providers/testing/deps.js";
import { r53Error, startFakeRoute53, type FakeRoute53 } from "../providers/testing/fakes/route53.js";
import type { Provider } from "../providers/types.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/ports.js";
import type { MirrorTarget } from "../store/types.js";
import {
  acknowledgeUpdates,
  MIRROR_LIST_TTL_MS,
  PENDING_RETRY_AFTER_SECONDS,
  type AcknowledgeDeps,
} from "./acknowledged-updates.js";
import { createUpdateService, type UpdateRequest, type UpdateService } from "./apply-update.js";
import { LEASE_POLL_MS } from "./mirror/drain.js";
import { FakeProvider, hang } from "./testing/fake-provider.js";
import { recordingListener } from "./testing/recorders.js";
import { createWriteQueue } from "./write-queue.js";
import { createZoneService } from "./zones.js";

const V4 = "81.2.69.142";
const V4B = "81.2.69.160";
const HOME = "home.example.com";
const OFFICE = "office.example.com";
const source: UpdateSource = { ip: V4, userAgent: "test/1", protocol: "api", tokenId: undefined };
const unavailable = () =>
  new BeaconError("provider_unavailable", "route53: 500 We encountered an internal error (InternalFailure)");

const setA = (fqdn: string, ip: string): UpdateRequest => ({
  token: undefined,
  hosts: [fqdn],
  sets: { A: { values: [ip] } },
  source,
});

/** A store with a zone example.com (home, office, lab) and a mirror "r53" of it. */
async function seeded(clock: () => number): Promise<Store> {
  const store = createMemoryStore();
  const zones = createZoneService({
    store,
    clock,
    listener: recordingListener([]),
    queue: createWriteQueue(),
  });
  await zones.addZone("example.com", { ttl: 120 });
  for (const h of [HOME, OFFICE, "lab.example.com"]) await zones.addHost(h);
  await store.createMirror({
    id: "r53",
    zone: "example.com",
    provider: "route53",
    settings: {},
    createdAt: clock(),
  });
  return store;
}

/** One invocation's service (inner update service + the decorator) on a shared store. */
function service(
  store: Store,
  over: Partial<AcknowledgeDeps> & Pick<AcknowledgeDeps, "provider" | "clock" | "timers">,
): UpdateService {
  const inner = createUpdateService({
    store,
    clock: over.clock,
    listener: recordingListener([]),
    log: silentLog,
    allowNonGlobal: false,
  });
  return acknowledgeUpdates(inner, {
    store,
    log: silentLog,
    node: "lambda-1",
    budgetMs: 5_000,
    deliveryTimeoutMs: 2_000,
    ...over,
  });
}

function dnsPending(fqdn: string, why: string, retryAfterSeconds: number): HostOutcome {
  return {
    status: "failed",
    fqdn,
    code: "dns_pending",
    message: `${fqdn} is saved; Route 53 has not accepted it yet (${why}); retry`,
    retryAfterSeconds,
  };
}

describe("acknowledged updates (fake provider)", () => {
  let store: Store;
  let time: FakeTime;
  let r53: FakeProvider;
  let svc: UpdateService;
  let listings: number;

  beforeEach(async () => {
    time = createFakeTime();
    const base = await seeded(time.clock);
    listings = 0;
    store = { ...base, listMirrors: (zone) => (listings++, base.listMirrors(zone)) };
    r53 = new FakeProvider("r53");
    svc = service(store, { provider: () => r53, clock: time.clock, timers: time.timers });
  });

  /** Runs an update while fake time moves on by `ms` (lease waits and timeouts need it). */
  async function updateOver(s: UpdateService, req: UpdateRequest, ms: number): Promise<HostOutcome[]> {
    const done = s.update(req);
    await time.advance(ms);
    return done;
  }

  it("is good once the change is stored and the mirror accepted it", async () => {
    const [o] = await svc.update(setA(HOME, V4));
    expect(o).toMatchObject({ status: "good", fqdn: HOME });
    expect(r53.accepted).toEqual([{ op: "upsert", fqdn: HOME, type: "A", values: [V4] }]);
    expect(await store.pendingOutbox("r53", 10)).toEqual([]);
  });

  it("Route 53 failing (500): dns_pending with its error; stored, in history as good, the row kept", async () => {
    r53.gate = () => Promise.reject(unavailable());
    const [o] = await svc.update(setA(HOME, V4));
    expect(o).toEqual(dnsPending(HOME, "route53: 500 We encountered an internal error (InternalFailure)", 1));
    expect((await store.getRRSets(HOME)).map((s) => s.values)).toEqual([[V4]]);
    const [entry] = await store.listHistory(HOME);
    expect(entry).toMatchObject({ outcome: "good", newValues: [V4], at: time.clock() });
    expect(await store.pendingOutbox("r53", 10)).toMatchObject([{ fqdn: HOME, type: "A" }]);
  });

  it("throttling: Retry-After is Route 53's own when it is longer than the backoff", async () => {
    r53.gate = () =>
      Promise.reject(
        new BeaconError("provider_rate_limited", "route53: 400 Rate exceeded (Throttling)", {
          details: { retryAfterMs: 7_000 },
        }),
      );
    const [o] = await svc.update(setA(HOME, V4));
    expect(o).toMatchObject({ code: "dns_pending", retryAfterSeconds: 7 });
  });

  it("a Route 53 that does not answer within the delivery timeout: dns_pending, never a hang", async () => {
    r53.gate = hang;
    const [o] = await updateOver(svc, setA(HOME, V4), 2_000);
    expect(o).toEqual(dnsPending(HOME, "fake: aborted before a reply", 1));
    expect(time.pending()).toEqual([]);
  });

  it("a retry with the same address waits for the mirror's next try, then is good, then nochg", async () => {
    r53.gate = () => Promise.reject(unavailable());
    await svc.update(setA(HOME, V4));
    r53.gate = undefined;
    await time.advance(500);
    const [early] = await svc.update(setA(HOME, V4));
    expect(early).toMatchObject({ code: "dns_pending", retryAfterSeconds: 1 });
    expect(r53.attempts).toBe(1);
    await time.advance(500);
    const [retried] = await svc.update(setA(HOME, V4));
    expect(retried).toMatchObject({ status: "good", fqdn: HOME, sets: [{ type: "A", values: [V4] }] });
    expect(r53.accepted).toHaveLength(1);
    const [again] = await svc.update(setA(HOME, V4));
    expect(again).toMatchObject({ status: "nochg" });
    expect(r53.attempts).toBe(2);
  });

  it("nochg when nothing is pending, without calling the mirror", async () => {
    await svc.update(setA(HOME, V4));
    const [o] = await svc.update(setA(HOME, V4));
    expect(o).toMatchObject({ status: "nochg", fqdn: HOME });
    expect(r53.attempts).toBe(1);
  });

  it("a later update of another host of the zone delivers what was waiting", async () => {
    r53.gate = () => Promise.reject(unavailable());
    await svc.update(setA(HOME, V4));
    r53.gate = undefined;
    await time.advance(1_000);
    expect(await svc.update(setA(OFFICE, V4B))).toMatchObject([{ status: "good" }]);
    expect(r53.accepted.map((c) => c.fqdn)).toEqual([HOME, OFFICE]);
    expect(await svc.update(setA(HOME, V4))).toMatchObject([{ status: "nochg" }]);
  });

  it("two invocations updating hosts of one zone at once both end good (one waits for the lease)", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    r53.gate = () => held;
    const other = service(store, {
      provider: () => r53,
      clock: time.clock,
      timers: time.timers,
      node: "lambda-2",
    });
    const first = svc.update(setA(HOME, V4));
    await time.flush();
    const second = other.update(setA(OFFICE, V4B));
    await time.advance(300);
    release();
    await time.advance(200);
    expect(await first).toMatchObject([{ status: "good", fqdn: HOME }]);
    expect(await second).toMatchObject([{ status: "good", fqdn: OFFICE }]);
    expect(new Set(r53.accepted.map((c) => c.fqdn))).toEqual(new Set([HOME, OFFICE]));
    expect(time.delays).toContain(LEASE_POLL_MS);
  });

  it("the budget ending while another invocation holds the lease: dns_pending, bounded", async () => {
    await store.claimMirror("r53", "lambda-9", time.clock(), 60_000);
    const [o] = await updateOver(svc, setA(HOME, V4), 5_000);
    expect(o).toEqual(dnsPending(HOME, "another update is delivering it", PENDING_RETRY_AFTER_SECONDS));
    expect(time.pending()).toEqual([]);
    expect(r53.attempts).toBe(0);
  });

  it("several hosts: each its own outcome; failures of the update pass through", async () => {
    const outcomes = await svc.update({ ...setA(HOME, V4), hosts: [HOME, "nope.example.com", OFFICE] });
    expect(outcomes.map((o) => (o.status === "failed" ? o.code : o.status))).toEqual([
      "good",
      "host_not_found",
      "good",
    ]);
  });

  it("reads the mirror list once, again for a zone it has no mirror of, and once it is old", async () => {
    await svc.update(setA(HOME, V4));
    await svc.update(setA(OFFICE, V4));
    expect(listings).toBe(1);
    const zones = createZoneService({
      store,
      clock: time.clock,
      listener: recordingListener([]),
      queue: createWriteQueue(),
    });
    await zones.addZone("example.net");
    await zones.addHost("home.example.net");
    const r53net = new FakeProvider("r53-net");
    await store.createMirror({
      id: "r53-net",
      zone: "example.net",
      provider: "route53",
      settings: {},
      createdAt: 1,
    });
    const both = service(store, {
      provider: (m: MirrorTarget): Provider => (m.id === "r53" ? r53 : r53net),
      clock: time.clock,
      timers: time.timers,
    });
    await both.update(setA(HOME, V4B));
    await both.update(setA("home.example.net", V4));
    expect(listings).toBe(2);
    expect(r53net.accepted).toHaveLength(1);
    await time.advance(MIRROR_LIST_TTL_MS);
    await both.update(setA("home.example.net", V4B));
    expect(listings).toBe(3);
  });

  it("a store failure while checking: dns_pending (stored; whether Route 53 has it is unknown)", async () => {
    const broken = {
      ...store,
      getHost: () => Promise.reject(new BeaconError("store_unavailable", "the table is away")),
    };
    const inner = createUpdateService({
      store,
      clock: time.clock,
      listener: recordingListener([]),
      log: silentLog,
      allowNonGlobal: false,
    });
    const s = acknowledgeUpdates(inner, {
      store: broken,
      provider: () => r53,
      clock: time.clock,
      timers: time.timers,
      log: silentLog,
      node: "n",
      budgetMs: 1_000,
    });
    const [o] = await s.update(setA(HOME, V4));
    expect(o).toMatchObject({ code: "dns_pending", retryAfterSeconds: PENDING_RETRY_AFTER_SECONDS });
    expect(o?.status === "failed" && o.message).toContain("could not check: the table is away");
  });

  it("passes acceptsAddress and transact through", async () => {
    expect(svc.acceptsAddress(parseIp("10.0.0.1")!)).toBe(false);
    const [o] = await svc.transact((apply) => apply(setA(HOME, V4)));
    expect(o).toMatchObject({ status: "good" });
  });
});

describe("acknowledged updates through the Route 53 provider (fake Route 53: SigV4, XML)", () => {
  const KEY = "AKIABEACONTEST000001";
  const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  let fake: FakeRoute53;
  let zoneId: string;
  beforeAll(async () => {
    fake = await startFakeRoute53({ keys: { [KEY]: { secret: SECRET } } });
    zoneId = fake.addZone("example.com");
  });
  afterAll(async () => {
    await fake.close();
  });

  it("a 500 is dns_pending with Route 53's words; the retry after the backoff puts the set in the zone", async () => {
    let skew = 0;
    const clock = () => Date.now() + skew;
    const store = await seeded(clock);
    const settings = route53Provider.settings.parse({
      access_key_id: KEY,
      secret_access_key: SECRET,
      endpoint: fake.url,
      hosted_zone_id: zoneId,
    });
    const provider = route53Provider.create("r53", settings, testProviderDeps());
    const svc = service(store, {
      provider: () => provider,
      clock,
      timers: systemTimers,
      deliveryTimeoutMs: 10_000,
    });

    fake.failAll(r53Error(500, "InternalFailure", "We encountered an internal error. Please try again."));
    const [o] = await svc.update(setA(HOME, V4));
    expect(o).toMatchObject({ status: "failed", code: "dns_pending", retryAfterSeconds: 1 });
    expect(o?.status === "failed" && o.message).toMatch(
      /^home\.example\.com is saved; Route 53 has not accepted it yet \(.*internal error.*\); retry$/,
    );
    expect(fake.find(zoneId, HOME, "A")).toEqual([]);

    fake.failAll(undefined);
    skew += 1_000; // past the mirror's nextTryAt, without waiting
    expect(await svc.update(setA(HOME, V4))).toMatchObject([{ status: "good", fqdn: HOME }]);
    expect(fake.find(zoneId, HOME, "A")).toMatchObject([
      { name: "home.example.com.", ttl: 120, values: [V4] },
    ]);
    expect(await svc.update(setA(HOME, V4))).toMatchObject([{ status: "nochg" }]);
  });
});
