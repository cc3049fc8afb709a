// The statements every update runs — reading a host, its zone and its sets, and the commit — on the
// raw better-sqlite3 connection. Through Kysely each statement cost ~25 µs of query building and
// promise plumbing, more than SQLite's own work (a one-write commit: 339 µs through Kysely, of which
// the fsync is ~80 µs). These statements are the store's only definitions of the reads and the commit:
// sqlite-store.ts runs them at once, or waits for the connection while a Kysely transaction holds it
// and runs them then. The store's contract tests check them through this path.
//
// Contract: call only while no transaction is open on the connection (`usable()`); Kysely's
// transactions are asynchronous, and a statement run in the middle of one would read its uncommitted
// rows or, worse, commit inside it. Methods are synchronous and throw what the driver throws.

import type BetterSqlite3 from "better-sqlite3";
import { BeaconError } from "../../core/errors.js";
import { findZone } from "../../core/names.js";
import { nextSerial } from "../../core/serial.js";
import { HISTORY_FOLD_WINDOW_MS, type ChangeBatch, type CommitResult } from "../types.js";
import type { HostsTable, RRSetsTable, ZonesTable } from "./schema.js";

/** A host as a commit needs it. */
interface HostRef {
  readonly id: number;
  readonly zone: string;
  readonly implicit: boolean;
}

/** Entries that change nothing (nochg, refusals) may fold into an identical latest entry. */
const foldable = (outcome: string): boolean => outcome !== "good" && outcome !== "deleted";

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

/** Revokes the tokens made for a host (params: at, host id). */
const REVOKE_HOST_TOKENS = "update tokens set revoked_at = ? where host_id = ? and revoked_at is null";

export class UpdatePath {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #commit: BetterSqlite3.Transaction<(batch: ChangeBatch) => CommitResult>;

  constructor(private readonly raw: BetterSqlite3.Database) {
    this.#commit = raw.transaction((batch: ChangeBatch) => this.#write(batch));
  }

  /** False while a transaction is open on the connection: use the Kysely path then. */
  usable(): boolean {
    return this.raw.open && !this.raw.inTransaction;
  }

  host(fqdn: string): HostsTable | undefined {
    return this.#get<HostsTable>("select * from hosts where fqdn = ?", fqdn);
  }

  zone(name: string): ZonesTable | undefined {
    return this.#get<ZonesTable>("select * from zones where name = ?", name);
  }

  rrsets(fqdn: string): RRSetsTable[] {
    return this.#statement("select * from rrsets where fqdn = ? order by type").all(fqdn) as RRSetsTable[];
  }

  /** One transaction (BEGIN IMMEDIATE): sets, history, mirror outbox, serials; rolled back if it throws. */
  commit(batch: ChangeBatch): CommitResult {
    return this.#commit.immediate(batch);
  }

  #write(batch: ChangeBatch): CommitResult {
    const hosts = new Map<string, HostRef | undefined>();
    const hostOf = (fqdn: string): HostRef | undefined => {
      if (!hosts.has(fqdn)) {
        const row = this.#get<{ id: number; zone: string; implicit: number }>(
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
    const upsert = this.#statement(
      "insert into rrsets (fqdn, type, ttl, values_json, updated_at) values (?, ?, ?, ?, ?) " +
        "on conflict (fqdn, type) do update set ttl = excluded.ttl, values_json = excluded.values_json, " +
        "updated_at = excluded.updated_at",
    );
    const remove = this.#statement("delete from rrsets where fqdn = ? and type = ?");
    for (const w of batch.writes) {
      if (w.rrset === null) remove.run(w.fqdn, w.type);
      else upsert.run(w.fqdn, w.type, w.rrset.ttl, JSON.stringify(w.rrset.values), batch.at);
    }
    this.#history(batch, hostOf);
    this.#outbox(batch, hostOf);
    const removedHosts = this.#removeEmptied(batch, hostOf);
    const serials = new Map<string, number>();
    for (const zone of [...touched].sort()) {
      const serial = nextSerial(
        this.#get<{ serial: number }>("select serial from zones where name = ?", zone)!.serial,
      );
      this.#statement("update zones set serial = ? where name = ?").run(serial, zone);
      serials.set(zone, serial);
    }
    return { serials, removedHosts };
  }

  /**
   * Appends (or folds) the batch's entries in order, then trims each host that got a new row to its
   * newest `keepPerHost`. Each row keeps its host's zone, else the longest zone containing the name,
   * so deleting the zone with cascade removes it.
   */
  #history(batch: ChangeBatch, hostOf: (fqdn: string) => HostRef | undefined): void {
    if (batch.history.length === 0) return;
    let zoneNames: string[] | undefined;
    const fold = this.#statement(FOLD);
    const insert = this.#statement(INSERT);
    /** Host id → the seq of its newest entry written here. */
    const grown = new Map<number, number>();
    for (const e of batch.history) {
      const host = hostOf(e.fqdn);
      const old = e.oldValues === undefined ? null : JSON.stringify(e.oldValues);
      const next = e.newValues === undefined ? null : JSON.stringify(e.newValues);
      const who = [e.outcome, e.protocol, e.tokenId ?? null, e.sourceIp ?? null, e.userAgent ?? null];
      if (
        host !== undefined &&
        foldable(e.outcome) &&
        fold.run(e.at, host.id, e.type, e.at - HISTORY_FOLD_WINDOW_MS, ...who, old, next).changes > 0
      )
        continue;
      let zone = host?.zone;
      if (zone === undefined) {
        zoneNames ??= (this.#statement("select name from zones").all() as { name: string }[]).map(
          (z) => z.name,
        );
        zone = findZone(e.fqdn, zoneNames);
      }
      const id = host?.id ?? null;
      const { seq } = insert.get(e.fqdn, zone ?? null, id, id, id, e.type, old, next, e.at, e.at, ...who) as {
        seq: number | null;
      };
      if (host !== undefined && seq !== null) grown.set(host.id, seq);
    }
    const keep = batch.keepPerHost;
    if (keep === undefined) return;
    for (const [id, seq] of grown) if (seq > keep) this.#statement(TRIM).run(id, seq - keep);
  }

  /** Deletes the implicit hosts the writes left without any set (their sets' deletes are queued already). */
  #removeEmptied(batch: ChangeBatch, hostOf: (fqdn: string) => HostRef | undefined): Map<string, string> {
    const removed = new Map<string, string>();
    for (const w of batch.writes) {
      const host = hostOf(w.fqdn);
      if (w.rrset !== null || host === undefined || !host.implicit || removed.has(w.fqdn)) continue;
      if (this.#get("select 1 from rrsets where fqdn = ? limit 1", w.fqdn) !== undefined) continue;
      this.#statement("delete from hosts where fqdn = ?").run(w.fqdn);
      this.#statement(REVOKE_HOST_TOKENS).run(batch.at, host.id);
      removed.set(w.fqdn, host.zone);
    }
    return removed;
  }

  /** The outbox: one row per write and per mirror of the write's zone (mirrors in id order). */
  #outbox(batch: ChangeBatch, hostOf: (fqdn: string) => HostRef | undefined): void {
    const mirrors = new Map<string, string[]>();
    const byZone = this.#statement("select id from mirrors where zone = ? order by id");
    const insert = this.#statement(
      "insert into outbox (mirror, fqdn, type, ttl, values_json, created_at) values (?, ?, ?, ?, ?, ?)",
    );
    for (const w of batch.writes) {
      const zone = hostOf(w.fqdn)?.zone ?? "";
      let ids = mirrors.get(zone);
      if (ids === undefined) {
        ids = (byZone.all(zone) as { id: string }[]).map((r) => r.id);
        mirrors.set(zone, ids);
      }
      for (const mirror of ids) {
        const values = w.rrset === null ? null : JSON.stringify(w.rrset.values);
        insert.run(mirror, w.fqdn, w.type, w.rrset?.ttl ?? null, values, batch.at);
      }
    }
  }

  #get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }

  #statement(sql: string): BetterSqlite3.Statement {
    let s = this.#statements.get(sql);
    if (s === undefined) {
      s = this.raw.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }
}
