// The commit in PostgreSQL: the one transaction every update runs (record sets, history, the mirrors'
// outbox, serials, implicit hosts left empty), inside the transaction zones.ts opened through
// db.write — the counterpart of sqlite/update-path.ts, with the same contract (ports.ts, commit).
// Several nodes may commit at once: the zones written are locked first, in name order (zone-locks.ts),
// so commits of one zone run one after the other and commits of several zones cannot deadlock; the
// hosts are read again under those locks (another node may have deleted one meanwhile). Throws what the
// driver throws, or host_not_found (the caller's transaction then rolls back whole).

import { BeaconError } from "../../core/errors.js";
import { findZone } from "../../core/names.js";
import { nextSerial } from "../../core/serial.js";
import { foldableOutcome, HISTORY_FOLD_WINDOW_MS, type ChangeBatch, type CommitResult } from "../types.js";
import type { Sql } from "./db.js";
import { INSERT_OUTBOX, mirrorIdsOfZones } from "./mirrors.js";
import { lockZonesOfHosts } from "./zone-locks.js";

/** A host as a commit needs it. */
interface HostRef {
  readonly id: number;
  readonly zone: string;
  readonly implicit: boolean;
}

/**
 * Folds an entry into its host's latest entry of the type when that one is identical but for the time
 * and was first written within the fold window. Params: at, host id, type, window start, outcome,
 * protocol, token, source, user agent, old values, new values.
 */
const FOLD =
  "update history set count = count + 1, last_at = greatest(last_at, $1) where id = " +
  "(select id from history where host_id = $2 and type = $3 order by seq desc limit 1) and at > $4 " +
  "and outcome = $5 and protocol = $6 and token_id is not distinct from $7 " +
  "and source_ip is not distinct from $8 and user_agent is not distinct from $9 " +
  "and old_values_json is not distinct from $10 and new_values_json is not distinct from $11";

/** A new entry; seq continues the host's own count (the zone lock orders writers), null without a host. */
const INSERT =
  "insert into history (fqdn, zone, host_id, seq, type, old_values_json, new_values_json, at, last_at, " +
  "outcome, protocol, token_id, source_ip, user_agent) values ($1, $2, $3::bigint, case when $3::bigint is null " +
  "then null else (select coalesce(max(seq), 0) + 1 from history where host_id = $3::bigint) end, " +
  "$4, $5, $6, $7, $7, $8, $9, $10, $11, $12) returning seq";

/** Deletes a host's entries up to a position: one indexed range (params: host id, last seq to go). */
const TRIM = "delete from history where host_id = $1 and seq <= $2";

/** A set written (params: fqdn, type, ttl, values, at). */
const UPSERT =
  "insert into rrsets (fqdn, type, ttl, values_json, updated_at) values ($1, $2, $3, $4, $5) " +
  "on conflict (fqdn, type) do update set ttl = excluded.ttl, values_json = excluded.values_json, " +
  "updated_at = excluded.updated_at";

/** New serials of several zones in one statement (params: zone names, serials, in the same order). */
const SET_SERIALS =
  "update zones set serial = v.serial from unnest($1::text[], $2::bigint[]) as v(name, serial) " +
  "where zones.name = v.name";

/** Revokes the tokens made for a host (params: at, host id). */
const REVOKE_HOST_TOKENS = "update tokens set revoked_at = $1 where host_id = $2 and revoked_at is null";

type HostOf = (fqdn: string) => HostRef | undefined;

/** The hosts named, by fqdn (absent ones missing), in one statement. */
async function readHosts(sql: Sql, fqdns: readonly string[]): Promise<HostOf> {
  const rows = await sql.all<{ id: number; fqdn: string; zone: string; implicit: number }>(
    "select id, fqdn, zone, implicit from hosts where fqdn = any($1)",
    [...new Set(fqdns)],
  );
  const hosts = new Map(rows.map((r) => [r.fqdn, { id: r.id, zone: r.zone, implicit: r.implicit === 1 }]));
  return (fqdn) => hosts.get(fqdn);
}

/** Writes `batch` inside the caller's write transaction; see the file's comment. */
export async function commit(sql: Sql, batch: ChangeBatch): Promise<CommitResult> {
  const named = [...batch.writes.map((w) => w.fqdn), ...batch.history.map((e) => e.fqdn)];
  // The zones of the hosts written, read and locked in one statement; the hosts read again under the locks.
  const serials = await lockZonesOfHosts(
    sql,
    batch.writes.map((w) => w.fqdn),
  );
  const hostOf = await readHosts(sql, named);
  for (const w of batch.writes) {
    const zone = hostOf(w.fqdn)?.zone;
    // A host created by another node after the locking statement read the hosts is in a zone not
    // locked: this commit is ordered before that creation, when the host did not exist.
    if (zone === undefined || !serials.has(zone))
      throw new BeaconError("host_not_found", `host ${w.fqdn} does not exist`);
  }
  // History and outbox before the sets: the first change to a set takes the change-log counter
  // (migrations/0008_change_order.ts), which every writer on every node then waits for until this
  // transaction commits; the fewer statements after it, the shorter that wait.
  await writeHistory(sql, batch, hostOf);
  await writeOutbox(sql, batch, hostOf);
  for (const w of batch.writes) {
    if (w.rrset === null) await sql.run("delete from rrsets where fqdn = $1 and type = $2", w.fqdn, w.type);
    else await sql.run(UPSERT, w.fqdn, w.type, w.rrset.ttl, JSON.stringify(w.rrset.values), batch.at);
  }
  const removedHosts = await removeEmptied(sql, batch, hostOf);
  const zones = [...new Set(batch.writes.map((w) => hostOf(w.fqdn)!.zone))].sort();
  const advanced = new Map(zones.map((zone) => [zone, nextSerial(serials.get(zone)!)]));
  if (advanced.size > 0) await sql.run(SET_SERIALS, [...advanced.keys()], [...advanced.values()]);
  return { serials: advanced, removedHosts };
}

/**
 * Appends (or folds) the batch's entries in order, then trims each host that got a new row to its
 * newest `keepPerHost`. Each row keeps its host's zone, else the longest zone containing the name,
 * so deleting the zone with cascade removes it.
 */
async function writeHistory(sql: Sql, batch: ChangeBatch, hostOf: HostOf): Promise<void> {
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
      (await sql.run(FOLD, e.at, host.id, e.type, e.at - HISTORY_FOLD_WINDOW_MS, ...who, old, next)) > 0
    )
      continue;
    let zone = host?.zone;
    if (zone === undefined) {
      zoneNames ??= (await sql.all<{ name: string }>("select name from zones")).map((z) => z.name);
      zone = findZone(e.fqdn, zoneNames);
    }
    const row = await sql.get<{ seq: number | null }>(
      INSERT,
      e.fqdn,
      zone ?? null,
      host?.id ?? null,
      e.type,
      old,
      next,
      e.at,
      ...who,
    );
    if (host !== undefined && row?.seq != null) grown.set(host.id, row.seq);
  }
  const keep = batch.keepPerHost;
  if (keep === undefined) return;
  for (const [id, seq] of grown) if (seq > keep) await sql.run(TRIM, id, seq - keep);
}

/** Deletes the implicit hosts the writes left without any set (their sets' deletes are queued already). */
async function removeEmptied(sql: Sql, batch: ChangeBatch, hostOf: HostOf): Promise<Map<string, string>> {
  const removed = new Map<string, string>();
  for (const w of batch.writes) {
    const host = hostOf(w.fqdn);
    if (w.rrset !== null || host === undefined || !host.implicit || removed.has(w.fqdn)) continue;
    if ((await sql.get("select 1 from rrsets where fqdn = $1 limit 1", w.fqdn)) !== undefined) continue;
    await sql.run("delete from hosts where fqdn = $1", w.fqdn);
    await sql.run(REVOKE_HOST_TOKENS, batch.at, host.id);
    removed.set(w.fqdn, host.zone);
  }
  return removed;
}

/** The outbox: one row per write and per mirror of the write's zone (mirrors in id order). */
async function writeOutbox(sql: Sql, batch: ChangeBatch, hostOf: HostOf): Promise<void> {
  if (batch.writes.length === 0) return;
  const mirrors = await mirrorIdsOfZones(sql, [...new Set(batch.writes.map((w) => hostOf(w.fqdn)!.zone))]);
  for (const w of batch.writes) {
    for (const mirror of mirrors.get(hostOf(w.fqdn)!.zone) ?? []) {
      const values = w.rrset === null ? null : JSON.stringify(w.rrset.values);
      await sql.run(INSERT_OUTBOX, mirror, w.fqdn, w.type, w.rrset?.ttl ?? null, values, batch.at);
    }
  }
}
