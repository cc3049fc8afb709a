// Whether PostgreSQL is away, as the Db sees it: the fast path that lets a node whose database is down
// answer each request at once instead of every request waiting on its own connection attempt.
// Promises:
// - failed(e) with an error saying the server cannot be reached (isUnreachable: connecting was refused,
//   timed out, or the server is starting or stopping) opens an outage: for `fastFailMs` after it,
//   check() throws store_unavailable (naming the database and the failure) without touching the pool;
//   after that window one call may go through and probe again (the others keep failing at once until
//   it has answered or the next window ends);
// - any other error says nothing about the server as a whole and is ignored: a constraint, a bug in a
//   statement, and also one session ended under a call (pg_terminate_backend, a shutdown starting):
//   that call fails, and the next one's connect tells whether the server is away;
// - succeeded() ends the outage; health() reports it (writable false, store_unavailable) until then.
// Callers (db.ts) call check() before each statement batch and failed/succeeded after it.

import { BeaconError } from "../../core/errors.js";
import type { Clock } from "../../core/clock.js";
import type { StoreHealth } from "../types.js";

/** How long calls fail at once after the server was unreachable before one probes it again. */
export const FAST_FAIL_MS = 1_000;

/**
 * pg's own wording for a new connection that timed out (these errors carry no code). Not pg-pool's
 * "timeout exceeded when trying to connect": that one waited for a free pooled connection, which says
 * the pool is busy, not that the server is away — that call fails, and no others with it.
 */
const PG_CONNECT_TIMEOUT = /^Connection terminated due to connection timeout/;

/**
 * True when `e` says the server cannot be reached: a Node socket error (ECONNREFUSED, ETIMEDOUT,
 * EHOSTUNREACH, …; not ECONNRESET or EPIPE, which end one session), SQLSTATE class 08 (connection
 * exception), 57P03 (cannot connect now: starting or shutting down), or a new connection's timeout.
 */
export function isUnreachable(e: unknown): boolean {
  if (!(e instanceof Error) || e instanceof BeaconError) return false;
  const code = "code" in e && typeof e.code === "string" ? e.code : undefined;
  if (code === undefined) return PG_CONNECT_TIMEOUT.test(e.message);
  if (code === "ECONNRESET" || code === "EPIPE") return false;
  return /^E[A-Z]+$/.test(code) || code.startsWith("08") || code === "57P03";
}

export class Outage {
  #retryAt = 0;
  #reason: string | undefined;

  /** `where` names the database in messages (describeUrl: no password). */
  constructor(
    private readonly where: string,
    private readonly clock: Clock,
    private readonly fastFailMs = FAST_FAIL_MS,
  ) {}

  /** Throws store_unavailable while inside the fast-fail window; lets one probe through after it. */
  check(): void {
    if (this.#reason === undefined) return;
    const now = this.clock();
    if (now < this.#retryAt)
      throw new BeaconError("store_unavailable", this.#message(), {
        details: { database: this.where },
      });
    this.#retryAt = now + this.fastFailMs;
  }

  /** Records `e` (a raw driver error) when it says the server is unreachable. */
  failed(e: unknown): void {
    if (!isUnreachable(e)) return;
    this.#reason = e instanceof Error ? e.message : String(e);
    this.#retryAt = this.clock() + this.fastFailMs;
  }

  succeeded(): void {
    this.#reason = undefined;
  }

  health(): StoreHealth {
    return this.#reason === undefined
      ? { writable: true }
      : { writable: false, problem: { code: "store_unavailable", message: this.#message() } };
  }

  #message(): string {
    return `PostgreSQL database ${this.where} is unreachable (${this.#reason ?? "?"}); retrying`;
  }
}
