// The health-checked pools of `beacon serve` (docs/pools.md): this node's monitor (probes on the real
// network), the publisher (one node at a time writes the chosen sets through the update service), and
// the admin/heartbeat service the HTTP routes use. Pools are read from the store at start, after every
// change made here (`changed`), and when another process or node changed them (`reload`, called with
// the other settings). Every TICK_MS the publisher re-evaluates (other nodes' views, TTLs, leases) and
// the monitor saves what it probed; transitions and roll-ups past their age are swept every SWEEP_MS.
// A host that a pool follows (a member host, or the owner name itself) changing re-evaluates at once.

import { randomBytes } from "node:crypto";
import type { Registry } from "prom-client";
import type { Clock } from "../../core/clock.js";
import { failureLog } from "../../core/failure-log.js";
import type { Log } from "../../core/log.js";
import { systemTimers } from "../../core/timers.js";
import type { ZoneView } from "../../dns/answer/types.js";
import { TYPE } from "../../dns/wire/constants.js";
import { createProber } from "../../net/probes/index.js";
import type { UpdateService } from "../../services/apply-update.js";
import { createHealthAdmin } from "../../services/health/admin.js";
import { createHealthMetrics } from "../../services/health/metrics.js";
import { createMonitor } from "../../services/health/monitor.js";
import type { Heartbeats, PoolAdmin } from "../../services/health/ports.js";
import { createPublisher, type AnswerRules, type PoolEvent } from "../../services/health/publisher.js";
import type { ZoneService } from "../../services/zones.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Store } from "../../store/ports.js";
import { VERSION } from "../version.js";
import { everyUnlessBusy, oneAtATime, type Every } from "./periodic.js";

/** How often the publisher re-evaluates and the monitor saves (publisher.ts's SAVE_LAG_MS counts on it). */
export const TICK_MS = 2_000;
/** How often old transitions and roll-ups are swept. */
export const SWEEP_MS = 3_600_000;
const SWEEP_BATCH = 10_000;

export interface PoolsRuntime {
  readonly admin: PoolAdmin & Heartbeats;
  /** Re-reads the pools (another process or node changed them). */
  reload(): void;
  /** Tells the pools of a commit (a member host's addresses may have changed). */
  readonly listener: ChangeListener;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function wirePools(d: {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Log;
  readonly registry: Registry;
  readonly updates: UpdateService;
  readonly zones: ZoneService;
  readonly index: ZoneView;
  /** This node's name (pools.node_name): its saved views resume after a restart. */
  readonly node: string;
  /** Unique to this process (serve/node-id.ts): the publisher lease's owner. */
  readonly processId: string;
  /** Several nodes share the store (PostgreSQL). */
  readonly shared: boolean;
  readonly every: Every;
  readonly retention: { readonly transitionsMs: number; readonly rollupsMs: number };
  readonly notify?: (events: readonly PoolEvent[]) => Promise<void>;
  readonly rules?: AnswerRules;
}): PoolsRuntime {
  const { store, clock, log, node } = d;
  const metrics = createHealthMetrics(d.registry);
  const addressesOf = (fqdn: string, type: "A" | "AAAA"): readonly string[] =>
    setOf(d.index, fqdn, type)?.values ?? [];
  const report = failureLog(log, "could not evaluate the pools", "the pools are evaluated again");
  const evaluate = (pool?: string): void => void publisher.evaluate(pool);
  const monitor = createMonitor({
    store,
    prober: createProber({ version: VERSION }),
    clock,
    timers: systemTimers,
    random: () => randomBytes(4).readUInt32BE() / 2 ** 32,
    log,
    node,
    addressesOf,
    changed: (pool) => evaluate(pool),
    metrics,
  });
  const publisher = createPublisher({
    store,
    updates: d.updates,
    clock,
    log,
    node,
    leaseOwner: d.processId,
    local: (pool) => monitor.states(pool),
    addressesOf,
    published: (fqdn, type) => setOf(d.index, fqdn, type),
    shared: d.shared,
    metrics,
    ...(d.notify === undefined ? {} : { notify: d.notify }),
    ...(d.rules === undefined ? {} : { rules: d.rules }),
  });
  /** Names whose change re-evaluates: member hosts and owner names. */
  let followed = new Set<string>();
  const loadPools = async (): Promise<void> => {
    const pools = await store.listPools();
    await monitor.load(pools);
    publisher.setPools(pools);
    followed = new Set(pools.flatMap((p) => [p.spec.name, ...p.spec.members.flatMap((m) => m.host ?? [])]));
    await publisher.evaluate();
  };
  const reloading = oneAtATime((e) => log.warn({ err: e }, "could not read the pools"));
  const reload = (): void => reloading(loadPools, true);
  const admin = createHealthAdmin({
    store,
    zones: d.zones,
    clock,
    node,
    acceptsAddress: (ip) => d.updates.acceptsAddress(ip),
    live: {
      decision: (pool) => publisher.decision(pool),
      local: (pool) => monitor.states(pool),
      addressesOf,
      noteHeartbeat: (fqdn, at) => monitor.noteHeartbeat(fqdn, at),
    },
    changed: reload,
  });
  const ignore = (): void => {};
  const listener: ChangeListener = {
    zoneChanged: ignore,
    zoneRemoved: ignore,
    hostChanged: (fqdn) => {
      if (followed.has(fqdn)) evaluate();
    },
    hostRemoved: (fqdn) => {
      if (followed.has(fqdn)) evaluate();
    },
    serialChanged: ignore,
  };
  const stops: (() => void)[] = [];
  return {
    admin,
    reload,
    listener,
    async start() {
      await loadPools();
      stops.push(
        everyUnlessBusy(
          d.every,
          TICK_MS,
          async () => {
            await monitor.flush();
            await publisher.evaluate();
            report.succeeded();
          },
          report.failed,
        ),
        everyUnlessBusy(
          d.every,
          SWEEP_MS,
          async () => {
            const now = clock();
            await store.pruneHealth(
              now - d.retention.transitionsMs,
              now - d.retention.rollupsMs,
              SWEEP_BATCH,
            );
          },
          (e) => log.warn({ err: e }, "could not prune the pools' transitions and roll-ups"),
        ),
      );
    },
    async stop() {
      for (const stop of stops.splice(0)) stop();
      await monitor
        .stop()
        .catch((e: unknown) => log.warn({ err: e }, "could not save the pools' health at stop"));
      await publisher.stop();
    },
  };
}

/** The name's set of `type` as the DNS index serves it. */
function setOf(
  index: ZoneView,
  fqdn: string,
  type: "A" | "AAAA",
): { readonly values: readonly string[]; readonly ttl: number } | undefined {
  const zone = index.findZone(fqdn);
  const set = zone === undefined ? undefined : index.lookup(zone, fqdn)?.sets.get(TYPE[type]);
  return set === undefined ? undefined : { values: set.values, ttl: set.ttl };
}

/** A listener that passes every change to whatever `current()` gives then (built later than the fan-out). */
export function deferredListener(current: () => ChangeListener | undefined): ChangeListener {
  return {
    zoneChanged: (zone) => current()?.zoneChanged(zone),
    zoneRemoved: (name) => current()?.zoneRemoved(name),
    hostChanged: (fqdn, zone, sets) => current()?.hostChanged(fqdn, zone, sets),
    hostRemoved: (fqdn, zone) => current()?.hostRemoved(fqdn, zone),
    serialChanged: (zone, serial) => current()?.serialChanged(zone, serial),
  };
}
