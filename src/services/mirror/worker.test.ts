import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createFakeTime, type FakeTime } from "../../core/testing/fake-time.js";
import { BeaconError } from "../../core/errors.js";
import type {
  Provider,
  ProviderCapabilities,
  ProviderRecordType,
  WriteRequest,
} from "../../providers/types.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import { hostFixture, zoneFixture } from "../../store/testing/fixtures.js";
import type { MirrorStatus, MirrorTarget } from "../../store/types.js";
import type { Store } from "../../store/ports.js";
import type { Log } from "../../core/log.js";
import { createMirrorWorker, type MirrorWorker } from "./worker.js";

const ZONE = "example.com";

interface Call {
  readonly mirror: string;
  readonly op: "upsert" | "delete";
  readonly fqdn: string;
  readonly type: ProviderRecordType;
  readonly values?: readonly string[];
  readonly ttl?: number | undefined;
}

const FULL: ProviderCapabilities = {
  types: ["A", "AAAA", "TXT"],
  read: true,
  delete: true,
  multiValue: true,
  ttl: true,
};

/** A provider that records calls; `gate` (when set) decides each call's fate. */
class FakeProvider implements Provider {
  readonly type = "fake";
  readonly calls: Call[] = [];
  gate: ((call: Call, signal: AbortSignal) => Promise<void>) | undefined;
  constructor(
    readonly id: string,
    readonly capabilities: ProviderCapabilities = FULL,
  ) {}
  get(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  async upsert(req: WriteRequest, ctx: { signal: AbortSignal }): Promise<"changed"> {
    const call: Call = {
      mirror: this.id,
      op: "upsert",
      fqdn: req.fqdn,
      type: req.type,
      values: req.values,
      ttl: req.ttl,
    };
    await this.gate?.(call, ctx.signal);
    this.calls.push(call);
    return "changed";
  }
  async delete(fqdn: string, type: ProviderRecordType, ctx: { signal: AbortSignal }): Promise<"changed"> {
    const call: Call = { mirror: this.id, op: "delete", fqdn, type };
    await this.gate?.(call, ctx.signal);
    this.calls.push(call);
    return "changed";
  }
}

interface LogLine {
  readonly level: string;
  readonly obj: object;
  readonly msg: string | undefined;
}

function recordingLog(lines: LogLine[]): Log {
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj, msg });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

const unavailable = () => new BeaconError("provider_unavailable", "fake: 503 down for maintenance");

describe("mirror worker", () => {
  let store: Store;
  let time: FakeTime;
  let providers: Map<string, FakeProvider>;
  let built: string[];
  let logs: LogLine[];
  let worker: MirrorWorker | undefined;
  let factory: (m: MirrorTarget) => Provider;

  beforeEach(async () => {
    store = createMemoryStore();
    time = createFakeTime();
    providers = new Map();
    built = [];
    logs = [];
    factory = (m) => {
      built.push(m.id);
      const p = providers.get(m.id) ?? new FakeProvider(m.id);
      providers.set(m.id, p);
      return p;
    };
    await store.createZone(zoneFixture(ZONE));
    for (const h of ["a", "b", "c"]) await store.createHost(hostFixture(`${h}.${ZONE}`, ZONE));
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  function start(over: { maxBackoffMs?: number; batchSize?: number; alone?: boolean } = {}): MirrorWorker {
    worker = createMirrorWorker({
      store,
      provider: (m) => factory(m),
      clock: time.clock,
      log: recordingLog(logs),
      timers: time.timers,
      deliveryTimeoutMs: 10_000,
      node: "node-a",
      ...over,
    });
    worker.start();
    return worker;
  }

  async function addMirror(id: string, zone = ZONE, caps?: ProviderCapabilities): Promise<FakeProvider> {
    await store.createMirror({ id, zone, provider: "fake", settings: {}, createdAt: time.clock() });
    const p = new FakeProvider(id, caps);
    providers.set(id, p);
    return p;
  }

  async function setA(host: string, ...values: string[]): Promise<void> {
    await store.commit({
      writes: [{ fqdn: `${host}.${ZONE}`, type: "A", rrset: { ttl: 60, values } }],
      history: [],
      at: time.clock(),
    });
  }

  async function status(id: string): Promise<MirrorStatus | undefined> {
    return (await store.mirrorStatus()).find((s) => s.id === id);
  }

  const valuesSeen = (p: FakeProvider, host: string) =>
    p.calls
      .filter((c) => c.fqdn === `${host}.${ZONE}`)
      .map((c) => (c.op === "delete" ? "-" : c.values?.join(",")));

  it("delivers what the outbox holds at start, coalesced per name, in order of the newest change", async () => {
    const p = await addMirror("m1");
    await setA("a", "192.0.2.1");
    await setA("b", "192.0.2.10");
    await setA("a", "192.0.2.2");
    await setA("a", "192.0.2.3", "192.0.2.4");
    start();
    await time.flush();
    expect(p.calls).toEqual([
      { mirror: "m1", op: "upsert", fqdn: `b.${ZONE}`, type: "A", values: ["192.0.2.10"], ttl: 60 },
      {
        mirror: "m1",
        op: "upsert",
        fqdn: `a.${ZONE}`,
        type: "A",
        values: ["192.0.2.3", "192.0.2.4"],
        ttl: 60,
      },
    ]);
    expect(await status("m1")).toMatchObject({
      pending: 0,
      delivered: 4,
      attempts: 0,
      lastSuccessAt: time.clock(),
    });
    expect(logs.filter((l) => l.level === "debug" && l.msg === "mirror change delivered")).toHaveLength(2);
  });

  it("delivers a new change after kick(), and not before", async () => {
    const p = await addMirror("m1");
    start();
    await time.flush();
    await setA("a", "192.0.2.1");
    await time.flush();
    expect(p.calls).toEqual([]);
    worker?.kick();
    await time.flush();
    expect(valuesSeen(p, "a")).toEqual(["192.0.2.1"]);
  });

  it("delivers deletes, including those of a deleted host", async () => {
    const p = await addMirror("m1");
    await setA("a", "192.0.2.1");
    await store.commit({
      writes: [{ fqdn: `b.${ZONE}`, type: "TXT", rrset: { ttl: 60, values: ["x"] } }],
      history: [],
      at: time.clock(),
    });
    await store.commit({
      writes: [{ fqdn: `b.${ZONE}`, type: "TXT", rrset: null }],
      history: [],
      at: time.clock(),
    });
    await store.deleteHost(`a.${ZONE}`, time.clock());
    start();
    await time.flush();
    expect(p.calls.map((c) => `${c.op} ${c.fqdn} ${c.type}`)).toEqual([
      `delete b.${ZONE} TXT`,
      `delete a.${ZONE} A`,
    ]);
  });

  it("backs off 1 s doubling to the maximum, retries only when due, then clears the error", async () => {
    const p = await addMirror("m1");
    let failing = true;
    p.gate = () => (failing ? Promise.reject(unavailable()) : Promise.resolve());
    await setA("a", "192.0.2.1");
    start({ maxBackoffMs: 5_000 });
    await time.flush();
    expect(await status("m1")).toMatchObject({
      pending: 1,
      attempts: 1,
      lastError: {
        code: "provider_unavailable",
        message: "fake: 503 down for maintenance",
        at: time.clock(),
      },
      nextTryAt: time.clock() + 1_000,
    });
    expect(time.pending()).toEqual([1_000]);
    expect(logs.some((l) => l.level === "warn" && l.msg === "mirror delivery failed; will retry")).toBe(true);

    // A kick while parked does not retry early.
    await setA("a", "192.0.2.2");
    worker?.kick();
    await time.advance(999);
    expect((await status("m1"))?.attempts).toBe(1);
    await time.advance(1);
    expect((await status("m1"))?.attempts).toBe(2);
    expect(time.pending()).toEqual([2_000]);
    await time.advance(2_000);
    expect(time.pending()).toEqual([4_000]);
    await time.advance(4_000);
    expect(time.pending()).toEqual([5_000]); // capped
    expect(p.calls).toEqual([]);

    failing = false;
    await time.advance(5_000);
    expect(valuesSeen(p, "a")).toEqual(["192.0.2.2"]);
    expect(await status("m1")).toMatchObject({
      pending: 0,
      attempts: 0,
      lastError: undefined,
      nextTryAt: undefined,
      delivered: 2,
    });
    expect(time.pending()).toEqual([]);
  });

  it("waits at least as long as the vendor's Retry-After", async () => {
    const p = await addMirror("m1");
    p.gate = () =>
      Promise.reject(
        new BeaconError("provider_rate_limited", "fake: slow down", { details: { retryAfterMs: 42_000 } }),
      );
    await setA("a", "192.0.2.1");
    start();
    await time.flush();
    expect(time.pending()).toEqual([42_000]);
    expect((await status("m1"))?.lastError?.code).toBe("provider_rate_limited");
  });

  it("keeps other mirrors going while one fails", async () => {
    const bad = await addMirror("bad");
    const good = await addMirror("good");
    bad.gate = () => Promise.reject(unavailable());
    await setA("a", "192.0.2.1");
    start();
    await time.flush();
    await setA("a", "192.0.2.2");
    worker?.kick();
    await time.flush();
    expect(valuesSeen(good, "a")).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(await status("bad")).toMatchObject({ pending: 2, attempts: 1 });
    expect(await status("good")).toMatchObject({ pending: 0, attempts: 0 });
  });

  it("never loses a change: a failure mid-batch keeps the rest, delivered later in order", async () => {
    const p = await addMirror("m1");
    await setA("a", "192.0.2.1");
    await setA("b", "192.0.2.10");
    await setA("c", "192.0.2.20");
    let n = 0;
    p.gate = () =>
      ++n === 2 ? Promise.reject(new BeaconError("network_error", "reset")) : Promise.resolve();
    start();
    await time.flush();
    expect(p.calls.map((c) => c.fqdn)).toEqual([`a.${ZONE}`]);
    expect(await status("m1")).toMatchObject({ pending: 2, delivered: 1, attempts: 1 });
    await time.advance(1_000);
    expect(p.calls.map((c) => c.fqdn)).toEqual([`a.${ZONE}`, `b.${ZONE}`, `c.${ZONE}`]);
    expect((await status("m1"))?.pending).toBe(0);
  });

  it("acks only rows up to the delivered one: a change arriving mid-delivery is sent next", async () => {
    const p = await addMirror("m1");
    let release: (() => void) | undefined;
    p.gate = (call) =>
      call.values?.[0] === "192.0.2.1" ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    await setA("a", "192.0.2.1");
    start();
    await time.flush();
    expect(release).toBeDefined();
    await setA("a", "192.0.2.2");
    worker?.kick();
    release?.();
    await time.flush();
    expect(valuesSeen(p, "a")).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect((await status("m1"))?.pending).toBe(0);
  });

  it("skips (acks, logs and counts) what the provider can never hold", async () => {
    const p = await addMirror("m1", ZONE, {
      types: ["A"],
      read: false,
      delete: false,
      multiValue: false,
      ttl: false,
    });
    await setA("a", "192.0.2.1");
    await store.commit({
      writes: [{ fqdn: `a.${ZONE}`, type: "A", rrset: null }],
      history: [],
      at: time.clock(),
    });
    await setA("b", "192.0.2.1", "192.0.2.2");
    await store.commit({
      writes: [{ fqdn: `c.${ZONE}`, type: "TXT", rrset: { ttl: 60, values: ["t"] } }],
      history: [],
      at: time.clock(),
    });
    await setA("c", "192.0.2.5");
    start();
    await time.flush();
    expect(p.calls.map((c) => `${c.fqdn} ${c.values?.join(",")}`)).toEqual([`c.${ZONE} 192.0.2.5`]);
    expect(await status("m1")).toMatchObject({ pending: 0, skipped: 4, delivered: 1 });
    const skips = logs.filter((l) => l.msg === "mirror cannot hold this change; skipped");
    expect(skips.map((l) => l.level)).toEqual(["warn", "warn", "warn"]);
    expect(skips.map((l) => (l.obj as { reason: string }).reason)).toEqual([
      "provider fake cannot delete records",
      "provider fake holds one value per set, the set has 2",
      "provider fake does not hold TXT records",
    ]);
  });

  it("records a provider that cannot be built (e.g. a missing secret file) and builds it again later", async () => {
    const p = await addMirror("m1");
    let broken = true;
    factory = (m) => {
      built.push(m.id);
      if (broken)
        throw new BeaconError("config_invalid", "mirrors.m1.api_token_file: cannot read /x: ENOENT");
      return p;
    };
    await setA("a", "192.0.2.1");
    start();
    await time.flush();
    expect((await status("m1"))?.lastError).toMatchObject({ code: "config_invalid" });
    broken = false;
    await time.advance(1_000);
    expect(built).toEqual(["m1", "m1"]);
    expect(valuesSeen(p, "a")).toEqual(["192.0.2.1"]);
    // Built once it worked; not again per delivery.
    await setA("a", "192.0.2.2");
    worker?.kick();
    await time.flush();
    expect(built).toEqual(["m1", "m1"]);
  });

  it("picks up mirrors added and removed after start", async () => {
    start();
    await time.flush();
    await setA("a", "192.0.2.1");
    const p = await addMirror("late");
    await store.enqueueResync("late", time.clock());
    worker?.kick();
    await time.flush();
    expect(valuesSeen(p, "a")).toEqual(["192.0.2.1"]);

    await store.deleteMirror("late");
    worker?.kick();
    await setA("a", "192.0.2.2");
    worker?.kick();
    await time.flush();
    expect(valuesSeen(p, "a")).toEqual(["192.0.2.1"]);
  });

  it("a new worker on the same store resumes at once, continuing the failure count", async () => {
    const p = await addMirror("m1");
    p.gate = () => Promise.reject(unavailable());
    await setA("a", "192.0.2.1");
    start();
    await time.flush();
    await time.advance(1_000);
    expect((await status("m1"))?.attempts).toBe(2);
    await worker?.stop();
    expect(time.pending()).toEqual([]);

    p.gate = undefined;
    start();
    await time.flush();
    expect(valuesSeen(p, "a")).toEqual(["192.0.2.1"]);

    // The failure count continues: a new worker facing a failure backs off from where it was.
    await worker?.stop();
    p.gate = () => Promise.reject(unavailable());
    await setA("a", "192.0.2.2");
    await store.failMirror("m1", { code: "x", message: "y", at: time.clock(), nextTryAt: time.clock() });
    await store.failMirror("m1", { code: "x", message: "y", at: time.clock(), nextTryAt: time.clock() });
    start();
    await time.flush();
    expect(time.pending()).toEqual([4_000]);
  });

  it("a lease left by a killed process: waited for on a shared store, freed at once by a node alone", async () => {
    const p = await addMirror("m1");
    await setA("a", "192.0.2.1");
    await store.claimMirror("m1", "killed-node", time.clock(), 20_000);
    start();
    await time.flush();
    expect(p.calls).toEqual([]);
    expect(time.pending()).toEqual([20_000]);
    await worker?.stop();

    start({ alone: true });
    await time.flush();
    expect(valuesSeen(p, "a")).toEqual(["192.0.2.1"]);
    expect((await status("m1"))?.lease?.owner).toBe("node-a");
  });

  it("stop() waits for the delivery in flight, records it, and starts nothing new", async () => {
    const p = await addMirror("m1");
    let release: (() => void) | undefined;
    p.gate = (call) =>
      call.fqdn === `a.${ZONE}` ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    await setA("a", "192.0.2.1");
    await setA("b", "192.0.2.2");
    start();
    await time.flush();
    let stopped = false;
    const stopping = worker?.stop().then(() => (stopped = true));
    await time.flush();
    expect(stopped).toBe(false);
    release?.();
    await stopping;
    expect(p.calls.map((c) => c.fqdn)).toEqual([`a.${ZONE}`]);
    expect(await status("m1")).toMatchObject({ pending: 1, delivered: 1 });
    worker?.kick();
    await time.flush();
    expect(p.calls).toHaveLength(1);
  });

  it("a delivery that outlives deliveryTimeoutMs is aborted, recorded as failed, and stop() does not hang", async () => {
    const p = await addMirror("m1");
    p.gate = (_call, signal) =>
      new Promise<void>((_, reject) =>
        signal.addEventListener("abort", () => reject(new BeaconError("aborted", "fake: aborted"))),
      );
    await setA("a", "192.0.2.1");
    start();
    await time.flush();
    const stopping = worker?.stop();
    await time.advance(10_000);
    await stopping;
    expect(await status("m1")).toMatchObject({ pending: 1, attempts: 1, lastError: { code: "aborted" } });
  });

  describe("two nodes on one store", () => {
    // deliveryTimeoutMs 10 s, so the lease is 20 s, renewed after 6.7 s.
    const LEASE = 20_000;
    let nodes: MirrorWorker[];
    beforeEach(() => {
      nodes = [];
    });
    afterEach(async () => {
      // A node stuck in a call (as if killed) is given up on after deliveryTimeoutMs.
      const stopping = Promise.all(nodes.map((n) => n.stop()));
      await time.advance(10_000);
      await stopping;
    });

    /** A node whose calls land at the one vendor (providers[id]), with its name on each call. */
    function startNode(name: string, gate?: (call: Call) => Promise<void>): MirrorWorker {
      const n = createMirrorWorker({
        store,
        provider: (m) => {
          const vendor = providers.get(m.id) ?? new FakeProvider(m.id);
          const p = new FakeProvider(`${m.id}@${name}`);
          p.gate = async (call, signal) => {
            await gate?.(call);
            await vendor.gate?.(call, signal);
            vendor.calls.push(call);
          };
          return p;
        },
        clock: time.clock,
        log: recordingLog(logs),
        timers: time.timers,
        deliveryTimeoutMs: 10_000,
        node: name,
      });
      nodes.push(n);
      n.start();
      return n;
    }

    it("deliver each change exactly once between them, one node per mirror at a time", async () => {
      const m1 = await addMirror("m1");
      const m2 = await addMirror("m2");
      const a = startNode("node-a");
      const b = startNode("node-b");
      const expected: string[] = [];
      for (let i = 1; i <= 30; i++) {
        await setA(["a", "b", "c"][i % 3] ?? "a", `192.0.2.${i}`);
        expected.push(`192.0.2.${i}`);
        (i % 2 === 0 ? a : b).kick();
        if (i % 4 === 0) (i % 8 === 0 ? b : a).kick();
        if (i % 5 === 0) await time.advance(LEASE / 2);
        else await time.flush();
      }
      await time.advance(LEASE);
      for (const p of [m1, m2]) {
        const values = p.calls.map((c) => c.values?.join(","));
        expect(new Set(values).size).toBe(values.length); // none twice
        expect(values.filter((v) => v !== undefined && expected.includes(v)).length).toBe(values.length);
      }
      for (const id of ["m1", "m2"]) expect(await status(id)).toMatchObject({ pending: 0, delivered: 30 });
      // The last write of each name is at the vendor.
      for (const p of [m1, m2]) {
        for (const [host, last] of [
          ["a", "192.0.2.30"],
          ["b", "192.0.2.28"],
          ["c", "192.0.2.29"],
        ] as const)
          expect(valuesSeen(p, host).at(-1)).toBe(last);
      }
    });

    it("a node killed mid-delivery (never renews, never frees) is taken over after the lease; nothing is lost", async () => {
      const vendor = await addMirror("m1");
      await setA("a", "192.0.2.1");
      await setA("b", "192.0.2.2");
      let started = false;
      // node-a hangs in its first call for good, deaf to the abort: as if killed there.
      startNode("node-a", () => {
        started = true;
        return new Promise<void>(() => undefined);
      });
      await time.flush();
      expect(started).toBe(true);
      expect((await status("m1"))?.lease?.owner).toBe("node-a");
      startNode("node-b");
      await setA("c", "192.0.2.3");
      nodes[1]?.kick();
      await time.advance(LEASE - 1);
      expect(vendor.calls).toEqual([]);
      expect((await status("m1"))?.lease?.owner).toBe("node-a");
      await time.advance(1);
      expect(vendor.calls.map((c) => c.values?.[0])).toEqual(["192.0.2.1", "192.0.2.2", "192.0.2.3"]);
      expect(await status("m1")).toMatchObject({
        pending: 0,
        delivered: 3,
        lease: { owner: "node-b" },
      });
    });

    it("a node that stalled past its lease records nothing over the new holder and stops", async () => {
      const vendor = await addMirror("m1");
      await setA("a", "192.0.2.1");
      await setA("b", "192.0.2.2");
      let resume: (() => void) | undefined;
      startNode("node-a", (call) =>
        call.values?.[0] === "192.0.2.1" && resume === undefined
          ? new Promise<void>((r) => (resume = r))
          : Promise.resolve(),
      );
      await time.flush();
      startNode("node-b");
      await time.advance(LEASE);
      expect(vendor.calls.map((c) => c.values?.[0])).toEqual(["192.0.2.1", "192.0.2.2"]);
      const after = await status("m1");
      expect(after).toMatchObject({ pending: 0, delivered: 2, lease: { owner: "node-b" } });

      // node-a wakes up: its write reaches the vendor again (an idempotent upsert), its ack does not count.
      await time.advance(1_000);
      await setA("c", "192.0.2.3");
      resume?.();
      await time.flush();
      expect(vendor.calls.map((c) => c.values?.[0])).toEqual(["192.0.2.1", "192.0.2.2", "192.0.2.1"]);
      expect(await status("m1")).toMatchObject({
        pending: 1,
        delivered: 2,
        lastSuccessAt: after?.lastSuccessAt,
        lease: { owner: "node-b" },
      });
      expect(logs.some((l) => l.msg === "mirror lease taken over by another node")).toBe(true);
      nodes[1]?.kick();
      await time.flush();
      expect(vendor.calls.map((c) => c.values?.[0])).toEqual([
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.1",
        "192.0.2.3",
      ]);
      expect(await status("m1")).toMatchObject({ pending: 0, delivered: 3 });
    });

    it("a node stopping cleanly frees its leases: the other takes over at its next look", async () => {
      const vendor = await addMirror("m1");
      const a = startNode("node-a");
      await time.flush();
      const b = startNode("node-b");
      await time.flush();
      expect((await status("m1"))?.lease?.owner).toBe("node-a");
      expect(time.pending()).toEqual([LEASE]); // node-b looks again when node-a's lease could end
      await a.stop();
      expect((await status("m1"))?.lease).toBeUndefined();
      await setA("a", "192.0.2.1");
      // Kicked on every commit, a waiting node looks at most once a second (each look is a write).
      b.kick();
      await time.flush();
      expect(vendor.calls).toEqual([]);
      await time.advance(999);
      b.kick();
      await time.flush();
      expect(vendor.calls).toEqual([]);
      await time.advance(1);
      b.kick();
      await time.flush();
      expect(vendor.calls.map((c) => c.values?.[0])).toEqual(["192.0.2.1"]);
      expect((await status("m1"))?.lease?.owner).toBe("node-b");
      expect(time.pending()).toEqual([]);
    });

    it("a failing vendor's backoff holds for both: the holder keeps the lease until its retry", async () => {
      const vendor = await addMirror("m1");
      vendor.gate = () => Promise.reject(unavailable());
      await setA("a", "192.0.2.1");
      startNode("node-a");
      await time.flush();
      startNode("node-b");
      await time.flush();
      // Failing 1 s, 2 s, 4 s, … : node-b never gets in first, whatever it is told.
      for (let i = 0; i < 5; i++) {
        nodes[1]?.kick();
        await time.advance(LEASE);
      }
      expect((await status("m1"))?.lease?.owner).toBe("node-a");
      const attempts = (await status("m1"))?.attempts ?? 0;
      expect(attempts).toBeGreaterThanOrEqual(5);
      expect(attempts).toBeLessThan(20);
    });
  });
});
