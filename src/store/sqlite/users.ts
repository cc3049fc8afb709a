// Admin users and their sessions in SQLite. Each function takes the database (or transaction) it
// works in; the store decides which calls need a transaction.

import type { Kysely, Selectable, Transaction } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { SessionRecord, UserRecord } from "../types.js";
import { isUniqueViolation } from "./errors.js";
import type { Database, SessionsTable, UsersTable } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

function userFromRow(r: Selectable<UsersTable>): UserRecord {
  if (r.role !== "admin") throw new Error(`column users.role holds an unknown role`);
  return {
    name: r.name,
    passwordHash: r.password_hash,
    role: r.role,
    createdAt: r.created_at,
    passwordChangedAt: r.password_changed_at,
  };
}

function userToRow(u: UserRecord): UsersTable {
  return {
    name: u.name,
    password_hash: u.passwordHash,
    role: u.role,
    created_at: u.createdAt,
    password_changed_at: u.passwordChangedAt,
  };
}

function sessionFromRow(r: Selectable<SessionsTable>): SessionRecord {
  return {
    idHash: r.id_hash,
    user: r.user,
    csrfToken: r.csrf_token,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
  };
}

export async function createUser(db: Db, user: UserRecord): Promise<void> {
  try {
    await db.insertInto("users").values(userToRow(user)).execute();
  } catch (e) {
    if (isUniqueViolation(e)) throw new BeaconError("user_exists", `user ${user.name} already exists`);
    throw e;
  }
}

/** Call inside a transaction: the count and the insert must see the same state. */
export async function createFirstUser(trx: Transaction<Database>, user: UserRecord): Promise<boolean> {
  if ((await countUsers(trx)) > 0) return false;
  await createUser(trx, user);
  return true;
}

export async function getUser(db: Db, name: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirst();
  return row === undefined ? undefined : userFromRow(row);
}

export async function listUsers(db: Db): Promise<UserRecord[]> {
  const rows = await db.selectFrom("users").selectAll().orderBy("name").execute();
  return rows.map(userFromRow);
}

export async function countUsers(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function setUserPassword(db: Db, name: string, hash: string, at: number): Promise<boolean> {
  const r = await db
    .updateTable("users")
    .set({ password_hash: hash, password_changed_at: at })
    .where("name", "=", name)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Sessions go with the user (ON DELETE CASCADE). */
export async function deleteUser(db: Db, name: string): Promise<boolean> {
  const r = await db.deleteFrom("users").where("name", "=", name).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Call inside a transaction: the user check and the insert must see the same state. */
export async function createSession(trx: Transaction<Database>, s: SessionRecord): Promise<void> {
  const user = await trx.selectFrom("users").select("name").where("name", "=", s.user).executeTakeFirst();
  if (user === undefined) throw new BeaconError("user_not_found", `user ${s.user} does not exist`);
  await trx
    .insertInto("sessions")
    .values({
      id_hash: s.idHash,
      user: s.user,
      csrf_token: s.csrfToken,
      created_at: s.createdAt,
      last_seen_at: s.lastSeenAt,
      expires_at: s.expiresAt,
    })
    .execute();
}

export async function getSession(db: Db, idHash: string): Promise<SessionRecord | undefined> {
  const row = await db.selectFrom("sessions").selectAll().where("id_hash", "=", idHash).executeTakeFirst();
  return row === undefined ? undefined : sessionFromRow(row);
}

export async function touchSession(db: Db, idHash: string, at: number): Promise<void> {
  await db.updateTable("sessions").set({ last_seen_at: at }).where("id_hash", "=", idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<boolean> {
  const r = await db.deleteFrom("sessions").where("id_hash", "=", idHash).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function deleteUserSessions(db: Db, user: string, exceptIdHash?: string): Promise<number> {
  let q = db.deleteFrom("sessions").where("user", "=", user);
  if (exceptIdHash !== undefined) q = q.where("id_hash", "!=", exceptIdHash);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function pruneSessions(db: Db, now: number, lastSeenBefore: number): Promise<number> {
  const r = await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", lastSeenBefore)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
