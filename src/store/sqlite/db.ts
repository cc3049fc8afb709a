// The SQLite adapter's one way to run SQL, used by every port module (zones.ts, tokens.ts, …) in
// production and in the contract tests alike:
// - statements are prepared once per text and kept (texts are constants; lists of keys are bound as
//   one JSON array and read with json_each, so no text depends on a list's length);
// - every call that changes data runs in one better-sqlite3 transaction started with BEGIN IMMEDIATE
//   (the write lock up front: a deferred transaction that reads before it writes fails at once with
//   SQLITE_BUSY_SNAPSHOT when another process committed in between; busy_timeout makes a writer wait
//   its turn instead), and is rolled back whole if it throws;
// - reads that span several statements run in one read transaction, so they see one state;
// - better-sqlite3 is synchronous and transactions never span an `await`, so no statement of this
//   process can run inside another call's transaction;
// - a write is refused once the file guard found the database file lost, and checked against it after
//   it committed (file-guard.ts): a change is acknowledged only while it went to the file on disk;
// - every failure reaches the caller as a store_* BeaconError (errors.ts); expected conflicts are
//   mapped by the port modules (zone_exists, …) and pass through.

import type BetterSqlite3 from "better-sqlite3";

import { BeaconError } from "../../core/errors.js";
import type { StoreHealth } from "../types.js";
import type { FileGuard } from "./file-guard.js";
import type { DatabaseLock } from "./lock.js";
import { toStoreError } from "./errors.js";

/** How often the file guard looks at the database files besides after each commit. */
const GUARD_CHECK_MS = 1_000;

export class Db {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #transaction: BetterSqlite3.Transaction<(fn: () => unknown) => unknown>;
  readonly #guardTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly raw: BetterSqlite3.Database,
    private readonly path: string,
    private readonly guard?: FileGuard,
    private readonly lock?: DatabaseLock,
  ) {
    this.#transaction = raw.transaction((fn: () => unknown) => fn());
    if (guard !== undefined) {
      this.#guardTimer = setInterval(() => guard.check(), GUARD_CHECK_MS);
      this.#guardTimer.unref();
    }
  }

  /** The first row, or undefined. */
  get<T>(text: string, ...params: unknown[]): T | undefined {
    return this.#statement(text).get(...params) as T | undefined;
  }

  all<T>(text: string, ...params: unknown[]): T[] {
    return this.#statement(text).all(...params) as T[];
  }

  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run(text: string, ...params: unknown[]): number {
    return this.#statement(text).run(...params).changes;
  }

  /** `fn` (a read); `consistent` runs it in one read transaction, for reads of several statements. */
  read<T>(doing: string, fn: () => T, consistent = false): Promise<T> {
    return this.#settle(doing, () => {
      this.#assertOpen();
      return consistent ? (this.#transaction.deferred(fn) as T) : fn();
    });
  }

  /** `fn` in one write transaction: refused once the file is lost, checked against it after. */
  write<T>(doing: string, fn: () => T): Promise<T> {
    return this.#settle(doing, () => {
      this.#assertOpen();
      this.guard?.assertNotLost();
      const result = this.#transaction.immediate(fn) as T;
      this.guard?.verify();
      return result;
    });
  }

  health(): StoreHealth {
    const problem = this.#closed ? this.#closedError() : this.guard?.problem();
    return problem === undefined
      ? { writable: true }
      : { writable: false, problem: { code: problem.code, message: problem.message } };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#guardTimer);
    try {
      this.raw.close();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(toStoreError(e, this.path, "close"));
    } finally {
      this.lock?.release();
    }
  }

  #settle<T>(doing: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(toStoreError(e, this.path, doing));
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): BeaconError {
    return new BeaconError("store_unavailable", `SQLite database ${this.path} is closed`);
  }

  #statement(text: string): BetterSqlite3.Statement {
    let s = this.#statements.get(text);
    if (s === undefined) {
      s = this.raw.prepare(text);
      this.#statements.set(text, s);
    }
    return s;
  }
}

/** "a, b" → "@a, @b": the VALUES of an insert that binds a row object by column name. */
export const named = (columns: string): string => columns.replace(/(\w+)/g, "@$1");

/** A list of keys as one bound parameter: `where x in (select value from json_each(?))`. */
export const jsonList = (keys: readonly unknown[]): string => JSON.stringify(keys);
