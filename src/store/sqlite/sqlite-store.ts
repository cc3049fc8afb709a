// The embedded Store: one SQLite file (WAL, synchronous=FULL) through Kysely. Every method that
// changes data runs in one transaction; Kysely serialises this process's queries on its single
// connection, and BEGIN IMMEDIATE (see connection.ts) serialises writers across processes.

import { sql, type Kysely, type Transaction } from "kysely";

import { BeaconError } from "../../core/errors.js";
import { findZone } from "../../core/names.js";
import { initialSerial, nextSerial } from "../../core/serial.js";
import { silentLog, type Log } from "../../services/ports.js";
import type {
  ChangeBatch,
  CommitResult,
  Host,
  HistoryEntry,
  MirrorFailure,
  MirrorStatus,
  MirrorTarget,
  OutboxEntry,
  SessionRecord,
  Snapshot,
  Store,
  StoredHistoryEntry,
  StoredRRSet,
  TokenRecord,
  TsigKeyRecord,
  UserRecord,
  Zone,
  ZoneUpdate,
} from "../types.js";
import { applyZoneUpdate } from "../zone-update.js";
import { openDatabase } from "./connection.js";
import { UpdatePath } from "./update-path.js";
import { isUniqueViolation, toStoreError } from "./errors.js";
import * as keys from "./keys.js";
import * as mirrors from "./mirrors.js";
import * as users from "./users.js";
import {
  historyFromRow,
  hostFromRow,
  hostToRow,
  rrsetFromRow,
  tokenFromRow,
  tokenToRow,
  zoneFromRow,
  zoneToRow,
} from "./rows.js";
import type { Database } from "./schema.js";

const DEFAULT_HISTORY_LIMIT = 100;
/** Rows or keys per statement, well under SQLite's bound-parameter limit. */
const CHUNK = 200;

type Tx = Transaction<Database>;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Opens (creating and migrating if needed) the database at `path`. Throws store_unavailable. */
export async function openSqliteStore(opts: { path: string; log?: Log }): Promise<Store> {
  const log = opts.log ?? silentLog;
  const { db, raw } = await openDatabase(opts.path, log);
  log.info({ path: opts.path }, "SQLite store opened");
  return new SqliteStore(db, opts.path, new UpdatePath(raw));
}

class SqliteStore implements Store {
  #closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly path: string,
    /** The update path's statements without Kysely, used while no Kysely transaction is open. */
    private readonly fast: UpdatePath,
  ) {}

  /** `fn` on the raw connection when it is free (see update-path.ts); undefined: use Kysely. */
  private fastly<T>(doing: string, fn: (fast: UpdatePath) => T): Promise<T> | undefined {
    if (this.#closed || !this.fast.usable()) return undefined;
    try {
      return Promise.resolve(fn(this.fast));
    } catch (e) {
      return Promise.reject(e instanceof BeaconError ? e : toStoreError(e, this.path, doing));
    }
  }

  /** Runs `fn`, turning driver failures into store_unavailable. */
  private async run<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new BeaconError("store_unavailable", `SQLite database ${this.path} is closed`);
    try {
      return await fn();
    } catch (e) {
      throw toStoreError(e, this.path, doing);
    }
  }

  private inTransaction<T>(doing: string, fn: (trx: Tx) => Promise<T>): Promise<T> {
    return this.run(doing, () => this.db.transaction().execute(fn));
  }

  createZone(zone: Omit<Zone, "serial"> & { serial?: number }): Promise<Zone> {
    const stored: Zone = { ...zone, serial: zone.serial ?? initialSerial(zone.createdAt) };
    return this.run("createZone", async () => {
      try {
        await this.db.insertInto("zones").values(zoneToRow(stored)).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new BeaconError("zone_exists", `zone ${zone.name} already exists`);
        throw e;
      }
      return structuredClone(stored);
    });
  }

  getZone(name: string): Promise<Zone | undefined> {
    const fast = this.fastly("getZone", (f) => {
      const row = f.zone(name);
      return row && zoneFromRow(row);
    });
    if (fast !== undefined) return fast;
    return this.run("getZone", async () => {
      const row = await this.db.selectFrom("zones").selectAll().where("name", "=", name).executeTakeFirst();
      return row === undefined ? undefined : zoneFromRow(row);
    });
  }

  listZones(): Promise<Zone[]> {
    return this.run("listZones", async () => {
      const rows = await this.db.selectFrom("zones").selectAll().orderBy("name").execute();
      return rows.map(zoneFromRow);
    });
  }

  updateZone(name: string, change: ZoneUpdate): Promise<Zone> {
    return this.inTransaction("updateZone", async (trx) => {
      const row = await trx.selectFrom("zones").selectAll().where("name", "=", name).executeTakeFirst();
      if (row === undefined) throw new BeaconError("zone_not_found", `zone ${name} does not exist`);
      const before = zoneFromRow(row);
      const after = applyZoneUpdate(before, change);
      if (after === before) return before;
      await trx.updateTable("zones").set(zoneToRow(after)).where("name", "=", name).execute();
      return after;
    });
  }

  deleteZone(name: string, opts?: { cascade?: boolean }): Promise<boolean> {
    return this.inTransaction("deleteZone", async (trx) => {
      const zone = await trx.selectFrom("zones").select("name").where("name", "=", name).executeTakeFirst();
      if (zone === undefined) return false;
      const { n } = await trx
        .selectFrom("hosts")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("zone", "=", name)
        .executeTakeFirstOrThrow();
      if (n > 0 && opts?.cascade !== true) {
        throw new BeaconError("zone_not_empty", `zone ${name} still has ${n} host(s)`);
      }
      await trx
        .deleteFrom("rrsets")
        .where("fqdn", "in", (eb) => eb.selectFrom("hosts").select("fqdn").where("zone", "=", name))
        .execute();
      await trx.deleteFrom("hosts").where("zone", "=", name).execute();
      await trx.deleteFrom("history").where("zone", "=", name).execute();
      await mirrors.dropZoneMirrors(trx, name);
      await trx.deleteFrom("zones").where("name", "=", name).execute();
      return true;
    });
  }

  createHost(host: Host): Promise<Host> {
    return this.inTransaction("createHost", async (trx) => {
      const zone = await trx
        .selectFrom("zones")
        .select("name")
        .where("name", "=", host.zone)
        .executeTakeFirst();
      if (zone === undefined) throw new BeaconError("zone_not_found", `zone ${host.zone} does not exist`);
      try {
        await trx.insertInto("hosts").values(hostToRow(host)).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new BeaconError("host_exists", `host ${host.fqdn} already exists`);
        throw e;
      }
      await advanceSerial(trx, host.zone);
      return structuredClone(host);
    });
  }

  getHost(fqdn: string): Promise<Host | undefined> {
    const fast = this.fastly("getHost", (f) => {
      const row = f.host(fqdn);
      return row && hostFromRow(row);
    });
    if (fast !== undefined) return fast;
    return this.run("getHost", async () => {
      const row = await this.db.selectFrom("hosts").selectAll().where("fqdn", "=", fqdn).executeTakeFirst();
      return row === undefined ? undefined : hostFromRow(row);
    });
  }

  listHosts(zone?: string): Promise<Host[]> {
    return this.run("listHosts", async () => {
      let q = this.db.selectFrom("hosts").selectAll();
      if (zone !== undefined) q = q.where("zone", "=", zone);
      const rows = await q.orderBy("fqdn").execute();
      return rows.map(hostFromRow);
    });
  }

  deleteHost(fqdn: string, at = Date.now()): Promise<boolean> {
    return this.inTransaction("deleteHost", async (trx) => {
      const host = await trx.selectFrom("hosts").select("zone").where("fqdn", "=", fqdn).executeTakeFirst();
      if (host === undefined) return false;
      await mirrors.enqueueHostDelete(trx, fqdn, host.zone, at);
      await trx.deleteFrom("rrsets").where("fqdn", "=", fqdn).execute();
      await trx.deleteFrom("hosts").where("fqdn", "=", fqdn).execute();
      await advanceSerial(trx, host.zone);
      return true;
    });
  }

  getRRSets(fqdn: string): Promise<StoredRRSet[]> {
    const fast = this.fastly("getRRSets", (f) => f.rrsets(fqdn).map(rrsetFromRow));
    if (fast !== undefined) return fast;
    return this.run("getRRSets", async () => {
      const rows = await this.db
        .selectFrom("rrsets")
        .selectAll()
        .where("fqdn", "=", fqdn)
        .orderBy("type")
        .execute();
      return rows.map(rrsetFromRow);
    });
  }

  commit(batch: ChangeBatch): Promise<CommitResult> {
    const fast = this.fastly("commit", (f) => f.commit(batch));
    if (fast !== undefined) return fast;
    return this.inTransaction("commit", async (trx) => {
      const zoneOf = await hostZones(trx, [
        ...batch.writes.map((w) => w.fqdn),
        ...batch.history.map((h) => h.fqdn),
      ]);
      const touched = new Set<string>();
      for (const w of batch.writes) {
        const zone = zoneOf.get(w.fqdn);
        if (zone === undefined) throw new BeaconError("host_not_found", `host ${w.fqdn} does not exist`);
        touched.add(zone);
      }
      for (const w of batch.writes) {
        if (w.rrset === null) {
          await trx.deleteFrom("rrsets").where("fqdn", "=", w.fqdn).where("type", "=", w.type).execute();
          continue;
        }
        const set = { ttl: w.rrset.ttl, values_json: JSON.stringify(w.rrset.values), updated_at: batch.at };
        await trx
          .insertInto("rrsets")
          .values({ fqdn: w.fqdn, type: w.type, ...set })
          .onConflict((oc) => oc.columns(["fqdn", "type"]).doUpdateSet(set))
          .execute();
      }
      await appendHistory(trx, batch.history, zoneOf);
      await mirrors.enqueueWrites(trx, batch.writes, zoneOf, batch.at);
      const serials = new Map<string, number>();
      for (const zone of [...touched].sort()) serials.set(zone, await advanceSerial(trx, zone));
      return { serials };
    });
  }

  createToken(token: TokenRecord): Promise<void> {
    return this.run("createToken", async () => {
      try {
        await this.db.insertInto("tokens").values(tokenToRow(token)).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new BeaconError("token_exists", `token ${token.id} already exists`);
        throw e;
      }
    });
  }

  getToken(id: string): Promise<TokenRecord | undefined> {
    return this.run("getToken", async () => {
      const row = await this.db.selectFrom("tokens").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : tokenFromRow(row);
    });
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.run("listTokens", async () => {
      const rows = await this.db
        .selectFrom("tokens")
        .selectAll()
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(tokenFromRow);
    });
  }

  revokeToken(id: string, at: number): Promise<boolean> {
    return this.run("revokeToken", async () => {
      const r = await this.db
        .updateTable("tokens")
        .set({ revoked_at: at })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    });
  }

  touchToken(id: string, at: number): Promise<void> {
    return this.run("touchToken", async () => {
      await this.db.updateTable("tokens").set({ last_used_at: at }).where("id", "=", id).execute();
    });
  }

  listHistory(fqdn: string, opts?: { limit?: number; before?: number }): Promise<StoredHistoryEntry[]> {
    // SQLite reads a negative LIMIT as "no limit"; the contract's limit is an upper bound.
    const limit = Math.max(0, Math.floor(opts?.limit ?? DEFAULT_HISTORY_LIMIT));
    const before = opts?.before;
    return this.run("listHistory", async () => {
      let q = this.db.selectFrom("history").selectAll().where("fqdn", "=", fqdn);
      if (before !== undefined) q = q.where("id", "<", before);
      const rows = await q.orderBy("id", "desc").limit(limit).execute();
      return rows.map(historyFromRow);
    });
  }

  createMirror(mirror: MirrorTarget): Promise<MirrorTarget> {
    return this.inTransaction("createMirror", async (trx) => {
      await mirrors.createMirror(trx, mirror);
      return structuredClone(mirror);
    });
  }

  getMirror(id: string): Promise<MirrorTarget | undefined> {
    return this.run("getMirror", () => mirrors.getMirror(this.db, id));
  }

  listMirrors(zone?: string): Promise<MirrorTarget[]> {
    return this.run("listMirrors", () => mirrors.listMirrors(this.db, zone));
  }

  deleteMirror(id: string): Promise<boolean> {
    return this.inTransaction("deleteMirror", (trx) => mirrors.deleteMirror(trx, id));
  }

  enqueueResync(mirror: string, at: number): Promise<number> {
    return this.inTransaction("enqueueResync", (trx) => mirrors.enqueueResync(trx, mirror, at));
  }

  pendingOutbox(mirror: string, limit: number): Promise<OutboxEntry[]> {
    return this.run("pendingOutbox", () => mirrors.pendingOutbox(this.db, mirror, limit));
  }

  ackOutbox(
    mirror: string,
    seqs: readonly number[],
    at: number,
    outcome: "delivered" | "skipped" = "delivered",
  ): Promise<void> {
    return this.inTransaction("ackOutbox", (trx) => mirrors.ackOutbox(trx, mirror, seqs, at, outcome));
  }

  failMirror(mirror: string, failure: MirrorFailure): Promise<void> {
    return this.run("failMirror", () => mirrors.failMirror(this.db, mirror, failure));
  }

  mirrorStatus(): Promise<MirrorStatus[]> {
    return this.inTransaction("mirrorStatus", (trx) => mirrors.mirrorStatus(trx));
  }

  createTsigKey(key: TsigKeyRecord): Promise<void> {
    return this.run("createTsigKey", () => keys.createTsigKey(this.db, key));
  }

  listTsigKeys(): Promise<TsigKeyRecord[]> {
    return this.run("listTsigKeys", () => keys.listTsigKeys(this.db));
  }

  deleteTsigKey(name: string): Promise<boolean> {
    return this.run("deleteTsigKey", () => keys.deleteTsigKey(this.db, name));
  }

  createUser(user: UserRecord): Promise<void> {
    return this.run("createUser", () => users.createUser(this.db, user));
  }

  createFirstUser(user: UserRecord): Promise<boolean> {
    return this.inTransaction("createFirstUser", (trx) => users.createFirstUser(trx, user));
  }

  getUser(name: string): Promise<UserRecord | undefined> {
    return this.run("getUser", () => users.getUser(this.db, name));
  }

  listUsers(): Promise<UserRecord[]> {
    return this.run("listUsers", () => users.listUsers(this.db));
  }

  countUsers(): Promise<number> {
    return this.run("countUsers", () => users.countUsers(this.db));
  }

  setUserPassword(name: string, passwordHash: string, at: number): Promise<boolean> {
    return this.run("setUserPassword", () => users.setUserPassword(this.db, name, passwordHash, at));
  }

  deleteUser(name: string): Promise<boolean> {
    return this.run("deleteUser", () => users.deleteUser(this.db, name));
  }

  createSession(session: SessionRecord): Promise<void> {
    return this.inTransaction("createSession", (trx) => users.createSession(trx, session));
  }

  getSession(idHash: string): Promise<SessionRecord | undefined> {
    return this.run("getSession", () => users.getSession(this.db, idHash));
  }

  touchSession(idHash: string, at: number): Promise<void> {
    return this.run("touchSession", () => users.touchSession(this.db, idHash, at));
  }

  deleteSession(idHash: string): Promise<boolean> {
    return this.run("deleteSession", () => users.deleteSession(this.db, idHash));
  }

  deleteUserSessions(user: string, exceptIdHash?: string): Promise<number> {
    return this.run("deleteUserSessions", () => users.deleteUserSessions(this.db, user, exceptIdHash));
  }

  pruneSessions(now: number, lastSeenBefore: number): Promise<number> {
    return this.run("pruneSessions", () => users.pruneSessions(this.db, now, lastSeenBefore));
  }

  snapshot(): Promise<Snapshot> {
    return this.inTransaction("snapshot", async (trx) => {
      const zones = await trx.selectFrom("zones").selectAll().orderBy("name").execute();
      const hosts = await trx.selectFrom("hosts").selectAll().orderBy("fqdn").execute();
      const rrsets = await trx.selectFrom("rrsets").selectAll().orderBy("fqdn").orderBy("type").execute();
      return {
        zones: zones.map(zoneFromRow),
        hosts: hosts.map(hostFromRow),
        rrsets: rrsets.map((r) => ({ fqdn: r.fqdn, ...rrsetFromRow(r) })),
      };
    });
  }

  externalVersion(): Promise<number> {
    // data_version changes only when another connection commits, so our own writes never make a
    // running server reload what it already knows.
    return this.run("externalVersion", async () => {
      const { rows } = await sql<{ data_version: number }>`pragma data_version`.execute(this.db);
      const v = rows[0]?.data_version;
      if (typeof v !== "number") throw new Error("pragma data_version returned no number");
      return v;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.db.destroy();
    } catch (e) {
      throw toStoreError(e, this.path, "close");
    }
  }
}

async function advanceSerial(trx: Tx, zone: string): Promise<number> {
  const row = await trx
    .selectFrom("zones")
    .select("serial")
    .where("name", "=", zone)
    .executeTakeFirstOrThrow();
  const serial = nextSerial(row.serial);
  await trx.updateTable("zones").set({ serial }).where("name", "=", zone).execute();
  return serial;
}

/** fqdn → zone for every existing host among `fqdns`. */
async function hostZones(trx: Tx, fqdns: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(fqdns)])) {
    const rows = await trx.selectFrom("hosts").select(["fqdn", "zone"]).where("fqdn", "in", part).execute();
    for (const r of rows) out.set(r.fqdn, r.zone);
  }
  return out;
}

/**
 * Appends entries in order (ids increase with position). Each row remembers its zone, so deleting
 * the zone with cascade removes it: the host's zone, else (a refused change to a name that is not a
 * host) the longest zone containing the name.
 */
async function appendHistory(
  trx: Tx,
  entries: readonly HistoryEntry[],
  zoneOf: Map<string, string>,
): Promise<void> {
  if (entries.length === 0) return;
  let zoneNames: string[] | undefined;
  const rows = [];
  for (const e of entries) {
    let zone = zoneOf.get(e.fqdn);
    if (zone === undefined) {
      zoneNames ??= (await trx.selectFrom("zones").select("name").execute()).map((z) => z.name);
      zone = findZone(e.fqdn, zoneNames);
    }
    rows.push({
      fqdn: e.fqdn,
      zone: zone ?? null,
      type: e.type,
      old_values_json: e.oldValues === undefined ? null : JSON.stringify(e.oldValues),
      new_values_json: e.newValues === undefined ? null : JSON.stringify(e.newValues),
      at: e.at,
      outcome: e.outcome,
      protocol: e.protocol,
      token_id: e.tokenId ?? null,
      source_ip: e.sourceIp ?? null,
      user_agent: e.userAgent ?? null,
    });
  }
  for (const part of chunks(rows)) await trx.insertInto("history").values(part).execute();
}
