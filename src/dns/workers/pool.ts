// The primary's side of the UDP query workers (`dns.workers`): forks them with node:cluster, feeds
// each its own zone index, answers what they forward, restarts the ones that die, adds up their
// counters, and tells the update path when every worker has applied a change (`settled`).
//
// Feeding: a worker gets a snapshot read after it was forked plus every change committed since the
// read began (buffered while it runs), then each change as it happens, batched per tick, in order,
// numbered by `seq`. A worker binds its sockets only after that first load, so it never answers from
// an empty index. Read-your-writes: `settled()` resolves when every loaded worker acked the last seq
// sent, or after `settleTimeoutMs` (a warning), so a stuck worker delays updates, never blocks them.
//
// Restarts: a worker that exits while the pool runs is forked again after 100 ms, doubling per quick
// failure up to 10 s; after MAX_QUICK_FAILURES failures in a row (each within 30 s of its start) the
// slot is given up (logged). `close()` disconnects every worker and kills what is left after a grace.
//
// This file glues the parts: feed.ts (what each worker is sent, acks, `settled`), supervisor.ts (the
// processes: fork, channel, start, restarts as restart-policy.ts decides, stop) over node:cluster
// (cluster-process.ts), and answers what workers forward with the handler given to `start`.

import type { DnsLimits, LogFormat } from "../../config/server-config.js";
import { systemClock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { systemTimers } from "../../core/timers.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Snapshot } from "../../store/types.js";
import { safeHandle } from "../transport/safe-handle.js";
import type { AnswerSteering } from "../answer/steering.js";
import type { DnsHandler, DnsReply } from "../answer/types.js";
import { clusterLauncher } from "./cluster-process.js";
import { createWorkerFeed } from "./feed.js";
import type { Endpoint, PrimaryMessage } from "./protocol.js";
import { createSupervisor, type WorkerReport } from "./supervisor.js";

export interface DnsWorkerPoolOptions {
  /** ≥ 1. */
  readonly workers: number;
  /** A consistent read of the store, for a worker's first load. */
  readonly snapshot: () => Promise<Snapshot>;
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  readonly limits: DnsLimits;
  /** The catalog zone's name: the workers forward its questions (the primary holds it). */
  readonly catalog?: string | undefined;
  readonly log: Log;
  /** The primary's answer steering rules: every worker answers with them too (feed.ts: when). */
  readonly steering?: Pick<AnswerSteering, "entries" | "subscribe">;
  /** Where workers' counts go (CountingDnsMetrics.add): deltas, so they are simply added. */
  readonly metrics?: { add(counts: ReadonlyMap<string, number>): void };
  /** The worker entry: a built .js file (src/cli/dns-worker-main.ts, a composition root). */
  readonly script: string;
  /** Default 1000. */
  readonly settleTimeoutMs?: number;
  /** How long start() waits for every worker to listen. Default 60 000 (a large zone loads first). */
  readonly startTimeoutMs?: number;
  /** How long close() waits for a disconnected worker before killing it. Default 2000. */
  readonly stopGraceMs?: number;
}

export interface DnsWorkerPool extends ChangeListener {
  /** Replaces every worker's index (the primary reloaded after an outside change). */
  load(snapshot: Snapshot): void;
  /** Resolves when every worker answering queries has applied every change told so far (bounded). */
  settled(): Promise<void>;
  /**
   * Forks the workers; each binds UDP on every address in `listen` (fixed ports) and forwards what
   * it does not answer to `handler` (as transport "udp"). Resolves when all listen; rejects (with
   * every worker stopped; the error's `code` is the bind error's, e.g. EADDRINUSE) when one cannot
   * bind or they are not ready in time. May be called again after it rejected.
   */
  start(listen: readonly Endpoint[], handler: DnsHandler): Promise<void>;
  /** Process ids of the running workers. */
  pids(): number[];
  close(): Promise<void>;
}

export function createDnsWorkerPool(opts: DnsWorkerPoolOptions): DnsWorkerPool {
  const { log, steering } = opts;
  const deps = { timers: systemTimers, clock: systemClock, log };
  const feed = createWorkerFeed({
    ...deps,
    slots: opts.workers,
    send: (n, m) => supervisor.send(n, m),
    snapshot: opts.snapshot,
    readFailed: (n) => supervisor.kill(n),
    rules: steering && (() => steering.entries()),
    settleTimeoutMs: opts.settleTimeoutMs ?? 1000,
  });
  steering?.subscribe(feed.steeringChanged);
  const supervisor = createSupervisor({
    ...deps,
    slots: opts.workers,
    launcher: clusterLauncher(opts.script),
    forked: (ns) => feed.provision(ns),
    exited: (n) => feed.detach(n),
    startTimeoutMs: opts.startTimeoutMs ?? 60_000,
    stopGraceMs: opts.stopGraceMs ?? 2000,
  });

  /** A worker's report other than its lifecycle (which the supervisor reads). */
  const received = (n: number, m: WorkerReport, reply: (r: PrimaryMessage) => void, handler: DnsHandler) => {
    switch (m.kind) {
      case "ack":
      case "ready":
        feed.acked(n, m.seq);
        return;
      case "metrics":
        log.debug({ dnsWorker: n, counts: Object.fromEntries(m.counts) }, "dns worker counts");
        opts.metrics?.add(new Map(m.counts));
        return;
      case "forward":
        void Promise.resolve(safeHandle(handler, log, m.bytes, "udp", m.remoteAddress)).then(
          (answer: DnsReply) => {
            const first = answer instanceof Uint8Array ? answer : answer?.[0];
            reply({ kind: "reply", id: m.id, bytes: first ?? null });
          },
        );
        return;
      case "failed":
        return;
    }
  };

  let stopping: Promise<void> | undefined;
  const close = (): Promise<void> => {
    feed.release();
    return supervisor.stop(true);
  };
  return {
    ...feed.listener,
    load: (snapshot) => feed.load(snapshot),
    settled: () => feed.settled(),
    start: (listen, handler) =>
      supervisor.start({
        init: (n) => ({
          kind: "init",
          worker: n,
          logLevel: opts.logLevel,
          logFormat: opts.logFormat,
          listen,
          limits: opts.limits,
          catalog: opts.catalog,
        }),
        received: (n, m, reply) => received(n, m, reply, handler),
      }),
    pids: () => supervisor.pids(),
    close: () => (stopping ??= close()),
  };
}
