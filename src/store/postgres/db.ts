// The PostgreSQL adapter's one way to run SQL, used by every port module (tokens.ts, keys.ts, …) in
// production and in the contract tests alike — the counterpart of sqlite/db.ts:
// - statements are named prepared statements, prepared once per connection and text (texts are
//   constants; a list of keys is bound as one array parameter, `= any($1)`, so no text depends on a
//   list's length);
// - every call that changes data runs in one transaction (read committed) on one pooled connection,
//   committed before the call resolves and rolled back whole if it throws; where a module needs a
//   stronger guarantee it takes row locks (`for update`, `update … returning`) in a fixed order;
// - reads that span several statements run in one read-only repeatable-read transaction (one
//   snapshot); single-statement reads run on any pooled connection;
// - every failure reaches the caller as a store_* BeaconError (errors.ts); expected conflicts are
//   mapped by the port modules (token_exists, …) and pass through; after close() every call fails with
//   store_unavailable;
// - while the server cannot be reached (outage.ts) calls fail at once with store_unavailable for a
//   short window, then one probes again; health() reports the outage until a call succeeds;
// - each write transaction names this Db as its writer (the setting beacon.writer, a random id per Db),
//   which the change-log triggers record: externalVersion tells other writers' changes from ours.
// Callers' `fn` must run its statements only through the Sql it is given, one at a time (await each).

import { randomUUID } from "node:crypto";

import type pg from "pg";

import { systemClock, type Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import type { StoreHealth } from "../types.js";
import { toStoreError } from "./errors.js";
import { Outage } from "./outage.js";

/** Running statements: inside a transaction (Db.read/write's `fn`) or on the pool. */
export interface Sql {
  /** The first row, or undefined. */
  get<T>(text: string, ...params: unknown[]): Promise<T | undefined>;
  all<T>(text: string, ...params: unknown[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed (or returned). */
  run(text: string, ...params: unknown[]): Promise<number>;
}

type Runner = Pick<pg.ClientBase, "query">;

export class Db {
  readonly #names = new Map<string, string>();
  /** This Db's id in changes.writer (a UUID: safe to write into a statement's text). */
  readonly writer = randomUUID();
  #closed = false;
  readonly #outage: Outage;

  /** `where` names the database in messages (describeUrl: no password). */
  constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
    clock: Clock = systemClock,
  ) {
    this.#outage = new Outage(where, clock);
  }

  /** `fn` (a read); `consistent` runs it in one read-only snapshot, for reads of several statements. */
  read<T>(doing: string, fn: (sql: Sql) => Promise<T>, consistent = false): Promise<T> {
    if (!consistent) return this.#settle(doing, () => fn(this.#sql(this.pool)));
    return this.#transaction(doing, "begin isolation level repeatable read read only", fn);
  }

  /** `fn` in one write transaction, committed before this resolves. */
  write<T>(doing: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#transaction(doing, `begin; select set_config('beacon.writer', '${this.writer}', true)`, fn);
  }

  health(): StoreHealth {
    return this.#closed
      ? { writable: false, problem: { code: "store_unavailable", message: this.#closedError().message } }
      : this.#outage.health();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.pool.end();
    } catch (e) {
      throw toStoreError(e, this.where, "close");
    }
  }

  async #transaction<T>(doing: string, begin: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#settle(doing, async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      // The pool listens for 'error' only on idle clients: a server ending the session between two
      // statements of ours (shutdown, pg_terminate_backend) would be an unhandled 'error' event, which
      // ends the process. Kept instead: the next statement fails, and the client is not reused.
      const lost = (e: Error): void => void (broken = e);
      client.on("error", lost);
      try {
        await client.query(begin);
        const result = await fn(this.#sql(client));
        await client.query("commit");
        return result;
      } catch (e) {
        // A connection whose rollback fails is in an unknown state: the pool must not hand it out again.
        await client.query("rollback").catch((r: unknown) => {
          broken = r instanceof Error ? r : new Error(String(r));
        });
        throw e;
      } finally {
        client.off("error", lost);
        client.release(broken);
      }
    });
  }

  async #settle<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw this.#closedError();
    this.#outage.check();
    try {
      const result = await fn();
      this.#outage.succeeded();
      return result;
    } catch (e) {
      this.#outage.failed(e);
      throw toStoreError(e, this.where, doing);
    }
  }

  #closedError(): BeaconError {
    return new BeaconError("store_unavailable", `PostgreSQL database ${this.where} is closed`);
  }

  #sql(runner: Runner): Sql {
    const query = <T>(text: string, params: unknown[]) =>
      runner.query<T & pg.QueryResultRow>({ name: this.#name(text), text, values: params });
    return {
      get: async <T>(text: string, ...params: unknown[]) => (await query<T>(text, params)).rows[0],
      all: async <T>(text: string, ...params: unknown[]) => (await query<T>(text, params)).rows,
      run: async (text: string, ...params: unknown[]) => (await query(text, params)).rowCount ?? 0,
    };
  }

  /** A statement's name: one per text for this process (so each connection prepares it once). */
  #name(text: string): string {
    let name = this.#names.get(text);
    if (name === undefined) {
      name = `beacon_${this.#names.size + 1}`;
      this.#names.set(text, name);
    }
    return name;
  }
}
