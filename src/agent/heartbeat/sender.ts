// Heartbeats for pools: every record with `heartbeat` tells its Beacon server, through the record's
// own line, that the line is alive (POST /api/v1/heartbeat). A pool member with a heartbeat check
// stays up while these keep arriving, so a line that cannot be probed from outside still fails over.
//
// Promises:
// - The first beat of each record at start(), then every interval ± 10 % from the start of the
//   previous one; one beat per record at a time; each bounded by min(interval, 10 s).
// - Every beat is tried, also while the line looks down: a down line's beat fails by itself, and
//   that failure is the signal. Sent through the record's binding (interface or address), as its
//   update is; a bound interface without an address is a failed beat (code "bind").
// - A server that asks to wait (429/503 with Retry-After) is not sent to again before that.
//   Refusals (401/403/404: token, scope, no pools) keep the schedule: the admin may fix them.
// - Logged once when heartbeats start failing (any code), are refused (per code), or are accepted
//   (per pool list), never once per beat; counted in status() for metrics and /healthz. Memory per record is fixed: nothing grows with beats.
// - reload() keeps the schedule of records whose heartbeat, target and settings are unchanged and
//   beats new or changed ones at once; stop() cancels timers, aborts beats in flight and waits.
// Callers must: pass records whose target implements heartbeat() (config allows `heartbeat` only
// with a beacon target; others are logged and skipped).

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { jittered, type Random, type TimerHandle, type Timers } from "../../core/timers.js";
import type { AgentRecord } from "../loop/agent-record.js";
import { resolveBind } from "../loop/bind.js";
import { deadline } from "../loop/deadline.js";
import type { ReadInterfaces } from "../system/types.js";
import type { HeartbeatResult } from "../targets/types.js";

/** Longest a beat may take (shorter when the interval is). */
export const MAX_BEAT_MS = 10_000;

/** ok: accepted; failed: network, timeout, 5xx, bad reply; waiting: asked to wait; refused: 4xx. */
export type HeartbeatOutcome = "pending" | "ok" | "failed" | "waiting" | "refused";

export interface HeartbeatStatus {
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  readonly target: string;
  readonly intervalMs: number;
  readonly outcome: HeartbeatOutcome;
  /** Error code of the last failure (undefined after success). */
  readonly code: string | undefined;
  readonly detail: string;
  /** Pools that follow this host, as the server said on the last accepted beat. */
  readonly pools: readonly string[];
  readonly lastOkAt: number | undefined;
  readonly nextAt: number | undefined;
  readonly sentTotal: number;
  readonly failuresTotal: number;
}

export interface HeartbeatDeps {
  readonly timers: Timers;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Log;
  readonly readInterfaces: ReadInterfaces;
}

export interface HeartbeatSender {
  start(): void;
  stop(): Promise<void>;
  reload(records: readonly AgentRecord[]): void;
  /** Records with heartbeats, in configuration order. */
  status(): HeartbeatStatus[];
  /** Resolves when no beat is in flight (tests). */
  idle(): Promise<void>;
}

interface Line {
  record: AgentRecord;
  readonly identity: string;
  readonly ac: AbortController;
  timer: TimerHandle | undefined;
  status: HeartbeatStatus;
  /** What was last logged: "ok" and the pools, "refused" and the code, or "failing". */
  logged: string;
}

export function createHeartbeatSender(initial: readonly AgentRecord[], deps: HeartbeatDeps): HeartbeatSender {
  let phase: "ready" | "running" | "stopped" = "ready";
  let lines = new Map<string, Line>();
  const inFlight = new Set<Promise<void>>();

  function build(records: readonly AgentRecord[]): Map<string, Line> {
    const next = new Map<string, Line>();
    for (const record of records) {
      const hb = record.config.heartbeat;
      if (hb === undefined) continue;
      if (record.target.heartbeat === undefined) {
        deps.log.error(
          { fqdn: record.config.fqdn, target: record.config.target },
          "target cannot take heartbeats",
        );
        continue;
      }
      const identity = `${record.config.fingerprint} ${hb.intervalMs}`;
      const old = lines.get(record.key);
      if (old?.identity === identity) {
        old.record = record;
        next.set(record.key, old);
      } else next.set(record.key, newLine(record, identity, hb.intervalMs));
    }
    return next;
  }

  function newLine(record: AgentRecord, identity: string, intervalMs: number): Line {
    const { fqdn, type, target } = record.config;
    return {
      record,
      identity,
      ac: new AbortController(),
      timer: undefined,
      logged: "pending",
      status: {
        fqdn,
        type,
        target,
        intervalMs,
        outcome: "pending",
        code: undefined,
        detail: "no heartbeat sent yet",
        pools: [],
        lastOkAt: undefined,
        nextAt: undefined,
        sentTotal: 0,
        failuresTotal: 0,
      },
    };
  }

  function arm(line: Line, ms: number): void {
    line.timer = deps.timers.setTimeout(() => {
      line.timer = undefined;
      const p = beat(line).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }, ms);
    line.status = { ...line.status, nextAt: deps.clock() + ms };
  }

  function drop(line: Line): void {
    if (line.timer !== undefined) deps.timers.clearTimeout(line.timer);
    line.timer = undefined;
    line.ac.abort(new Error("heartbeat stopped"));
  }

  async function beat(line: Line): Promise<void> {
    const startedAt = deps.clock();
    line.status = { ...line.status, nextAt: undefined };
    const result = await send(line);
    if (phase !== "running" || lines.get(line.record.key) !== line) return;
    apply(line, result);
    const { intervalMs } = line.status;
    let delay = Math.max(0, startedAt + jittered(intervalMs, deps.random) - deps.clock());
    if (result.status === "backoff") delay = Math.max(delay, result.retryAfterMs);
    arm(line, delay);
  }

  /** Never throws. */
  async function send(line: Line): Promise<HeartbeatResult> {
    const { config, target } = line.record;
    const bound = await resolveBind(config.bind, config.type === "A" ? 4 : 6, deps.readInterfaces);
    if (!bound.ok) return { status: "retry", code: "bind", detail: bound.detail };
    if (target.heartbeat === undefined) return { status: "fatal", code: "internal", detail: "no heartbeat" };
    const d = deadline(line.ac.signal, Math.min(line.status.intervalMs, MAX_BEAT_MS), deps.timers);
    try {
      return await target.heartbeat({
        fqdn: config.fqdn,
        localAddress: bound.localAddress,
        signal: d.signal,
      });
    } finally {
      d.done();
    }
  }

  function apply(line: Line, r: HeartbeatResult): void {
    const s = line.status;
    const ok = r.status === "ok";
    const outcome: HeartbeatOutcome = ok
      ? "ok"
      : r.status === "backoff"
        ? "waiting"
        : r.status === "fatal"
          ? "refused"
          : "failed";
    line.status = {
      ...s,
      outcome,
      code: ok ? undefined : r.code,
      detail: r.detail,
      pools: ok ? r.pools : s.pools,
      lastOkAt: ok ? deps.clock() : s.lastOkAt,
      sentTotal: s.sentTotal + 1,
      failuresTotal: s.failuresTotal + (ok ? 0 : 1),
    };
    // A failing line may alternate between network, timeout and 5xx: one episode, one line.
    const key = ok ? `ok ${r.pools.join(",")}` : outcome === "refused" ? `refused ${r.code}` : "failing";
    if (key === line.logged) return;
    const was = line.logged.split(" ", 1)[0];
    line.logged = key;
    const fields = { fqdn: s.fqdn, type: s.type, target: s.target, detail: r.detail };
    if (ok && r.pools.length > 0) deps.log.info({ ...fields, pools: r.pools, was }, "heartbeats accepted");
    else if (ok) deps.log.warn({ ...fields, was }, "heartbeats accepted, but no pool follows this host");
    else if (outcome === "refused")
      deps.log.error(
        { ...fields, code: r.code },
        "heartbeats refused: check the token, the host and its pools",
      );
    else deps.log.warn({ ...fields, code: r.code }, "heartbeats failing");
  }

  lines = build(initial);

  return {
    start() {
      if (phase !== "ready") return;
      phase = "running";
      for (const line of lines.values()) arm(line, 0);
    },

    async stop() {
      phase = "stopped";
      for (const line of lines.values()) drop(line);
      await Promise.all(inFlight);
    },

    reload(records) {
      if (phase === "stopped") return;
      const [old, next] = [lines, build(records)];
      for (const [key, line] of old) if (next.get(key) !== line) drop(line);
      lines = next;
      if (phase === "running") for (const [key, line] of next) if (old.get(key) !== line) arm(line, 0);
    },

    status: () => [...lines.values()].map((l) => l.status),

    idle: async () => {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
