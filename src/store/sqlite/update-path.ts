// The statements every update runs — reading a host, its zone and its sets, and the commit — on the
// raw better-sqlite3 connection. Through Kysely each statement cost ~25 µs of query building and
// promise plumbing, more than SQLite's own work (a one-write commit: 339 µs through Kysely, of which
// the fsync is ~80 µs). Same tables, same rows, same rules as the Kysely versions in sqlite-store.ts,
// which the store's contract tests check through these.
//
// Contract: call only while no transaction is open on the connection (`usable()`); Kysely's
// transactions are asynchronous, and a statement run in the middle of one would read its uncommitted
// rows or, worse, commit inside it. Methods are synchronous and throw what the driver throws.

import type BetterSqlite3 from "better-sqlite3";
import { BeaconError } from "../../core/errors.js";
import { findZone } from "../../core/names.js";
import { nextSerial } from "../../core/serial.js";
import type { ChangeBatch, CommitResult, HistoryEntry } from "../types.js";
import type { HostsTable, RRSetsTable, ZonesTable } from "./schema.js";

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
    const zoneOf = new Map<string, string>();
    for (const fqdn of [...batch.writes.map((w) => w.fqdn), ...batch.history.map((h) => h.fqdn)]) {
      if (zoneOf.has(fqdn)) continue;
      const zone = this.#get<{ zone: string }>("select zone from hosts where fqdn = ?", fqdn)?.zone;
      if (zone !== undefined) zoneOf.set(fqdn, zone);
    }
    const touched = new Set<string>();
    for (const w of batch.writes) {
      const zone = zoneOf.get(w.fqdn);
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
    this.#history(batch.history, zoneOf);
    this.#outbox(batch, zoneOf);
    const serials = new Map<string, number>();
    for (const zone of [...touched].sort()) {
      const serial = nextSerial(
        this.#get<{ serial: number }>("select serial from zones where name = ?", zone)!.serial,
      );
      this.#statement("update zones set serial = ? where name = ?").run(serial, zone);
      serials.set(zone, serial);
    }
    return { serials };
  }

  /** As appendHistory: each row keeps its host's zone, else the longest zone containing the name. */
  #history(entries: readonly HistoryEntry[], zoneOf: ReadonlyMap<string, string>): void {
    if (entries.length === 0) return;
    let zoneNames: string[] | undefined;
    const insert = this.#statement(
      "insert into history (fqdn, zone, type, old_values_json, new_values_json, at, outcome, protocol, " +
        "token_id, source_ip, user_agent) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    for (const e of entries) {
      let zone = zoneOf.get(e.fqdn);
      if (zone === undefined) {
        zoneNames ??= (this.#statement("select name from zones").all() as { name: string }[]).map(
          (z) => z.name,
        );
        zone = findZone(e.fqdn, zoneNames);
      }
      insert.run(
        e.fqdn,
        zone ?? null,
        e.type,
        e.oldValues === undefined ? null : JSON.stringify(e.oldValues),
        e.newValues === undefined ? null : JSON.stringify(e.newValues),
        e.at,
        e.outcome,
        e.protocol,
        e.tokenId ?? null,
        e.sourceIp ?? null,
        e.userAgent ?? null,
      );
    }
  }

  /** As enqueueWrites: one row per write and per mirror of the write's zone (mirrors in id order). */
  #outbox(batch: ChangeBatch, zoneOf: ReadonlyMap<string, string>): void {
    const mirrors = new Map<string, string[]>();
    const byZone = this.#statement("select id from mirrors where zone = ? order by id");
    const insert = this.#statement(
      "insert into outbox (mirror, fqdn, type, ttl, values_json, created_at) values (?, ?, ?, ?, ?, ?)",
    );
    for (const w of batch.writes) {
      const zone = zoneOf.get(w.fqdn) ?? "";
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
