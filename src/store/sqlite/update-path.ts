// The commit: the one transaction every update runs (record sets, history, the mirrors' outbox, serials,
// implicit hosts left empty), on the adapter's connection (db.ts) inside the transaction the caller
// opened (zones.ts runs it through db.write). Its statements are constants prepared once: through a
// query builder each cost ~25 µs of building and promise plumbing, more than SQLite's own work (a
// one-write commit: 339 µs through Kysely, of which the fsync is ~80 µs). Synchronous; throws what the
// driver throws, or host_not_found for a write to a host that does not exist (the caller's transaction
// then rolls back whole).

import { BeaconError } from "../../core/errors.js";
import { findZone } from "../../core/names.js";
import { nextSerial } from "../../core/serial.js";
import { foldableOutcome, HISTORY_FOLD_WINDOW_MS, type ChangeBatch, type CommitResult } from "../types.js";
import type { Db } from "./db.js";

/** A host as a commit needs it. */
interface HostRef {
  readonly id: number;
  readonly zone: string;
  readonly implicit: boolean;
}

/**
 * Folds an entry into its host's latest entry of the type when that one is identical but for the time
 * and was first written within the fold window. Params: at, host id, type, window start, outcome,
 * protocol, token, source, user agent, old values, new values. One indexed lookup, no extra read.
 */
const FOLD =
  "update history set count = count + 1, last_at = max(last_at, ?) where id = " +
  "(select id from history where host_id = ? and type = ? order by seq desc limit 1) and at > ? " +
  "and outcome = ? and protocol = ? and token_id is ? and source_ip is ? and user_agent is ? " +
  "and old_values_json is ? and new_values_json is ?";

/** A new entry; seq continues the host's own count (one indexed max), null without a host. */
const INSERT =
  "insert into history (fqdn, zone, host_id, seq, type, old_values_json, new_values_json, at, last_at, " +
  "outcome, protocol, token_id, source_ip, user_agent) values (?, ?, ?, case when ? is null then null " +
  "else (select coalesce(max(seq), 0) + 1 from history where host_id = ?) end, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
  "returning seq";

/** Deletes a host's entries up to a position: one indexed range (params: host id, last seq to go). */
const TRIM = "delete from history where host_id = ? and seq <= ?";

/** A set written (params: fqdn, type, ttl, values, at). */
const UPSERT =
  "insert into rrsets (fqdn, type, ttl, values_json, updated_at) values (?, ?, ?, ?, ?) " +
  "on conflict (fqdn, type) do update set ttl = excluded.ttl, values_json = excluded.values_json, " +
  "updated_at = excluded.updated_at";

/** An outbox row (params: mirror, fqdn, type, ttl, values, created at). */
const OUTBOX_INSERT =
  "insert into outbox (mirror, fqdn, type, ttl, values_json, created_at) values (?, ?, ?, ?, ?, ?)";

/** Revokes the tokens made for a host (params: at, host id). */
const REVOKE_HOST_TOKENS = "update tokens set revoked_at = ? where host_id = ? and revoked_at is null";

/** Writes `batch` inside the caller's write transaction; see the file's comment. */
export function commit(db: Db, batch: ChangeBatch): CommitResult {
  const hosts = new Map<string, HostRef | undefined>();
  const hostOf = (fqdn: string): HostRef | undefined => {
    if (!hosts.has(fqdn)) {
      const row = db.get<{ id: number; zone: string; implicit: number }>(
        "select id, zone, implicit from hosts where fqdn = ?",
        fqdn,
      );
      hosts.set(fqdn, row && { id: row.id, zone: row.zone, implicit: row.implicit === 1 });
    }
    return hosts.get(fqdn);
  };
  const touched = new Set<string>();
  for (const w of batch.writes) {
    const zone = hostOf(w.fqdn)?.zone;
    if (zone === undefined) throw new BeaconError("host_not_found", `host ${w.fqdn} does not exist`);
    touched.add(zone);
  }
  for (const w of batch.writes) {
    if (w.rrset === null) db.run("delete from rrsets where fqdn = ? and type = ?", w.fqdn, w.type);
    else db.run(UPSERT, w.fqdn, w.type, w.rrset.ttl, JSON.stringify(w.rrset.values), batch.at);
  }
  writeHistory(db, batch, hostOf);
  writeOutbox(db, batch, hostOf);
  const removedHosts = removeEmptied(db, batch, hostOf);
  const serials = new Map<string, number>();
  for (const zone of [...touched].sort()) {
    const serial = nextSerial(
      db.get<{ serial: number }>("select serial from zones where name = ?", zone)!.serial,
    );
    db.run("update zones set serial = ? where name = ?", serial, zone);
    serials.set(zone, serial);
  }
  return { serials, removedHosts };
}

type HostOf = (fqdn: string) => HostRef | undefined;

/**
 * Appends (or folds) the batch's entries in order, then trims each host that got a new row to its
 * newest `keepPerHost`. Each row keeps its host's zone, else the longest zone containing the name,
 * so deleting the zone with cascade removes it.
 */
function writeHistory(db: Db, batch: ChangeBatch, hostOf: HostOf): void {
  if (batch.history.length === 0) return;
  let zoneNames: string[] | undefined;
  /** Host id → the seq of its newest entry written here. */
  const grown = new Map<number, number>();
  for (const e of batch.history) {
    const host = hostOf(e.fqdn);
    const old = e.oldValues === undefined ? null : JSON.stringify(e.oldValues);
    const next = e.newValues === undefined ? null : JSON.stringify(e.newValues);
    const who = [e.outcome, e.protocol, e.tokenId ?? null, e.sourceIp ?? null, e.userAgent ?? null];
    if (
      host !== undefined &&
      foldableOutcome(e.outcome) &&
      db.run(FOLD, e.at, host.id, e.type, e.at - HISTORY_FOLD_WINDOW_MS, ...who, old, next) > 0
    )
      continue;
    let zone = host?.zone;
    if (zone === undefined) {
      zoneNames ??= db.all<{ name: string }>("select name from zones").map((z) => z.name);
      zone = findZone(e.fqdn, zoneNames);
    }
    const id = host?.id ?? null;
    const { seq } = db.get<{ seq: number | null }>(
      INSERT,
      e.fqdn,
      zone ?? null,
      id,
      id,
      id,
      e.type,
      old,
      next,
      e.at,
      e.at,
      ...who,
    )!;
    if (host !== undefined && seq !== null) grown.set(host.id, seq);
  }
  const keep = batch.keepPerHost;
  if (keep === undefined) return;
  for (const [id, seq] of grown) if (seq > keep) db.run(TRIM, id, seq - keep);
}

/** Deletes the implicit hosts the writes left without any set (their sets' deletes are queued already). */
function removeEmptied(db: Db, batch: ChangeBatch, hostOf: HostOf): Map<string, string> {
  const removed = new Map<string, string>();
  for (const w of batch.writes) {
    const host = hostOf(w.fqdn);
    if (w.rrset !== null || host === undefined || !host.implicit || removed.has(w.fqdn)) continue;
    if (db.get("select 1 from rrsets where fqdn = ? limit 1", w.fqdn) !== undefined) continue;
    db.run("delete from hosts where fqdn = ?", w.fqdn);
    db.run(REVOKE_HOST_TOKENS, batch.at, host.id);
    removed.set(w.fqdn, host.zone);
  }
  return removed;
}

/** The outbox: one row per write and per mirror of the write's zone (mirrors in id order). */
function writeOutbox(db: Db, batch: ChangeBatch, hostOf: HostOf): void {
  const mirrors = new Map<string, string[]>();
  for (const w of batch.writes) {
    const zone = hostOf(w.fqdn)?.zone ?? "";
    let ids = mirrors.get(zone);
    if (ids === undefined) {
      ids = db
        .all<{ id: string }>("select id from mirrors where zone = ? order by id", zone)
        .map((r) => r.id);
      mirrors.set(zone, ids);
    }
    for (const mirror of ids) {
      const values = w.rrset === null ? null : JSON.stringify(w.rrset.values);
      db.run(OUTBOX_INSERT, mirror, w.fqdn, w.type, w.rrset?.ttl ?? null, values, batch.at);
    }
  }
}
