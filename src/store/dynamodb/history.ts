// The update history on DynamoDB (the HistoryStore port) and its part of a commit (`stageHistory`),
// with the memory and SQL stores' rules: an entry belongs to the host that has its name (hostId) and
// to that host's zone, or to the zone holding the name when no host has it (so a zone cascade takes
// it); repeats fold (foldsInto); keepPerHost trims. Entries live under their name (HIST#<fqdn>, by id)
// with an index row each (HISTORY, by id) that pruning and the zone cascade read.
//
// A commit reads every entry of each name it writes history for: keepPerHost (the update service
// always gives one) bounds that to about keepPerHost per host, plus the name's entries of earlier
// hosts and of no host until pruning takes them.

import { findZone } from "../../core/names.js";
import { foldsInto } from "../memory/history.js";
import type { HistoryStore } from "../ports.js";
import type { Host, HistoryEntry, StoredHistoryEntry } from "../types.js";
import { data } from "./codec.js";
import type { CommitLog, Tx } from "./commit-log.js";
import { keys, pad } from "./table.js";
import { readZones } from "./zone-items.js";

const DEFAULT_LIMIT = 100;
/** pruneHistory looks at most at this many entries per call, whatever `limit` (one bounded commit). */
const MAX_PRUNE = 1000;

/** An entry as stored: with the zone it belongs to. */
type Row = StoredHistoryEntry & { readonly z?: string };
/** Its index row: fqdn, zone, lastAt. */
interface IndexRow {
  readonly f: string;
  readonly z?: string;
  readonly l: number;
}

export function createDynamoHistory(log: CommitLog): HistoryStore {
  return {
    async listHistory(fqdn, opts) {
      const limit = Math.max(0, Math.floor(opts?.limit ?? DEFAULT_LIMIT));
      if (!(limit > 0)) return [];
      const { before, hostId } = opts ?? {};
      const rows = await log.read((r) =>
        r.query(keys.history(fqdn, 0).pk, {
          desc: true,
          limit,
          ...(before === undefined ? {} : { below: pad(Math.max(0, Math.ceil(before))) }),
          ...(hostId === undefined ? {} : { filter: (i) => data<Row>(i).hostId === hostId }),
        }),
      );
      return rows.map((i) => entryOf(data<Row>(i)));
    },

    async pruneHistory(olderThan, limit) {
      const n = Math.min(MAX_PRUNE, Math.floor(limit));
      if (!(n > 0)) return 0;
      return log.mutate(async (tx) => {
        const oldest = await tx.query(keys.historyIndex(0).pk, { limit: n });
        let deleted = 0;
        for (const item of oldest) {
          const row = data<IndexRow>(item);
          if (!(row.l < olderThan)) continue;
          const id = Number(item.sk?.S);
          tx.del(keys.history(row.f, id));
          tx.del(keys.historyIndex(id));
          deleted++;
        }
        return deleted;
      });
    },
  };
}

/**
 * Appends (or folds) the entries in order, then keeps the newest `keepPerHost` entries of each host
 * that got a new one. `hostOf` gives the host that has a name now (before the commit removes any).
 */
export async function stageHistory(
  tx: Tx,
  entries: readonly HistoryEntry[],
  keepPerHost: number | undefined,
  hostOf: (fqdn: string) => Promise<Host | undefined>,
): Promise<void> {
  const byName = new Map<string, Row[]>(); // newest first
  const rowsOf = async (fqdn: string): Promise<Row[]> => {
    let rows = byName.get(fqdn);
    if (rows === undefined) {
      rows = (await tx.query(keys.history(fqdn, 0).pk, { desc: true })).map((i) => data<Row>(i));
      byName.set(fqdn, rows);
    }
    return rows;
  };
  let zoneNames: string[] | undefined;
  const grown = new Map<number, string>();

  for (const e of entries) {
    const host = await hostOf(e.fqdn);
    const rows = await rowsOf(e.fqdn);
    const at = host === undefined ? -1 : rows.findIndex((r) => r.hostId === host.id && r.type === e.type);
    const latest = rows[at];
    if (latest !== undefined && foldsInto(e, latest)) {
      const folded = { ...latest, count: latest.count + 1, lastAt: Math.max(latest.lastAt, e.at) };
      rows[at] = folded;
      stageRow(tx, folded);
      continue;
    }
    const z = host?.zone ?? findZone(e.fqdn, (zoneNames ??= (await readZones(tx)).map((x) => x.name)));
    const row: Row = { ...e, id: tx.next("i"), hostId: host?.id, count: 1, lastAt: e.at, z };
    rows.unshift(row);
    stageRow(tx, row);
    if (host) grown.set(host.id, e.fqdn);
  }

  if (keepPerHost === undefined) return;
  for (const [hostId, fqdn] of grown) {
    const mine = (await rowsOf(fqdn)).filter((r) => r.hostId === hostId);
    for (const r of mine.slice(Math.max(0, keepPerHost))) {
      tx.del(keys.history(fqdn, r.id));
      tx.del(keys.historyIndex(r.id));
    }
  }
}

/** Deletes every entry of the zone (deleteZone with cascade): reads the whole index. */
export async function stageZoneHistoryDelete(tx: Tx, zone: string): Promise<void> {
  for (const item of await tx.query(keys.historyIndex(0).pk)) {
    const row = data<IndexRow>(item);
    if (row.z !== zone) continue;
    const id = Number(item.sk?.S);
    tx.del(keys.history(row.f, id));
    tx.del(keys.historyIndex(id));
  }
}

function stageRow(tx: Tx, row: Row): void {
  tx.put(keys.history(row.fqdn, row.id), row);
  tx.put(keys.historyIndex(row.id), { f: row.fqdn, z: row.z, l: row.lastAt } satisfies IndexRow);
}

function entryOf(row: Row): StoredHistoryEntry {
  const { z: _z, ...entry } = row;
  return entry;
}
