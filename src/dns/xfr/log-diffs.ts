// The durable IXFR journal: RFC 1995 diffs rebuilt from the store's change log (ChangeFeed.zoneLog),
// for when the in-memory diffs (journal.ts) cannot answer a requested serial: after a restart, or on
// a node that applied several commits at once (a reload, or one delta of another node's commits).
// The log is shared, so every node builds the same diffs for the same request.
//
// diffsFromLog (pure): the log entries from the zone entry that gave the zone serial `from` on →
// one diff per serial step, consecutive serials from `from` to `to` (the serial the node serves),
// each with the SOA before and after and the RRs removed and added, built with the encoders the zone
// index uses (so they match what an AXFR of each serial sent). Entries after the one that reached
// `to` are commits the node has not applied yet: they must still be explained (each ends in a serial
// step), else the zone the node serves at `to` may hold changes its log of `to` does not.
// Contract: never a wrong diff. It says it cannot (undefined) when anything is unexplained: the first
// entry is not the zone at `from`; the zone was deleted or created in between (the client's serial is
// of another zone); a zone entry's serial before is not the serial reached; the serial goes back
// (RFC 1982) or stays put while the content or the SOA changed; the log ends with changes no serial
// step closed; `to` is never reached.
//
// createLogDiffs: the same over a store, for the transfer responder; a store error or a malformed
// entry is logged and answered "cannot" (the responder then sends the full zone).

import type { RRSet } from "../../core/records.js";
import type { Zone } from "../../core/zones.js";
import type { Log } from "../../core/log.js";
import type { ZoneLogEntry } from "../../store/change-log.js";
import type { ChangeFeed } from "../../store/ports.js";
import type { WireRRSet } from "../answer/types.js";
import { encodeNS, encodeSOA } from "../wire/rdata.js";
import { toWireRRSet } from "../wire/rrset.js";
import { ZoneHistory, type ZoneDiff } from "./history.js";
import { difference, hostDifference, NO_SETS, nsRecords } from "./records.js";
import { compareSerial } from "./serial.js";

/** Diffs from `from` to `to` as the log tells them, oldest first; [] when `from` is not older; undefined: cannot. */
export function diffsFromLog(
  entries: readonly ZoneLogEntry[],
  from: number,
  to: number,
): readonly ZoneDiff[] | undefined {
  if (compareSerial(from, to) >= 0) return [];
  const first = entries[0];
  if (first?.kind !== "zone" || first.after?.serial !== from) return undefined;
  const history = new ZoneHistory(entries.length);
  let serial = from;
  let result: readonly ZoneDiff[] | undefined;
  for (const e of entries.slice(1)) {
    if (e.kind === "rrset") {
      const { removed, added } = hostDifference(e.fqdn, wireSets(e.before), wireSets(e.after));
      history.note(removed, added);
      continue;
    }
    const { before, after } = e;
    if (before === null || after === null || before.serial !== serial) return undefined;
    const ns = difference(nsOf(before), nsOf(after));
    history.note(ns.removed, ns.added);
    const oldSoa = encodeSOA(before.soa, before.serial);
    const newSoa = encodeSOA(after.soa, after.serial);
    if (after.serial === before.serial) {
      if (history.hasPending || !sameBytes(oldSoa, newSoa) || before.ttl !== after.ttl) return undefined;
      continue;
    }
    if (compareSerial(after.serial, before.serial) < 0) return undefined;
    history.advance(before.serial, oldSoa, after.serial, newSoa);
    serial = after.serial;
    if (serial === to) result = history.since(from, to);
  }
  return history.hasPending ? undefined : result;
}

/** The log's diffs of a zone from `from` to `to` (the served serial), or undefined: send the full zone. */
export type LogDiffs = (zone: string, from: number, to: number) => Promise<readonly ZoneDiff[] | undefined>;

/** Reads at most `limit` log entries per request (beyond that, the full zone is the smaller answer). */
export function createLogDiffs(store: Pick<ChangeFeed, "zoneLog">, log: Log, limit = 10_000): LogDiffs {
  return async (zone, from, to) => {
    try {
      const entries = await store.zoneLog(zone, from, limit);
      return entries && diffsFromLog(entries, from, to);
    } catch (err) {
      log.warn({ err, zone, serial: from }, "IXFR: could not read the change log; sending the full zone");
      return undefined;
    }
  };
}

function nsOf(zone: Zone) {
  return nsRecords({ name: zone.name, ttl: zone.ttl, nsRdata: zone.nameservers.map(encodeNS) });
}

/** A set as the zone index serves it (none when it cannot be encoded, as the index drops it). */
function wireSets(set: RRSet | null): ReadonlyMap<number, WireRRSet> {
  const wire = set === null ? undefined : toWireRRSet(set);
  return wire === undefined ? NO_SETS : new Map([[wire.typeCode, wire]]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
