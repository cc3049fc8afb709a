// The embedded Store: one SQLite file (WAL, synchronous=FULL) through Kysely. Every method that
// changes data runs in one transaction; Kysely serialises this process's queries on its single
// connection, and BEGIN IMMEDIATE (see connection.ts) serialises writers across processes. Every
// write is refused once the file guard found the database file lost, and checked against it after
// it committed (file-guard.ts), so a change is acknowledged only while it went to the file on disk.

import { sql, type Kysely, type Transaction } from "kysely";

import { BeaconError } from "../../core/errors.js";
import { initialSerial, nextSerial } from "../../core/serial.js";
import { silentLog, type Log } from "../../core/log.js";
import type {
  ChangeBatch,
  ChangeDelta,
  CommitResult,
  Host,
  HostFlag,
  LimitBucket,
  LimitBucketChange,
  MirrorFailure,
  MirrorStatus,
  MirrorTarget,
  NewHost,
  OutboxEntry,
  SessionRecord,
  Snapshot,
  StoredHistoryEntry,
  StoredRRSet,
  StoreHealth,
  TokenRecord,
  TsigKeyRecord,
  UserRecord,
  ZoneUpdate,
} from "../types.js";
import type { Store } from "../ports.js";
import type { Zone } from "../../core/zones.js";
import { applyZoneUpdate } from "../zone-update.js";
import * as changes from "./changes.js";
import { openDatabase, type OpenOptions } from "./connection.js";
import { FileGuard } from "./file-guard.js";
import type { DatabaseLock } from "./lock.js";
import { UpdatePath } from "./update-path.js";
import { isUniqueViolation, toStoreError } from "./errors.js";
import * as keys from "./keys.js";
import * as limits from "./limits.js";
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

/** How often the file guard looks at the database files besides after each commit. */
const GUARD_CHECK_MS = 1_000;

export interface SqliteStoreOptions extends Omit<OpenOptions, "migrations"> {
  readonly path: string;
  readonly log?: Log;
}

/**
 * Opens (creating and migrating if needed and allowed, see OpenOptions) the database at `path`.
 * Throws a store_* BeaconError.
 */
export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  const log = opts.log ?? silentLog;
  const { db, raw, lock } = await openDatabase(opts.path, log, opts);
  log.info({ path: opts.path }, "SQLite store opened");
  const guard =
    opts.path === ":memory:"
      ? undefined
      : new FileGuard({
          path: opts.path,
          log,
          rescue: (target) => {
            if (raw.inTransaction) return false;
            raw.prepare("vacuum into ?").run(target);
            return true;
          },
        });
  return new SqliteStore(db, opts.path, new UpdatePath(raw), guard, lock);
}

class SqliteStore implements Store {
  #closed = false;
  readonly #guardTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly path: string,
    /** The update path's statements without Kysely, used while no Kysely transaction is open. */
    private readonly fast: UpdatePath,
    private readonly guard: FileGuard | undefined,
    private readonly lock: DatabaseLock | undefined,
  ) {
    if (guard !== undefined) {
      this.#guardTimer = setInterval(() => guard.check(), GUARD_CHECK_MS);
      this.#guardTimer.unref();
    }
  }

  /**
   * `fn` on the raw connection (update-path.ts): at once when no Kysely transaction holds it, else once
   * Kysely hands the connection out again (no transaction is open then). Either way the same
   * statements run: each has one definition. A write gets the file guard's checks, as write() gives.
   */
  private direct<T>(doing: string, fn: (fast: UpdatePath) => T, write = false): Promise<T> {
    if (!this.#closed && this.fast.usable()) {
      try {
        if (write) this.guard?.assertNotLost();
        const result = fn(this.fast);
        if (write) this.guard?.verify();
        return Promise.resolve(result);
      } catch (e) {
        return Promise.reject(toStoreError(e, this.path, doing));
      }
    }
    const later = () => this.db.connection().execute(() => Promise.resolve(fn(this.fast)));
    return write ? this.write(doing, later) : this.run(doing, later);
  }

  /** Runs `fn`, turning driver failures into store errors. */
  private async run<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new BeaconError("store_unavailable", `SQLite database ${this.path} is closed`);
    try {
      return await fn();
    } catch (e) {
      throw toStoreError(e, this.path, doing);
    }
  }

  /** Runs `fn`, which changes data: refused once the file is lost, and checked against it after. */
  private write<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    return this.run(doing, async () => {
      this.guard?.assertNotLost();
      const result = await fn();
      this.guard?.verify();
      return result;
    });
  }

  /** A write transaction. */
  private inTransaction<T>(doing: string, fn: (trx: Tx) => Promise<T>): Promise<T> {
    return this.write(doing, () => this.db.transaction().execute(fn));
  }

  /** A consistent read of several tables. */
  private readTransaction<T>(doing: string, fn: (trx: Tx) => Promise<T>): Promise<T> {
    return this.run(doing, () => this.db.transaction().execute(fn));
  }

  createZone(zone: Omit<Zone, "serial"> & { serial?: number }): Promise<Zone> {
    const stored: Zone = { ...zone, serial: zone.serial ?? initialSerial(zone.createdAt) };
    return this.write("createZone", async () => {
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
    return this.direct("getZone", (f) => {
      const row = f.zone(name);
      return row && zoneFromRow(row);
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
      const ids = await trx.selectFrom("hosts").select("id").where("zone", "=", name).execute();
      await revokeHostTokens(
        trx,
        ids.map((h) => h.id),
        Date.now(),
      );
      await trx.deleteFrom("hosts").where("zone", "=", name).execute();
      await trx.deleteFrom("history").where("zone", "=", name).execute();
      await mirrors.dropZoneMirrors(trx, name);
      await trx.deleteFrom("zones").where("name", "=", name).execute();
      return true;
    });
  }

  createHost(input: NewHost): Promise<Host> {
    return this.inTransaction("createHost", async (trx) => {
      const zone = await trx
        .selectFrom("zones")
        .select("name")
        .where("name", "=", input.zone)
        .executeTakeFirst();
      if (zone === undefined) throw new BeaconError("zone_not_found", `zone ${input.zone} does not exist`);
      const { value: id } = await trx
        .updateTable("counters")
        .set((eb) => ({ value: eb("value", "+", 1) }))
        .where("name", "=", "host_id")
        .returning("value")
        .executeTakeFirstOrThrow();
      const host: Host = { ...structuredClone(input), id, implicit: input.implicit ?? false };
      try {
        await trx.insertInto("hosts").values(hostToRow(host)).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new BeaconError("host_exists", `host ${host.fqdn} already exists`);
        throw e;
      }
      await advanceSerial(trx, host.zone);
      return host;
    });
  }

  getHost(fqdn: string): Promise<Host | undefined> {
    return this.direct("getHost", (f) => {
      const row = f.host(fqdn);
      return row && hostFromRow(row);
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
      const host = await trx
        .selectFrom("hosts")
        .select(["id", "zone"])
        .where("fqdn", "=", fqdn)
        .executeTakeFirst();
      if (host === undefined) return false;
      await mirrors.enqueueHostDelete(trx, fqdn, host.zone, at);
      await trx.deleteFrom("rrsets").where("fqdn", "=", fqdn).execute();
      await trx.deleteFrom("hosts").where("fqdn", "=", fqdn).execute();
      await revokeHostTokens(trx, [host.id], at);
      await advanceSerial(trx, host.zone);
      return true;
    });
  }

  getRRSets(fqdn: string): Promise<StoredRRSet[]> {
    return this.direct("getRRSets", (f) => f.rrsets(fqdn).map(rrsetFromRow));
  }

  commit(batch: ChangeBatch): Promise<CommitResult> {
    return this.direct("commit", (f) => f.commit(batch), true);
  }

  createToken(token: TokenRecord): Promise<void> {
    return this.write("createToken", async () => {
      try {
        await this.db.insertInto("tokens").values(tokenToRow(token)).execute();
      } catch (e) {
        if (isUniqueViolation(e))
          throw new BeaconError("token_exists", `token ${token.id} or its secret already exists`);
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

  findTokenBySecretHash(secretHash: string): Promise<TokenRecord | undefined> {
    return this.run("findTokenBySecretHash", async () => {
      const row = await this.db
        .selectFrom("tokens")
        .selectAll()
        .where("secret_hash", "=", secretHash)
        .executeTakeFirst();
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
    return this.write("revokeToken", async () => {
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
    return this.write("touchToken", async () => {
      await this.db.updateTable("tokens").set({ last_used_at: at }).where("id", "=", id).execute();
    });
  }

  listHistory(
    fqdn: string,
    opts?: { limit?: number; before?: number; hostId?: number },
  ): Promise<StoredHistoryEntry[]> {
    // SQLite reads a negative LIMIT as "no limit"; the contract's limit is an upper bound.
    const limit = Math.max(0, Math.floor(opts?.limit ?? DEFAULT_HISTORY_LIMIT));
    const { before, hostId } = opts ?? {};
    return this.run("listHistory", async () => {
      // A host's entries by its own index (seq grows with id); a name's by (fqdn, id).
      let q =
        hostId === undefined
          ? this.db.selectFrom("history").selectAll().where("fqdn", "=", fqdn).orderBy("id", "desc")
          : this.db.selectFrom("history").selectAll().where("host_id", "=", hostId).orderBy("seq", "desc");
      if (before !== undefined) q = q.where("id", "<", before);
      const rows = await q.limit(limit).execute();
      return rows.map(historyFromRow);
    });
  }

  pruneHistory(olderThan: number, limit: number): Promise<number> {
    return this.run("pruneHistory", async () => {
      const r = await this.db
        .deleteFrom("history")
        .where("id", "in", (eb) =>
          eb
            .selectFrom("history")
            .select("id")
            .orderBy("id")
            .limit(Math.max(0, Math.floor(limit))),
        )
        .where("last_at", "<", olderThan)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
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
    return this.write("failMirror", () => mirrors.failMirror(this.db, mirror, failure));
  }

  mirrorStatus(): Promise<MirrorStatus[]> {
    return this.readTransaction("mirrorStatus", (trx) => mirrors.mirrorStatus(trx));
  }

  createTsigKey(key: TsigKeyRecord): Promise<void> {
    return this.write("createTsigKey", () => keys.createTsigKey(this.db, key));
  }

  listTsigKeys(): Promise<TsigKeyRecord[]> {
    return this.run("listTsigKeys", () => keys.listTsigKeys(this.db));
  }

  deleteTsigKey(name: string): Promise<boolean> {
    return this.write("deleteTsigKey", () => keys.deleteTsigKey(this.db, name));
  }

  createUser(user: UserRecord): Promise<void> {
    return this.write("createUser", () => users.createUser(this.db, user));
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
    return this.write("setUserPassword", () => users.setUserPassword(this.db, name, passwordHash, at));
  }

  deleteUser(name: string): Promise<boolean> {
    return this.write("deleteUser", () => users.deleteUser(this.db, name));
  }

  createSession(session: SessionRecord): Promise<void> {
    return this.inTransaction("createSession", (trx) => users.createSession(trx, session));
  }

  getSession(idHash: string): Promise<SessionRecord | undefined> {
    return this.run("getSession", () => users.getSession(this.db, idHash));
  }

  touchSession(idHash: string, at: number): Promise<void> {
    return this.write("touchSession", () => users.touchSession(this.db, idHash, at));
  }

  deleteSession(idHash: string): Promise<boolean> {
    return this.write("deleteSession", () => users.deleteSession(this.db, idHash));
  }

  deleteUserSessions(user: string, exceptIdHash?: string): Promise<number> {
    return this.write("deleteUserSessions", () => users.deleteUserSessions(this.db, user, exceptIdHash));
  }

  pruneSessions(now: number, lastSeenBefore: number): Promise<number> {
    return this.write("pruneSessions", () => users.pruneSessions(this.db, now, lastSeenBefore));
  }

  loadLimitBuckets(now: number): Promise<LimitBucket[]> {
    return this.run("loadLimitBuckets", () => limits.loadLimitBuckets(this.db, now));
  }

  saveLimitBuckets(changes: readonly LimitBucketChange[], now: number): Promise<LimitBucket[]> {
    return this.inTransaction("saveLimitBuckets", (trx) => limits.saveLimitBuckets(trx, changes, now));
  }

  deleteLimitBuckets(keys: readonly string[]): Promise<void> {
    return this.write("deleteLimitBuckets", () => limits.deleteLimitBuckets(this.db, keys));
  }

  flagHost(flag: HostFlag): Promise<boolean> {
    return this.inTransaction("flagHost", (trx) => limits.flagHost(trx, flag));
  }

  clearHostFlag(fqdn: string): Promise<boolean> {
    return this.write("clearHostFlag", () => limits.clearHostFlag(this.db, fqdn));
  }

  listHostFlags(): Promise<HostFlag[]> {
    return this.run("listHostFlags", () => limits.listHostFlags(this.db));
  }

  snapshot(): Promise<Snapshot> {
    return this.readTransaction("snapshot", async (trx) => {
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

  changeSeq(): Promise<number> {
    return this.run("changeSeq", () => changes.changeSeq(this.db));
  }

  changesSince(after: number, limit: number): Promise<ChangeDelta | undefined> {
    return this.readTransaction("changesSince", (trx) => changes.changesSince(trx, after, limit));
  }

  pruneChanges(keep: number, limit: number): Promise<number> {
    return this.inTransaction("pruneChanges", (trx) => changes.pruneChanges(trx, keep, limit));
  }

  health(): StoreHealth {
    const problem = this.#closed
      ? new BeaconError("store_unavailable", `SQLite database ${this.path} is closed`)
      : this.guard?.problem();
    return problem === undefined
      ? { writable: true }
      : { writable: false, problem: { code: problem.code, message: problem.message } };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#guardTimer);
    try {
      await this.db.destroy();
    } catch (e) {
      throw toStoreError(e, this.path, "close");
    } finally {
      this.lock?.release();
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

/** Revokes, at `at`, the unrevoked tokens made for these hosts (update-path.ts does it for its own). */
async function revokeHostTokens(trx: Tx, hostIds: readonly number[], at: number): Promise<void> {
  for (const part of chunks(hostIds)) {
    await trx
      .updateTable("tokens")
      .set({ revoked_at: at })
      .where("host_id", "in", part)
      .where("revoked_at", "is", null)
      .execute();
  }
}
