import { describe, expect, test } from "vitest";
import { createFakeTime } from "../../core/testing/fake-time.js";
import type { Log } from "../../core/log.js";
import type { Zone } from "../../core/zones.js";
import type { Snapshot } from "../../store/types.js";
import { createWorkerFeed } from "./feed.js";
import type { PrimaryMessage } from "./protocol.js";
import type { SteeringEntry } from "../answer/steering.js";

const zone = (name: string, serial = 1): Zone => ({
  name,
  serial,
  ttl: 60,
  soa: {} as Zone["soa"],
  nameservers: [`ns.${name}`],
  createdAt: 0,
});
/** A snapshot told apart by its one zone's name. */
const snapshot = (name: string): Snapshot => ({ zones: [zone(name)], hosts: [], rrsets: [] });

function setup(slots = 2, settleTimeoutMs = 1000, rules?: () => readonly SteeringEntry[]) {
  const time = createFakeTime();
  const sent: [number, PrimaryMessage][] = [];
  const reads: { resolve: (s: Snapshot) => void; reject: (e: Error) => void }[] = [];
  const failed: number[] = [];
  const warnings: object[] = [];
  const log: Log = { debug() {}, info() {}, warn: (o) => warnings.push(o), error() {} };
  const feed = createWorkerFeed({
    slots,
    send: (n, m) => sent.push([n, m]),
    snapshot: () => new Promise((resolve, reject) => reads.push({ resolve, reject })),
    readFailed: (n) => failed.push(n),
    ...(rules && { rules }),
    settleTimeoutMs,
    timers: time.timers,
    clock: time.clock,
    log,
  });
  /** The messages sent since the last call. */
  const take = () => sent.splice(0);
  /** Resolves read `i` and lets its continuation run. */
  const read = async (i: number, s: Snapshot) => {
    reads[i]!.resolve(s);
    await time.flush();
  };
  return { time, feed, take, reads, read, failed, warnings };
}

/** Whether `p` has settled once pending work ran. */
async function isDone(p: Promise<void>, time: { flush(): Promise<void> }): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await time.flush();
  return done;
}

describe("the worker feed", () => {
  test("a new worker gets its snapshot with what was committed during the read, then each tick's changes in one message", async () => {
    const { feed, take, read, time } = setup(1);
    feed.provision([1]);
    feed.listener.zoneChanged(zone("a.test", 2));
    await time.flush();
    expect(take()).toEqual([]);
    await read(0, snapshot("s1"));
    expect(take()).toEqual([
      [
        1,
        {
          kind: "load",
          seq: 1,
          snapshot: snapshot("s1"),
          changes: [{ op: "zoneChanged", zone: zone("a.test", 2) }],
        },
      ],
    ]);
    feed.listener.hostRemoved("h.a.test", "a.test");
    feed.listener.serialChanged("a.test", 3);
    expect(take()).toEqual([]);
    await time.flush();
    expect(take()).toEqual([
      [
        1,
        {
          kind: "changes",
          seq: 3,
          changes: [
            { op: "hostRemoved", fqdn: "h.a.test", zone: "a.test" },
            { op: "serialChanged", zone: "a.test", serial: 3 },
          ],
        },
      ],
    ]);
  });

  test("load() during a read replaces the snapshot being read and the changes buffered before it", async () => {
    const { feed, take, read, time } = setup(1);
    feed.provision([1]);
    feed.listener.zoneRemoved("old.test");
    feed.load(snapshot("newer"));
    feed.listener.zoneRemoved("after.test");
    await read(0, snapshot("older"));
    expect(take()).toEqual([
      [
        1,
        {
          kind: "load",
          seq: 3,
          snapshot: snapshot("newer"),
          changes: [{ op: "zoneRemoved", name: "after.test" }],
        },
      ],
    ]);
    expect(await isDone(feed.settled(), time)).toBe(false);
  });

  test("load() sends loaded workers the snapshot after the changes still in the batch", async () => {
    const { feed, take, read } = setup(2);
    feed.provision([1, 2]);
    await read(0, snapshot("s1"));
    take();
    feed.listener.zoneRemoved("gone.test");
    feed.load(snapshot("s2"));
    const changes = { kind: "changes", seq: 1, changes: [{ op: "zoneRemoved", name: "gone.test" }] };
    const load = { kind: "load", seq: 2, snapshot: snapshot("s2"), changes: [] };
    expect(take()).toEqual([
      [1, changes],
      [2, changes],
      [1, load],
      [2, load],
    ]);
  });

  test("settled() waits for every loaded worker's ack of the last seq, not for workers still fetching", async () => {
    const { feed, read, time } = setup(2);
    expect(await isDone(feed.settled(), time)).toBe(true);
    feed.provision([1]);
    await read(0, snapshot("s1"));
    feed.provision([2]);
    feed.listener.zoneRemoved("x.test");
    const settled = feed.settled();
    expect(await isDone(settled, time)).toBe(false);
    feed.acked(1, 0);
    expect(await isDone(settled, time)).toBe(false);
    feed.acked(1, 1);
    expect(await isDone(settled, time)).toBe(true);
    // Slot 2 is loaded now, with seq 1 and no ack yet: the next change waits for both.
    await read(1, snapshot("s1"));
    feed.listener.zoneRemoved("y.test");
    const next = feed.settled();
    feed.acked(1, 2);
    expect(await isDone(next, time)).toBe(false);
    feed.acked(2, 2);
    expect(await isDone(next, time)).toBe(true);
  });

  test("an ack never moves a worker back", async () => {
    const { feed, read, time } = setup(1);
    feed.provision([1]);
    await read(0, snapshot("s1"));
    feed.listener.zoneRemoved("x.test");
    feed.acked(1, 1);
    feed.acked(1, 0);
    expect(await isDone(feed.settled(), time)).toBe(true);
  });

  test("settled() gives up after the timeout with a warning naming the workers behind, at most every 5 s", async () => {
    const { feed, read, time, warnings } = setup(2, 1000);
    feed.provision([1, 2]);
    await read(0, snapshot("s1"));
    feed.listener.zoneRemoved("x.test");
    feed.acked(1, 1);
    const settled = feed.settled();
    await time.advance(999);
    expect(await isDone(settled, time)).toBe(false);
    await time.advance(1);
    expect(await isDone(settled, time)).toBe(true);
    expect(warnings).toEqual([{ dnsWorkers: [2], waitedMs: 1000 }]);
    const again = feed.settled();
    await time.advance(1000);
    expect(await isDone(again, time)).toBe(true);
    expect(warnings).toHaveLength(1);
    await time.advance(3000);
    const later = feed.settled();
    await time.advance(1000);
    expect(await isDone(later, time)).toBe(true);
    expect(warnings).toHaveLength(2);
  });

  test("a worker that goes away is no longer waited for, and release() ends every wait", async () => {
    const { feed, read, time } = setup(2);
    feed.provision([1, 2]);
    await read(0, snapshot("s1"));
    feed.listener.zoneRemoved("x.test");
    const settled = feed.settled();
    feed.acked(1, 1);
    feed.detach(2);
    expect(await isDone(settled, time)).toBe(true);
    feed.listener.zoneRemoved("y.test");
    const pending = feed.settled();
    expect(await isDone(pending, time)).toBe(false);
    feed.release();
    expect(await isDone(pending, time)).toBe(true);
    expect(time.pending()).toEqual([]);
  });

  test("a detached slot is sent nothing", async () => {
    const { feed, read, take, time } = setup(2);
    feed.provision([1, 2]);
    await read(0, snapshot("s1"));
    take();
    feed.detach(1);
    feed.listener.zoneRemoved("x.test");
    feed.load(snapshot("s2"));
    await time.flush();
    expect(take().map(([n]) => n)).toEqual([2, 2]);
  });

  test("a failed read restarts the workers it was for, except one already replaced", async () => {
    const { feed, reads, take, failed, time } = setup(2);
    feed.provision([1, 2]);
    feed.detach(2);
    reads[0]!.reject(new Error("disk gone"));
    await time.flush();
    expect(failed).toEqual([1]);
    expect(take()).toEqual([]);
  });

  test("a read that ends after its worker was replaced is dropped; the new worker's read is sent", async () => {
    const { feed, read, take } = setup(1);
    feed.provision([1]);
    feed.detach(1);
    feed.provision([1]);
    await read(0, snapshot("stale"));
    expect(take()).toEqual([]);
    await read(1, snapshot("fresh"));
    expect(take()).toEqual([[1, { kind: "load", seq: 0, snapshot: snapshot("fresh"), changes: [] }]]);
  });

  test("steering rules ride the numbered batches after the tick's index changes, every load carries the list, settled() waits for them", async () => {
    const rule = { mode: "hashed" as const, weights: new Map([["192.0.2.1", 1]]) };
    let rules: SteeringEntry[] = [{ name: "p.a.test", type: "A", rule }];
    const { feed, take, read, time } = setup(1, 1000, () => rules);
    feed.provision([1]);
    feed.steeringChanged("q.a.test", "AAAA", rule); // during the read: buffered, and in the list sent
    await read(0, snapshot("s1"));
    expect(take()).toEqual([
      [
        1,
        {
          kind: "load",
          seq: 1,
          snapshot: snapshot("s1"),
          changes: [{ op: "steering", name: "q.a.test", type: "AAAA", rule }],
          steering: rules,
        },
      ],
    ]);
    feed.acked(1, 1);
    feed.listener.serialChanged("a.test", 3);
    feed.steeringChanged("p.a.test", "A", undefined);
    const settled = feed.settled();
    expect(take()).toEqual([
      [
        1,
        {
          kind: "changes",
          seq: 3,
          changes: [
            { op: "serialChanged", zone: "a.test", serial: 3 },
            { op: "steering", name: "p.a.test", type: "A", rule: undefined },
          ],
        },
      ],
    ]);
    expect(await isDone(settled, time)).toBe(false);
    feed.acked(1, 3);
    expect(await isDone(settled, time)).toBe(true);
    rules = [];
    feed.load(snapshot("s2"));
    expect(take()).toEqual([
      [1, { kind: "load", seq: 4, snapshot: snapshot("s2"), changes: [], steering: [] }],
    ]);
  });
});
