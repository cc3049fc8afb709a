// The wake-up half of the change fan-out: one dedicated connection (a pg.Client, not from the pool:
// LISTEN belongs to a session) that LISTENs on beacon_changes, where the change-log trigger
// (migrations/0008_change_order.ts) notifies at every commit that changed zones, hosts or record sets,
// and another trigger (0012_settings_wakeups.ts, 0013_pools.ts) at every change of TSIG keys, mirrors,
// host flags, pools or pool overrides.
// Facts it is built on: a notification is delivered at commit, and one sent while this connection is
// down is lost. Hence the race rule, which callers rely on (ports.ts, ChangeFeed.onExternalChange):
// - on every (re)connect it first LISTENs, then calls wake(true) once, so the caller catches up by
//   reading the change log and its settings; anything committed after the LISTEN also arrives;
// - each notification from another writer calls wake(settings): false for a data change (the payload
//   is the writer's id), true for a settings change (`settings <writer id>`); this store's own commits
//   are skipped, as waking for them would only find nothing new;
// - a broken connection (server restart, pg_terminate_backend, network) is replaced after a backoff
//   doubling from `firstRetryMs` up to `maxRetryMs`, forever, until the returned stop is called; TCP
//   keepalive notices a silently dead peer, a connect that hangs gives up after CONNECT_TIMEOUT_MS;
// - one warning when the connection is lost and one info line when it is back, however many attempts
//   failed in between (each of those is a debug line): an outage does not flood the log;
// - wake() must be cheap and idempotent (it may come in bursts, or after nothing changed); a throw from
//   it is logged, never kills the connection. Never throws, never rejects; stop() closes the connection.

import pg from "pg";

import type { Log } from "../../core/log.js";
import type { TimerHandle, Timers } from "../../core/timers.js";
import { CONNECT_TIMEOUT_MS, describeUrl, KEEPALIVE_DELAY_MS } from "./connection.js";

/** The channel the change-log trigger notifies on. */
export const CHANGES_CHANNEL = "beacon_changes";
/** How a settings change's payload starts (then the writer's id). */
const SETTINGS_PREFIX = "settings ";
/** The listening connection's application_name (pg_stat_activity shows it). */
export const LISTENER_APPLICATION = "beacon-listen";

export interface ChangeListenerDeps {
  readonly url: string;
  /** This store's writer id (Db.writer): notifications carrying it are its own commits. */
  readonly writer: string;
  readonly timers: Timers;
  readonly log: Log;
  /** First wait before reconnecting (default 100 ms), doubled per failure up to maxRetryMs (default 5 s). */
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
}

/** Starts listening; `wake` as in the file's comment. Resolves nothing: returns the stop. */
export function listenForChanges(deps: ChangeListenerDeps, wake: (settings: boolean) => void): () => void {
  const first = deps.firstRetryMs ?? 100;
  const max = deps.maxRetryMs ?? 5_000;
  let stopped = false;
  let failures = 0;
  let client: pg.Client | undefined;
  let timer: TimerHandle | undefined;

  const wakeSafely = (settings: boolean): void => {
    try {
      wake(settings);
    } catch (e) {
      deps.log.warn({ err: e }, "the change wake-up failed");
    }
  };

  const retry = (): void => {
    if (stopped) return;
    const ms = Math.min(max, first * 2 ** Math.min(failures++, 30));
    timer = deps.timers.setTimeout(() => {
      timer = undefined;
      void connect();
    }, ms);
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: deps.url,
      application_name: LISTENER_APPLICATION,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    client = c;
    let lost = false;
    const lose = (e?: unknown): void => {
      if (lost) return;
      lost = true;
      if (client === c) client = undefined;
      c.end().catch(() => undefined);
      if (stopped) return;
      const fields = { err: e, database: describeUrl(deps.url), attempt: failures + 1 };
      if (failures === 0) deps.log.warn(fields, "the change listener lost PostgreSQL; reconnecting");
      else deps.log.debug(fields, "the change listener could not reconnect yet");
      retry();
    };
    c.on("error", lose);
    c.on("end", () => lose());
    c.on("notification", (n) => {
      if (n.channel !== CHANGES_CHANNEL) return;
      const settings = n.payload?.startsWith(SETTINGS_PREFIX) === true;
      if ((settings ? n.payload!.slice(SETTINGS_PREFIX.length) : n.payload) !== deps.writer)
        wakeSafely(settings);
    });
    try {
      await c.connect();
      await c.query(`listen ${CHANGES_CHANNEL}`);
    } catch (e) {
      lose(e);
      return;
    }
    if (lost || stopped) {
      if (stopped) c.end().catch(() => undefined);
      return;
    }
    if (failures > 0)
      deps.log.info({ database: describeUrl(deps.url) }, "the change listener is connected again");
    failures = 0;
    wakeSafely(true);
  };

  void connect();
  return () => {
    if (stopped) return;
    stopped = true;
    if (timer !== undefined) deps.timers.clearTimeout(timer);
    client?.end().catch(() => undefined);
    client = undefined;
  };
}
