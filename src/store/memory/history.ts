// The memory store's update history (the HistoryStore port), written by the commit through `append`
// with the SQLite store's rules: an entry belongs to the host that has its name (hostId) and to that
// host's zone, or to the zone holding the name when no host has it (so a cascade takes it); repeats
// fold (foldsInto); keepPerHost trims. Every method runs without awaiting, so each is atomic; entries
// are cloned in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { findZone } from "../../core/names.js";
import {
  foldableOutcome,
  HISTORY_FOLD_WINDOW_MS,
  type HistoryEntry,
  type StoredHistoryEntry,
} from "../types.js";
import type { HistoryStore } from "../ports.js";
import type { ZoneView } from "./zone-tables.js";

const DEFAULT_HISTORY_LIMIT = 100;

/** A history row plus the zone it belongs to (deleted with the zone on cascade). */
type HistoryRow = StoredHistoryEntry & { readonly zone: string | undefined };

export interface MemoryHistory extends HistoryStore {
  /**
   * Appends (or folds) the entries, in order, then keeps the newest `keepPerHost` rows of each host
   * that got a new row (undefined: no limit). Part of a commit: call it between the writes and the
   * removal of implicit hosts, so entries belong to the hosts the writes were for.
   */
  readonly append: (entries: readonly HistoryEntry[], keepPerHost: number | undefined) => void;
  /** Deletes the zone's entries (deleteZone with cascade). */
  readonly dropZone: (zone: string) => void;
}

/** As the SQLite store's FOLD: a non-change identical to the latest entry of its type, within the window. */
export function foldsInto(e: HistoryEntry, latest: StoredHistoryEntry): boolean {
  return (
    foldableOutcome(e.outcome) &&
    latest.at > e.at - HISTORY_FOLD_WINDOW_MS &&
    latest.outcome === e.outcome &&
    latest.protocol === e.protocol &&
    latest.tokenId === e.tokenId &&
    latest.sourceIp === e.sourceIp &&
    latest.userAgent === e.userAgent &&
    JSON.stringify(latest.oldValues) === JSON.stringify(e.oldValues) &&
    JSON.stringify(latest.newValues) === JSON.stringify(e.newValues)
  );
}

/** `names` tells whose an entry is: the host of its name, else the zone that holds the name. */
export function createMemoryHistory(
  open: () => void,
  names: Pick<ZoneView, "zones" | "hosts">,
): MemoryHistory {
  let rows: HistoryRow[] = [];
  let nextId = 1;

  /** Appends or folds one entry; the host id when it added a row for a host. */
  function appendOne(e: HistoryEntry): number | undefined {
    const host = names.hosts.get(e.fqdn);
    if (host !== undefined) {
      const latest = rows.findLast((r) => r.hostId === host.id && r.type === e.type);
      if (latest !== undefined && foldsInto(e, latest)) {
        rows[rows.indexOf(latest)] = {
          ...latest,
          count: latest.count + 1,
          lastAt: Math.max(latest.lastAt, e.at),
        };
        return undefined;
      }
    }
    const zone = host?.zone ?? findZone(e.fqdn, names.zones.keys());
    rows.push({ ...e, id: nextId++, hostId: host?.id, count: 1, lastAt: e.at, zone });
    return host?.id;
  }

  function keepNewest(hostId: number, keep: number): void {
    const mine = rows.filter((r) => r.hostId === hostId);
    const drop = new Set(mine.slice(0, Math.max(0, mine.length - keep)));
    if (drop.size > 0) rows = rows.filter((r) => !drop.has(r));
  }

  return {
    async listHistory(fqdn, opts) {
      open();
      const limit = Math.max(0, Math.floor(opts?.limit ?? DEFAULT_HISTORY_LIMIT));
      const { before, hostId } = opts ?? {};
      const out: StoredHistoryEntry[] = [];
      for (let i = rows.length - 1; i >= 0 && out.length < limit; i--) {
        const row = rows[i];
        if (row === undefined || (before !== undefined && row.id >= before)) continue;
        if (hostId === undefined ? row.fqdn !== fqdn : row.hostId !== hostId) continue;
        const { zone: _zone, ...entry } = row;
        out.push(entry);
      }
      return structuredClone(out);
    },

    async pruneHistory(olderThan, limit) {
      open();
      const oldest = new Set(rows.slice(0, Math.max(0, Math.floor(limit))));
      const before = rows.length;
      rows = rows.filter((r) => !(oldest.has(r) && r.lastAt < olderThan));
      return before - rows.length;
    },

    append(entries, keepPerHost) {
      const grown = new Set<number>();
      for (const e of structuredClone(entries)) {
        const id = appendOne(e);
        if (id !== undefined) grown.add(id);
      }
      if (keepPerHost !== undefined) for (const id of grown) keepNewest(id, keepPerHost);
    },

    dropZone(zone) {
      rows = rows.filter((r) => r.zone !== zone);
    },
  };
}
