// Following another process's commits: only the touched names are read and told, the DNS index and
// the transfer journal end up as a reload would leave them (with IXFR diffs kept), and a log that
// cannot say falls back to a snapshot. Hostile inputs: 300 hosts of which one changes; a zone
// deleted and another created with hosts between two polls; a log pruned past the position; more
// changes than the limit; this server's own changes told again.

import { afterEach, describe, expect, it } from "vitest";

import { ZoneJournal } from "../dns/xfr/journal.js";
import { ZoneIndex } from "../dns/answer/zone-index.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { openTempStore } from "../store/sqlite/testing/temp-store.js";
import { hostFixture, T0, zoneFixture } from "../store/testing/fixtures.js";
import type { ChangeBatch, Snapshot } from "../store/types.js";
import type { Store } from "../store/ports.js";
import { applyDelta, createExternalChanges } from "./external-changes.js";
import type { ChangeListener } from "../store/change-listener.js";
import { createWriteQueue } from "./write-queue.js";

const ZONE = "example.com";
const HOSTS = 300;

const setA = (fqdn: string, value: string): ChangeBatch => ({
  writes: [{ fqdn, type: "A", rrset: { ttl: 60, values: [value] } }],
  history: [],
  at: T0,
});

/** Every call a listener gets, as [method, name]. */
function recorder(): ChangeListener & { calls: [string, string][] } {
  const calls: [string, string][] = [];
  return {
    calls,
    zoneChanged: (z) => calls.push(["zoneChanged", z.name]),
    zoneRemoved: (n) => calls.push(["zoneRemoved", n]),
    hostChanged: (f) => calls.push(["hostChanged", f]),
    hostRemoved: (f) => calls.push(["hostRemoved", f]),
    serialChanged: (z) => calls.push(["serialChanged", z]),
  };
}

/** `store` as a server sees it: externalVersion moves when the test says another process wrote. */
function asServer(store: Store) {
  let version = 0;
  let snapshots = 0;
  let failNext = false;
  const overrides: Partial<Store> = {
    changesSince: (after, limit) => {
      if (!failNext) return store.changesSince(after, limit);
      failNext = false;
      return Promise.reject(new Error("SQLITE_BUSY (simulated)"));
    },
    externalVersion: () => Promise.resolve(version),
    snapshot: () => {
      snapshots++;
      return store.snapshot();
    },
  };
  const seen = new Proxy(store, {
    get: (target, key: keyof Store): unknown => {
      const own: unknown = overrides[key];
      if (own !== undefined) return own;
      const v: unknown = Reflect.get(target, key);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    store: seen,
    otherProcessWrote: () => version++,
    snapshots: () => snapshots,
    failNextRead: () => (failNext = true),
  };
}

const stores: [string, () => Promise<{ store: Store; cleanup: () => Promise<void> }>][] = [
  ["memory", () => Promise.resolve({ store: createMemoryStore(), cleanup: () => Promise.resolve() })],
  ["sqlite", openTempStore],
];

describe.each(stores)("following outside changes (%s store)", (_name, make) => {
  let cleanup: () => Promise<void> = () => Promise.resolve();
  afterEach(() => cleanup());

  async function seeded() {
    const made = await make();
    cleanup = made.cleanup;
    const raw = made.store;
    await raw.createZone(zoneFixture(ZONE));
    await raw.createZone(zoneFixture("example.net"));
    for (let i = 0; i < HOSTS; i++) await raw.createHost(hostFixture(`h${i}.${ZONE}`, ZONE));
    await raw.createHost(hostFixture(`n.example.net`, "example.net"));
    await raw.commit(setA(`h1.${ZONE}`, "192.0.2.1"));
    const server = asServer(raw);
    const index = new ZoneIndex();
    const journal = new ZoneJournal(index); // it passes every change and load on to the index
    const calls = recorder();
    const listener: ChangeListener = {
      zoneChanged: (z) => [journal, calls].forEach((l) => l.zoneChanged(z)),
      zoneRemoved: (n) => [journal, calls].forEach((l) => l.zoneRemoved(n)),
      hostChanged: (f, z, s) => [journal, calls].forEach((l) => l.hostChanged(f, z, s)),
      hostRemoved: (f, z) => [journal, calls].forEach((l) => l.hostRemoved(f, z)),
      serialChanged: (z, s) => [journal, calls].forEach((l) => l.serialChanged(z, s)),
    };
    const load = (s: Snapshot) => journal.load(s);
    const follower = createExternalChanges({
      store: server.store,
      listener,
      load,
      queue: createWriteQueue(),
      log: { debug() {}, info() {}, warn() {}, error() {} },
      maxChanges: 50,
    });
    await follower.start();
    return { raw, server, index, journal, calls, follower };
  }

  const answer = (index: ZoneIndex, name: string) => {
    const zone = index.findZone(name);
    const node = zone && index.lookup(zone, name);
    return node && [...node.sets.values()].map((s) => s.values.join(","));
  };

  it("applies one host changed elsewhere by reading and telling only that host, with its IXFR diff", async () => {
    const { raw, server, index, journal, calls, follower } = await seeded();
    const serialBefore = (await raw.getZone(ZONE))!.serial;
    expect(await follower.step()).toBe("none"); // nothing moved
    await raw.commit(setA(`h7.${ZONE}`, "198.51.100.7"));
    server.otherProcessWrote();
    expect(await follower.step()).toBe("delta");
    expect(calls.calls).toEqual([
      ["hostChanged", `h7.${ZONE}`],
      ["zoneChanged", ZONE],
    ]);
    expect(server.snapshots()).toBe(1); // the start's, no other
    expect(answer(index, `h7.${ZONE}`)).toEqual(["198.51.100.7"]);
    expect(index.findZone(ZONE)?.serial).toBe((await raw.getZone(ZONE))!.serial);
    const diffs = journal.diffsSince(ZONE, serialBefore);
    expect(diffs?.map((d) => [d.from, d.added.map((r) => r.name), d.removed.length])).toEqual([
      [serialBefore, [`h7.${ZONE}`], 0],
    ]);
  });

  it("removes a zone and a host, and serves a zone created with hosts, as a reload would", async () => {
    const { raw, server, index, journal, calls, follower } = await seeded();
    await raw.deleteZone("example.net", { cascade: true });
    await raw.deleteHost(`h3.${ZONE}`);
    await raw.createZone(zoneFixture("example.org", { serial: 42 }));
    await raw.createHost(hostFixture("www.example.org", "example.org"));
    await raw.commit(setA("www.example.org", "203.0.113.9"));
    server.otherProcessWrote();
    expect(await follower.step()).toBe("delta");
    expect(calls.calls).toEqual([
      ["zoneRemoved", "example.net"],
      ["zoneChanged", "example.org"], // created: before its hosts
      ["hostRemoved", `h3.${ZONE}`],
      ["hostRemoved", "n.example.net"],
      ["hostChanged", "www.example.org"],
      ["zoneChanged", ZONE], // its new serial after its content
      ["serialChanged", "example.org"],
    ]);
    expect(answer(index, "www.example.org")).toEqual(["203.0.113.9"]);
    expect(answer(index, `h3.${ZONE}`)).toBeUndefined();
    expect(index.findZone("n.example.net")).toBeUndefined();
    // The same views a reload from a snapshot gives.
    const reloadedIndex = new ZoneIndex();
    const reloaded = { index: reloadedIndex, journal: new ZoneJournal(reloadedIndex) };
    reloaded.journal.load(await raw.snapshot());
    for (const zone of ["example.com", "example.org"]) {
      expect(journal.zone(zone)?.records()).toEqual(reloaded.journal.zone(zone)?.records());
      expect(journal.zone(zone)?.serial).toBe(reloaded.journal.zone(zone)?.serial);
      expect(index.findZone(zone)?.serial).toBe(reloaded.index.findZone(zone)?.serial);
    }
    expect(journal.zone("example.net")).toBeUndefined();
  });

  it("reloads from a snapshot when more changes than the limit are waiting, or the log was pruned", async () => {
    const { raw, server, index, follower } = await seeded();
    for (let i = 0; i < 60; i++) await raw.commit(setA(`h${i}.${ZONE}`, `192.0.2.${i + 1}`));
    server.otherProcessWrote();
    expect(await follower.step()).toBe("reload");
    expect(server.snapshots()).toBe(2);
    expect(answer(index, `h59.${ZONE}`)).toEqual(["192.0.2.60"]);

    await raw.commit(setA(`h1.${ZONE}`, "192.0.2.200"));
    await raw.commit(setA(`h2.${ZONE}`, "192.0.2.201"));
    expect(await follower.prune()).toBe(0); // it keeps far more rows than this store has
    expect(await raw.pruneChanges(1, 1000)).toBeGreaterThan(0);
    server.otherProcessWrote();
    expect(await follower.step()).toBe("reload");
    expect(answer(index, `h2.${ZONE}`)).toEqual(["192.0.2.201"]);
  });

  it("a step whose read failed is tried again by the next one", async () => {
    const { raw, server, index, follower } = await seeded();
    await raw.commit(setA(`h5.${ZONE}`, "198.51.100.5"));
    server.otherProcessWrote();
    server.failNextRead();
    await expect(follower.step()).rejects.toThrow("SQLITE_BUSY (simulated)");
    expect(answer(index, `h5.${ZONE}`)).toBeUndefined(); // no records yet: not a name in DNS
    expect(await follower.step()).toBe("delta");
    expect(answer(index, `h5.${ZONE}`)).toEqual(["198.51.100.5"]);
  });

  it("telling this server's own changes again changes nothing, IXFR diffs included", async () => {
    const { raw, server, journal, follower } = await seeded();
    const serialBefore = (await raw.getZone(ZONE))!.serial;
    // This server's own write: committed, then told directly (as the update service does).
    const { serials } = await raw.commit(setA(`h9.${ZONE}`, "192.0.2.99"));
    journal.hostChanged(`h9.${ZONE}`, ZONE, [{ type: "A", ttl: 60, values: ["192.0.2.99"] }]);
    journal.serialChanged(ZONE, serials.get(ZONE)!);
    server.otherProcessWrote(); // someone else wrote something unrelated (a token, say)
    expect(await follower.step()).toBe("delta");
    expect(journal.diffsSince(ZONE, serialBefore)).toHaveLength(1);
  });
});

describe("applyDelta", () => {
  it("tells nothing for an empty delta", () => {
    const calls = recorder();
    applyDelta(
      { seq: 3, zones: [], createdZones: [], removedZones: [], hosts: [], rrsets: [], removedHosts: [] },
      calls,
    );
    expect(calls.calls).toEqual([]);
  });
});
