import { beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import type { UpdateSource } from "../core/update.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { ChangeBatch, TokenRecord } from "../store/types.js";
import type { Store } from "../store/ports.js";
import { createUpdateService, type UpdateService } from "./apply-update.js";
import { HISTORY_LIMITS } from "./history-entry.js";
import { silentLog } from "../core/log.js";
import { recordingListener } from "./testing/recorders.js";
import { createWriteQueue } from "./write-queue.js";
import { createZoneService } from "./zones.js";

const V4 = "81.2.69.142";
const V4B = "81.2.69.160";
const V6 = "2a02:8070:a1b2::1";
const source: UpdateSource = { ip: V4, userAgent: "test/1", protocol: "api", tokenId: "tk_aaaaaaaaaa" };

function token(
  names: string[],
  types: TokenRecord["types"] = ["A", "AAAA", "TXT"],
  subtree = false,
): TokenRecord {
  return {
    id: "tk_aaaaaaaaaa",
    secretHash: "0".repeat(64),
    label: "t",
    names: names.map((name) => ({ name, subtree })),
    types,
    allowedCidrs: [],
    createdAt: 0,
    expiresAt: undefined,
    lastUsedAt: undefined,
    revokedAt: undefined,
  };
}

let store: Store;
let events: string[];
let now: number;
let commits: ChangeBatch[];

async function setup(
  opts: { allowNonGlobal?: boolean; store?: Store; counted?: (n: number) => void } = {},
): Promise<UpdateService> {
  const base = opts.store ?? createMemoryStore();
  commits = [];
  store = { ...base, commit: (b) => (commits.push(b), base.commit(b)) };
  events = [];
  now = 1_700_000_000_000;
  const queue = createWriteQueue();
  const listener = recordingListener(events);
  const zones = createZoneService({ store, clock: () => now, listener, queue });
  await zones.addZone("example.com", { ttl: 120 });
  await zones.addHost("home.example.com");
  await zones.addHost("office.example.com", { ttl: 30 });
  await zones.addHost("lab.example.com");
  events.length = 0;
  commits.length = 0;
  return createUpdateService({
    store,
    clock: () => now,
    listener,
    log: silentLog,
    allowNonGlobal: opts.allowNonGlobal ?? false,
    queue,
    ...(opts.counted === undefined ? {} : { counted: opts.counted }),
  });
}

let svc: UpdateService;
beforeEach(async () => {
  svc = await setup();
});

describe("update outcomes", () => {
  it("is good when the set changes, nochg when it does not, and returns the resulting sets", async () => {
    const req = { token: undefined, hosts: ["home.example.com"], sets: { A: { values: [V4] } }, source };
    expect(await svc.update(req)).toEqual([
      { status: "good", fqdn: "home.example.com", sets: [{ type: "A", ttl: 120, values: [V4] }] },
    ]);
    expect(await svc.update(req)).toEqual([
      { status: "nochg", fqdn: "home.example.com", sets: [{ type: "A", ttl: 120, values: [V4] }] },
    ]);
    expect(events).toEqual([`host home.example.com A=${V4}`, "serial example.com"]);
  });

  it("uses the given ttl, else the host's, else the zone's; a ttl change alone is good", async () => {
    const [a] = await svc.update({
      token: undefined,
      hosts: ["office.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(a).toMatchObject({ status: "good", sets: [{ ttl: 30 }] });
    const [b] = await svc.update({
      token: undefined,
      hosts: ["office.example.com"],
      sets: { A: { values: [V4], ttl: 300 } },
      source,
    });
    expect(b).toMatchObject({ status: "good", sets: [{ ttl: 300 }] });
  });

  it("keeps other types, deletes with null (nochg when already absent)", async () => {
    await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: [V4] }, AAAA: { values: [V6] } },
      source,
    });
    const [del] = await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { AAAA: null },
      source,
    });
    expect(del).toMatchObject({ status: "good", sets: [{ type: "A", values: [V4] }] });
    const [again] = await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { AAAA: null },
      source,
    });
    expect(again?.status).toBe("nochg");
    expect((await store.listHistory("home.example.com")).map((h) => h.outcome)).toEqual([
      "nochg",
      "deleted",
      "good",
      "good",
    ]);
  });

  it("canonicalises values (sorted, deduplicated, v6 compressed) so equal sets are nochg", async () => {
    await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: [V4B, V4] } },
      source,
    });
    const [o] = await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: [V4, V4B, V4] } },
      source,
    });
    expect(o).toMatchObject({ status: "nochg", sets: [{ values: [V4, V4B] }] });
    const [v6] = await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { AAAA: { values: ["2A02:8070:A1B2:0:0:0:0:1"] } },
      source,
    });
    expect(v6).toMatchObject({ sets: [{ type: "A" }, { type: "AAAA", values: [V6] }] });
  });

  it.each([
    ["an invalid name", "bad name.example.com", { A: { values: [V4] } }, "invalid_hostname"],
    ["an unknown host", "nope.example.com", { A: { values: [V4] } }, "host_not_found"],
    ["a private v4", "home.example.com", { A: { values: ["10.0.0.1"] } }, "ip_not_global"],
    ["a loopback v6", "home.example.com", { AAAA: { values: ["::1"] } }, "ip_not_global"],
    ["a v6 in an A set", "home.example.com", { A: { values: [V6] } }, "invalid_ip"],
    ["an empty set", "home.example.com", { A: { values: [] } }, "invalid_record"],
    ["a ttl of 0", "home.example.com", { A: { values: [V4], ttl: 0 } }, "invalid_ttl"],
  ] as const)("fails %s with its code and stores nothing", async (_n, host, sets, code) => {
    const [o] = await svc.update({ token: undefined, hosts: [host], sets, source });
    expect(o).toMatchObject({ status: "failed", code });
    expect(await store.getRRSets("home.example.com")).toEqual([]);
    expect(events).toEqual([]);
  });

  it("records a refused change with the error code and the values asked for, not as a deletion", async () => {
    await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: ["192.168.1.1"] } },
      source,
    });
    expect((await store.listHistory("home.example.com"))[0]).toMatchObject({
      outcome: "ip_not_global",
      oldValues: [V4],
      newValues: ["192.168.1.1"],
    });
  });

  it("allows non-global addresses when configured", async () => {
    svc = await setup({ allowNonGlobal: true });
    const [o] = await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: ["10.0.0.1"] } },
      source,
    });
    expect(o?.status).toBe("good");
    expect(svc.acceptsAddress({ text: "10.0.0.1", family: 4 })).toBe(true);
  });

  it("checks the token's names and every record type changed", async () => {
    const t = token(["home.example.com"], ["A"]);
    const out = await svc.update({
      token: t,
      hosts: ["home.example.com", "office.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(out.map((o) => o.status)).toEqual(["good", "failed"]);
    expect(out[1]).toMatchObject({ code: "forbidden" });
    const [both] = await svc.update({
      token: t,
      hosts: ["home.example.com"],
      sets: { A: { values: [V4B] }, AAAA: { values: [V6] } },
      source,
    });
    expect(both).toMatchObject({ status: "failed", code: "forbidden" });
    expect((await store.getRRSets("home.example.com"))[0]?.values).toEqual([V4]);
  });

  it("checks scope before existence, so out-of-scope unknown hosts are forbidden", async () => {
    const [o] = await svc.update({
      token: token(["home.example.com"]),
      hosts: ["nope.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(o).toMatchObject({ code: "forbidden" });
  });
});

describe("one commit per request", () => {
  it("puts all hosts' writes and history (good and nochg) into one commit, with the source", async () => {
    await svc.update({ token: undefined, hosts: ["lab.example.com"], sets: { A: { values: [V4] } }, source });
    commits.length = 0;
    events.length = 0;
    const out = await svc.update({
      token: undefined,
      hosts: ["home.example.com", "nope.example.com", "lab.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(out.map((o) => o.status)).toEqual(["good", "failed", "nochg"]);
    expect(commits).toHaveLength(1);
    expect(commits[0]?.writes).toEqual([
      { fqdn: "home.example.com", type: "A", rrset: { ttl: 120, values: [V4] } },
    ]);
    expect(commits[0]?.history.map((h) => [h.fqdn, h.outcome])).toEqual([
      ["home.example.com", "good"],
      ["lab.example.com", "nochg"],
    ]);
    expect(commits[0]?.history[0]).toMatchObject({
      sourceIp: V4,
      userAgent: "test/1",
      protocol: "api",
      tokenId: "tk_aaaaaaaaaa",
      at: now,
    });
    expect(events).toEqual([`host home.example.com A=${V4}`, "serial example.com"]);
  });

  it("decides a name requested again in one request once: the same outcome, one write, one entry", async () => {
    const out = await svc.update({
      token: undefined,
      hosts: ["home.example.com", "HOME.example.com.", "home.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(out.map((o) => o.status)).toEqual(["good", "good", "good"]);
    expect(out[1]).toEqual(out[0]);
    expect(commits[0]?.writes).toHaveLength(1);
    expect(commits[0]?.history).toHaveLength(1);
  });

  it("does not commit when every host failed before the store was read", async () => {
    await svc.update({ token: undefined, hosts: ["bad name"], sets: { A: { values: [V4] } }, source });
    expect(commits).toHaveLength(0);
  });

  it("fails every host with the commit's error code when the commit throws; nothing applied, listener silent", async () => {
    const base = createMemoryStore();
    svc = await setup({
      store: { ...base, commit: () => Promise.reject(new BeaconError("store_unavailable", "disk full")) },
    });
    const out = await svc.update({
      token: undefined,
      hosts: ["home.example.com", "office.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(out).toEqual([
      { status: "failed", fqdn: "home.example.com", code: "store_unavailable", message: "disk full" },
      { status: "failed", fqdn: "office.example.com", code: "store_unavailable", message: "disk full" },
    ]);
    expect(await store.getRRSets("home.example.com")).toEqual([]);
    expect(await store.listHistory("home.example.com")).toEqual([]);
    expect(events).toEqual([]);
  });

  it("maps an unexpected exception to internal for every host", async () => {
    const base = createMemoryStore();
    svc = await setup({ store: { ...base, getRRSets: () => Promise.reject(new TypeError("bug")) } });
    const out = await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(out).toMatchObject([{ status: "failed", code: "internal" }]);
  });

  it("still returns the committed outcome when a listener throws", async () => {
    const base = createMemoryStore();
    const zones = createZoneService({ store: base, clock: () => now, listener: recordingListener([]) });
    await zones.addZone("example.com");
    await zones.addHost("home.example.com");
    const boom = () => {
      throw new Error("listener bug");
    };
    const s = createUpdateService({
      store: base,
      clock: () => now,
      listener: {
        zoneChanged: boom,
        zoneRemoved: boom,
        hostChanged: boom,
        hostRemoved: boom,
        serialChanged: boom,
      },
      log: silentLog,
      allowNonGlobal: false,
    });
    const [o] = await s.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(o?.status).toBe("good");
  });
});

describe("concurrency", () => {
  it("serialises 50 concurrent updates of one host: final state is the last one, 50 history entries in order", async () => {
    const addresses = Array.from({ length: 50 }, (_, i) => `81.2.69.${i + 1}`);
    const outs = await Promise.all(
      addresses.map((ip) =>
        svc.update({ token: undefined, hosts: ["home.example.com"], sets: { A: { values: [ip] } }, source }),
      ),
    );
    expect(outs.every(([o]) => o?.status === "good")).toBe(true);
    expect((await store.getRRSets("home.example.com"))[0]?.values).toEqual(["81.2.69.50"]);
    const history = await store.listHistory("home.example.com", { limit: 100 });
    expect(history).toHaveLength(50);
    // Each entry's old value is the previous entry's new value: no read-compare-write interleaved.
    const chronological = [...history].reverse();
    chronological.forEach((h, i) => {
      expect(h.newValues).toEqual([addresses[i]]);
      expect(h.oldValues).toEqual(i === 0 ? undefined : [addresses[i - 1]]);
    });
    // Group commit: the 50 requests queued together share one commit, and the index hears the end state.
    expect(commits).toHaveLength(1);
    expect(events.filter((e) => e.startsWith("host")).at(-1)).toContain("81.2.69.50");
  });

  it("keeps each request of a shared commit apart: one failing while planning changes nothing of its own", async () => {
    const getRRSets = store.getRRSets.bind(store);
    let reads = 0;
    // The third request's store read fails; the first two and the fourth still commit, together.
    store.getRRSets = async (fqdn) => {
      if (fqdn === "lab.example.com" && ++reads === 1)
        throw new BeaconError("store_unavailable", "disk gone");
      return getRRSets(fqdn);
    };
    const req = (host: string, ip: string) =>
      svc.update({ token: undefined, hosts: [host], sets: { A: { values: [ip] } }, source });
    const outs = await Promise.all([
      req("home.example.com", "81.2.69.1"),
      req("home.example.com", "81.2.69.2"),
      req("lab.example.com", "81.2.69.3"),
      req("office.example.com", "81.2.69.4"),
    ]);
    expect(outs.map(([o]) => o?.status)).toEqual(["good", "good", "failed", "good"]);
    expect(outs[2]?.[0]).toMatchObject({ code: "store_unavailable" });
    expect(commits).toHaveLength(1);
    expect(commits[0]?.writes.map((w) => `${w.fqdn} ${w.rrset?.values.join()}`).sort()).toEqual([
      "home.example.com 81.2.69.2",
      "office.example.com 81.2.69.4",
    ]);
    expect(commits[0]?.history.map((h) => h.oldValues?.join() ?? "-")).toEqual(["-", "81.2.69.1", "-"]);
    expect(await store.getRRSets("lab.example.com")).toEqual([]);
  });

  it("fails every request of a shared commit when that commit fails; none is applied", async () => {
    const commit = store.commit.bind(store);
    store.commit = () => Promise.reject(new BeaconError("store_unavailable", "disk full"));
    const outs = await Promise.all(
      ["home.example.com", "office.example.com"].map((h) =>
        svc.update({ token: undefined, hosts: [h], sets: { A: { values: ["81.2.69.9"] } }, source }),
      ),
    );
    expect(outs.flat().map((o) => o.status === "failed" && o.code)).toEqual([
      "store_unavailable",
      "store_unavailable",
    ]);
    store.commit = commit;
    expect(await store.getRRSets("home.example.com")).toEqual([]);
    expect(events).toEqual([]);
    // The service still works afterwards.
    const [after] = await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: ["81.2.69.9"] } },
      source,
    });
    expect(after?.status).toBe("good");
  });
});

describe("history the service writes", () => {
  it("collapses 100 copies of one name (any case, trailing dot) to one decision and one entry per type", async () => {
    const names = Array.from({ length: 100 }, (_, i) =>
      i % 3 === 0 ? "HOME.example.com." : i % 3 === 1 ? "home.EXAMPLE.com" : "home.example.com",
    );
    const out = await svc.update({
      token: token(["home.example.com"]),
      hosts: names,
      sets: { A: { values: [V4] }, AAAA: { values: [V6] } },
      source,
    });
    expect(out).toHaveLength(100);
    expect(new Set(out.map((o) => JSON.stringify(o))).size).toBe(1);
    expect(commits[0]?.history.map((h) => h.type)).toEqual(["A", "AAAA"]);
  });

  it("clips every field to HISTORY_LIMITS: a 16 KB user agent, 64 refused values of 1 KB, a long key name", async () => {
    const huge = "x".repeat(16_384);
    await svc.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { TXT: { values: Array.from({ length: 64 }, (_, i) => `${i}`.padEnd(1024, "v")) } },
      source: {
        ip: `2a02:8070::1%${"e".repeat(200)}`,
        userAgent: huge,
        protocol: "rfc2136",
        tokenId: `tsig:${huge}`,
      },
    });
    const [e] = await store.listHistory("home.example.com");
    expect(e?.outcome).toBe("invalid_record");
    expect(e?.userAgent).toHaveLength(HISTORY_LIMITS.userAgent);
    expect(e?.userAgent?.endsWith("…")).toBe(true);
    expect(e?.tokenId).toHaveLength(HISTORY_LIMITS.tokenId);
    expect(e?.sourceIp).toHaveLength(HISTORY_LIMITS.sourceIp);
    expect(e?.newValues).toHaveLength(HISTORY_LIMITS.values);
    expect(e?.newValues?.every((v) => v.length === HISTORY_LIMITS.valueLength)).toBe(true);
  });

  it("folds a nochg flood into one entry and keeps each host to its newest historyPerHost entries", async () => {
    svc = createUpdateService({
      store,
      clock: () => now,
      listener: recordingListener(events),
      log: silentLog,
      allowNonGlobal: false,
      historyPerHost: 3,
    });
    const set = (ip: string) =>
      svc.update({ token: undefined, hosts: ["home.example.com"], sets: { A: { values: [ip] } }, source });
    for (let i = 1; i <= 5; i++) await set(`81.2.69.${i}`);
    for (let i = 0; i < 20; i++) {
      now += 1000;
      await set("81.2.69.5");
    }
    const history = await store.listHistory("home.example.com");
    expect(history.map((h) => [h.outcome, h.count])).toEqual([
      ["nochg", 20],
      ["good", 1],
      ["good", 1],
    ]);
    expect(history[0]?.lastAt).toBe(now);
  });

  it("refuses a token made for a deleted host on the host created again under its name, recording nothing", async () => {
    const zones = createZoneService({ store, clock: () => now, listener: recordingListener([]) });
    const old = await store.getHost("home.example.com");
    await zones.removeHost("home.example.com");
    await zones.addHost("home.example.com");
    const bound = { ...token(["home.example.com"]), hostId: old?.id };
    const [o] = await svc.update({
      token: bound,
      hosts: ["home.example.com"],
      sets: { A: { values: [V4] } },
      source,
    });
    expect(o).toMatchObject({ status: "failed", code: "forbidden" });
    expect(await store.getRRSets("home.example.com")).toEqual([]);
    expect(await store.listHistory("home.example.com")).toEqual([]);
  });

  it("creates requested hosts as implicit and tells the listener when the commit deleted one with its last set", async () => {
    const add = await svc.update({
      token: undefined,
      hosts: ["_acme-challenge.home.example.com"],
      sets: {},
      setsByHost: new Map([["_acme-challenge.home.example.com", { TXT: { values: ["t"] } }]]),
      createHosts: new Map([["_acme-challenge.home.example.com", "example.com"]]),
      source,
    });
    expect(add[0]?.status).toBe("good");
    expect((await store.getHost("_acme-challenge.home.example.com"))?.implicit).toBe(true);
    events.length = 0;
    await svc.update({
      token: undefined,
      hosts: ["_acme-challenge.home.example.com"],
      sets: { TXT: null },
      source,
    });
    expect(await store.getHost("_acme-challenge.home.example.com")).toBeUndefined();
    expect(events).toEqual(["hostRemoved _acme-challenge.home.example.com", "serial example.com"]);
  });
});

describe("counting", () => {
  it("tells `counted` every host outcome, good, nochg and failed, by update and by transact", async () => {
    const told: number[] = [];
    const counting = await setup({ counted: (n) => told.push(n) });
    const sets = { A: { values: [V4] } };
    await counting.update({ token: undefined, hosts: ["home.example.com", "lab.example.com"], sets, source });
    await counting.update({ token: undefined, hosts: ["home.example.com"], sets, source }); // nochg
    await counting.update({ token: undefined, hosts: ["nowhere.example.com"], sets, source }); // failed
    await counting.transact((apply) =>
      apply({ token: undefined, hosts: ["office.example.com"], sets, source }),
    );
    expect(told).toEqual([2, 1, 1, 1]);
  });
});
