// Keeps a running server's in-memory views (DNS index, transfer journal, NOTIFY, DNS workers, mirror
// worker) in step with commits made by other processes, such as `beacon host add`, without reloading
// the whole store: a reload held the old copy while building the new one (about three times the
// steady memory), enough to kill a large server on one admin command.
//
// Contract:
// - `start()` loads everything once (a snapshot) and remembers the change-log position read before it.
// - `step()` does nothing while the store's externalVersion stays put. When it moved, it reads the
//   change log after the position and tells `listener` the current state of exactly the zones and
//   hosts touched (applyDelta), and moves the position. When the log cannot say (pruned past the
//   position, or more than `maxChanges` behind), it loads a fresh snapshot instead.
// - Both run inside the write queue, so none of this server's own commits falls between a read and
//   its telling (an older state never overwrites a newer one). This server's own changes are logged
//   too; telling them again changes nothing.
// - `prune()` keeps the newest `keepChanges` log rows, removing at most `pruneBatch` per call.
//   The log is also the durable IXFR journal (ChangeFeed.zoneLog, dns/xfr/log-diffs.ts), so the rows
//   kept bound how far back a secondary still gets a diff instead of the full zone: the default
//   100 000 rows is about 50 000 updates (a set row and a serial row each) across all zones, some
//   tens of MB of log (each row holds the values around its change); a node further behind than that, or than maxChanges, reloads or gets the full zone anyway.
//   Counting rows rather than time keeps the log's size bounded whatever the update rate.

import type { RRSet } from "../core/records.js";
import type { ChangeDelta, Snapshot } from "../store/types.js";
import type { ChangeFeed, ZoneStore } from "../store/ports.js";
import type { ChangeListener } from "../store/change-listener.js";
import type { Log } from "../core/log.js";
import type { WriteQueue } from "./write-queue.js";

export interface ExternalChangesDeps {
  readonly store: ChangeFeed & Pick<ZoneStore, "snapshot">;
  readonly listener: ChangeListener;
  /** Replaces every view's content (start, and when the log cannot say). */
  readonly load: (snapshot: Snapshot) => void;
  readonly queue: WriteQueue;
  readonly log: Log;
  /** Log rows beyond which a snapshot is read instead (default 10 000). */
  readonly maxChanges?: number;
  /** Log rows kept by prune() (default 100 000). */
  readonly keepChanges?: number;
  /** Log rows removed per prune() at most (default 20 000: pruning every 10 s keeps up with 2,000 changes/s). */
  readonly pruneBatch?: number;
}

export interface ExternalChanges {
  start(): Promise<void>;
  /** What it did: nothing new, applied the touched names, or reloaded everything. */
  step(): Promise<"none" | "delta" | "reload">;
  /** Resolves with the number of log rows removed. */
  prune(): Promise<number>;
}

export function createExternalChanges(deps: ExternalChangesDeps): ExternalChanges {
  const { store, queue } = deps;
  const maxChanges = deps.maxChanges ?? 10_000;
  let version = 0;
  let position = 0;

  const reload = async (): Promise<void> => {
    // The position first: a commit between the two reads is then applied again, never missed.
    position = await store.changeSeq();
    deps.load(await store.snapshot());
  };

  return {
    start: () =>
      queue.run(async () => {
        version = await store.externalVersion();
        await reload();
      }),
    step: async () => {
      const now = await store.externalVersion();
      if (now === version) return "none";
      // The version is taken only once applied, so a step that failed is tried again by the next.
      const done = await queue.run(async () => {
        const delta = await store.changesSince(position, maxChanges);
        if (delta === undefined) {
          await reload();
          deps.log.info({ position }, "store changed by another process; reloaded everything");
          return "reload" as const;
        }
        applyDelta(delta, deps.listener);
        position = delta.seq;
        deps.log.info(
          { position, hosts: delta.hosts.length + delta.removedHosts.length, zones: delta.zones.length },
          "store changed by another process; applied",
        );
        return "delta" as const;
      });
      version = now;
      return done;
    },
    prune: () => store.pruneChanges(deps.keepChanges ?? 100_000, deps.pruneBatch ?? 20_000),
  };
}

/**
 * Tells `listener` a delta as ordinary changes, in an order every listener follows: removed zones;
 * created zones (so their hosts have somewhere to go); removed and changed hosts; then each zone as
 * it is now (a zone's new serial comes after its content, closing one IXFR diff). A created zone gets
 * serialChanged instead, which tells the journal its content has no diff to explain.
 */
export function applyDelta(delta: ChangeDelta, listener: ChangeListener): void {
  const created = new Set(delta.createdZones);
  for (const name of delta.removedZones) listener.zoneRemoved(name);
  for (const zone of delta.zones) if (created.has(zone.name)) listener.zoneChanged(zone);
  for (const h of delta.removedHosts) listener.hostRemoved(h.fqdn, h.zone);
  const sets = new Map<string, RRSet[]>();
  for (const { fqdn, type, ttl, values } of delta.rrsets)
    sets.set(fqdn, [...(sets.get(fqdn) ?? []), { type, ttl, values }]);
  for (const h of delta.hosts) listener.hostChanged(h.fqdn, h.zone, sets.get(h.fqdn) ?? []);
  for (const zone of delta.zones) {
    if (created.has(zone.name)) listener.serialChanged(zone.name, zone.serial);
    else listener.zoneChanged(zone);
  }
}
