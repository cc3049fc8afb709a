// Whether PostgreSQL is away, as the Db sees it: the fast path that lets a node whose database is down
// answer each request at once instead of every request waiting on its own connection attempt.
// Promises:
// - failed(e) with a connection failure (the server refused, reset or ended the connection, a connect
//   timed out, the server is shutting down or starting: isConnectionFailure) opens an outage: for
//   `fastFailMs` after it, check() throws store_unavailable (naming the database and the failure)
//   without touching the pool; after that window one call may go through and probe again (the
//   others keep failing at once until it has answered or the next window ends);
// - any other error (a constraint, a bug in a statement) says nothing about the server and is ignored;
// - succeeded() ends the outage; health() reports it (writable false, store_unavailable) until then.
// Callers (db.ts) call check() before each statement batch and failed/succeeded after it.

import { BeaconError } from "../../core/errors.js";
import type { Clock } from "../../core/clock.js";
import type { StoreHealth } from "../types.js";

/** How long calls fail at once after a connection failure before one probes the server again. */
export const FAST_FAIL_MS = 1_000;

/** pg's own wording for a lost or never-made connection (these errors carry no code). */
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * True when `e` says the server cannot be reached or talked to: a Node socket error (ECONNREFUSED,
 * ECONNRESET, ETIMEDOUT, …), SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash,
 * cannot connect now), or pg's messages for a lost connection.
 */
export function isConnectionFailure(e: unknown): boolean {
  if (!(e instanceof Error) || e instanceof BeaconError) return false;
  const code = "code" in e && typeof e.code === "string" ? e.code : undefined;
  if (code === undefined) return PG_CONNECTION_MESSAGES.test(e.message);
  return /^E[A-Z]+$/.test(code) || code.startsWith("08") || /^57P0[123]$/.test(code);
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

  /** Records `e` (a raw driver error) when it is a connection failure. */
  failed(e: unknown): void {
    if (!isConnectionFailure(e)) return;
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
