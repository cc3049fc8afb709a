// While PostgreSQL is away. Without a server: which driver errors count as the server being away (bad
// inputs: a BeaconError, a syntax error, a unique violation, a string, undefined), and the fast-fail
// window on a clock the test moves. Against the throwaway cluster stopped (pg_ctl stop -m fast) and
// started again: every call fails as store_unavailable and health() says so; calls inside the window
// fail at once (the fast path's message, not a connection attempt's); the change listener logs one
// warning for the outage, then one info line and a wake when it is back; afterwards the store reads
// and writes again, health() recovers, and a commit made while it was away on no side is there.

import { afterAll, describe, expect, it } from "vitest";

import { BeaconError } from "../../core/errors.js";
import { recordingLog, type LogLine } from "../../services/testing/recorders.js";
import { batch, hostFixture, setA, zoneFixture } from "../testing/fixtures.js";
import { openPostgresStore } from "./postgres-store.js";
import { FAST_FAIL_MS, isUnreachable, Outage } from "./outage.js";
import { startCluster } from "./testing/cluster.js";
import { manualTimers, until } from "./testing/waits.js";

const coded = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("isUnreachable", () => {
  it.each([
    ["ECONNREFUSED", coded("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432")],
    ["EHOSTUNREACH", coded("EHOSTUNREACH")],
    ["08006 connection_failure", coded("08006")],
    ["57P03 cannot_connect_now", coded("57P03", "the database system is shutting down")],
    ["pg's connect timeout", new Error("Connection terminated due to connection timeout")],
  ])("%s: yes", (_, e) => expect(isUnreachable(e)).toBe(true));

  it.each([
    ["a BeaconError", new BeaconError("store_unavailable", "closed")],
    ["42601 syntax_error", coded("42601")],
    ["23505 unique_violation", coded("23505")],
    ["57014 query_canceled", coded("57014")],
    ["57P01 one session terminated", coded("57P01", "terminating connection due to administrator command")],
    ["ECONNRESET one session reset", coded("ECONNRESET")],
    ["pg's lost session", new Error("Connection terminated unexpectedly")],
    ["pg-pool's wait for a busy pool", new Error("timeout exceeded when trying to connect")],
    ["a plain bug", new TypeError("x is not a function")],
    ["a string", "ECONNREFUSED"],
    ["undefined", undefined],
  ])("%s: no", (_, e) => expect(isUnreachable(e)).toBe(false));
});

describe("Outage", () => {
  it("fails at once inside the window, lets one probe through after it, and ends on success", () => {
    let now = 1_000;
    const outage = new Outage("db", () => now);
    outage.check();
    outage.failed(coded("23505"));
    outage.check(); // not a connection failure: nothing changed
    expect(outage.health()).toEqual({ writable: true });

    outage.failed(coded("ECONNREFUSED", "connect ECONNREFUSED"));
    expect(() => outage.check()).toThrow(/PostgreSQL database db is unreachable \(connect ECONNREFUSED\)/);
    expect(outage.health()).toMatchObject({ writable: false, problem: { code: "store_unavailable" } });
    now += FAST_FAIL_MS;
    outage.check(); // the probe
    expect(() => outage.check()).toThrow(BeaconError); // others wait for the next window
    outage.succeeded();
    outage.check();
    expect(outage.health()).toEqual({ writable: true });
  });
});

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof BeaconError)) throw new Error(`expected a BeaconError, got ${String(e)}`);
  return e;
}

const cluster = await startCluster();

describe.skipIf(cluster === undefined)("a PostgreSQL store while its server is stopped and started", () => {
  afterAll(async () => {
    await cluster?.stop();
  });

  it("fails cleanly, reports it, logs the outage once, and recovers by itself", async () => {
    const url = await cluster!.createDatabase("away");
    const lines: LogLine[] = [];
    const timers = manualTimers();
    const store = await openPostgresStore(url, { log: recordingLog(lines), timers });
    try {
      await store.createZone(zoneFixture("example.com"));
      await store.createHost(hostFixture("h.example.com", "example.com"));
      let wakes = 0;
      const stop = store.onExternalChange!(() => wakes++);
      await until(() => wakes === 1, "the wake after LISTEN");
      const opened = lines.length;

      await cluster!.pause();
      const read = await failure(store.getZone("example.com"));
      expect(read.code).toBe("store_unavailable");
      expect(store.health()).toMatchObject({ writable: false, problem: { code: "store_unavailable" } });
      const write = await failure(store.commit(batch([setA("h.example.com", ["192.0.2.1"])])));
      expect(write.code).toBe("store_unavailable");
      expect(write.message).toContain("is unreachable");
      // The listener lost its connection: one warning, then quiet retries.
      await until(() => timers.count === 1, "the listener's reconnect to be scheduled");
      for (let i = 0; i < 3; i++) {
        timers.fireAll();
        await until(() => timers.count === 1, "the next reconnect to be scheduled");
      }
      const during = lines.slice(opened);
      expect(during.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual([
        "the change listener lost PostgreSQL; reconnecting",
      ]);
      expect(during.filter((l) => l.level === "debug")).toHaveLength(3);

      await cluster!.resume();
      timers.fireAll();
      await until(() => wakes === 2, "the wake after reconnecting");
      expect(lines.filter((l) => l.level === "info").map((l) => l.msg)).toContain(
        "the change listener is connected again",
      );
      await until(
        () =>
          store.getZone("example.com").then(
            (z) => z !== undefined,
            () => false,
          ),
        "the store to answer again",
      );
      expect(store.health()).toEqual({ writable: true });
      await store.commit(batch([setA("h.example.com", ["192.0.2.2"])]));
      expect((await store.getRRSets("h.example.com")).map((s) => s.values)).toEqual([["192.0.2.2"]]);
      stop();
    } finally {
      await cluster!.resume();
      await store.close();
    }
  });
});
