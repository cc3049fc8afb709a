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

import cluster, { type Worker } from "node:cluster";
import type { DnsLimits, LogFormat } from "../../config/server-config.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Log } from "../../core/log.js";
import type { Snapshot } from "../../store/types.js";
import { safeHandle } from "../transport/safe-handle.js";
import type { DnsHandler, DnsReply } from "../types.js";
import {
  parseWorkerMessage,
  recordingListener,
  type Change,
  type Endpoint,
  type PrimaryMessage,
  type WorkerMessage,
} from "./protocol.js";

export interface DnsWorkerPoolOptions {
  /** ≥ 1. */
  readonly workers: number;
  /** A consistent read of the store, for a worker's first load. */
  readonly snapshot: () => Promise<Snapshot>;
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  readonly limits: DnsLimits;
  readonly log: Log;
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

const MAX_QUICK_FAILURES = 10;
const QUICK_MS = 30_000;
const WARN_EVERY_MS = 5_000;

interface Slot {
  readonly n: number;
  worker: Worker | undefined;
  /** idle: no worker or nothing sent; fetching: its snapshot is being read; loaded: load sent. */
  phase: "idle" | "fetching" | "loaded";
  /** Changes since the snapshot read began (phase fetching). */
  buffer: Change[];
  /** A snapshot given by load() while fetching: newer than the one being read. */
  latest: Snapshot | undefined;
  acked: number;
  /** The worker said hello: its listener is attached (messages sent before that are lost). */
  hello: boolean;
  /** Messages waiting for hello. */
  outbox: PrimaryMessage[];
  ready: boolean;
  startedAt: number;
  failures: number;
  restart: NodeJS.Timeout | undefined;
}

export function createDnsWorkerPool(opts: DnsWorkerPoolOptions): DnsWorkerPool {
  const { log } = opts;
  const settleTimeoutMs = opts.settleTimeoutMs ?? 1000;
  const slots: Slot[] = Array.from({ length: opts.workers }, (_, i) => ({
    n: i + 1,
    worker: undefined,
    phase: "idle",
    buffer: [],
    latest: undefined,
    acked: -1,
    hello: false,
    outbox: [],
    ready: false,
    startedAt: 0,
    failures: 0,
    restart: undefined,
  }));
  let seq = 0;
  let batch: Change[] = [];
  let flushQueued = false;
  let listen: readonly Endpoint[] = [];
  let handler: DnsHandler = () => undefined;
  let started = false;
  let closing = false;
  let lastWarn = 0;
  let onStartEvent: (() => void) | undefined;
  let startError: Error | undefined;
  const waiters = new Set<{ target: number; done: () => void }>();

  const post = (w: Worker | undefined, m: PrimaryMessage): void => {
    if (w === undefined || !w.isConnected()) return;
    const slot = slots.find((s) => s.worker === w);
    if (slot !== undefined && !slot.hello) {
      slot.outbox.push(m);
      return;
    }
    try {
      w.send(m);
    } catch (err) {
      log.debug({ err }, "dns worker: send failed");
    }
  };

  const caughtUp = (target: number): boolean =>
    slots.every((s) => s.worker === undefined || s.phase !== "loaded" || s.acked >= target);
  const wake = (): void => {
    for (const w of waiters) if (caughtUp(w.target)) w.done();
  };

  /** Sends the tick's changes to loaded workers and buffers them for fetching ones. */
  const flush = (): void => {
    flushQueued = false;
    if (batch.length === 0) return;
    const changes = batch;
    batch = [];
    for (const s of slots) {
      if (s.phase === "loaded") post(s.worker, { kind: "changes", seq, changes });
      else if (s.phase === "fetching") s.buffer.push(...changes);
    }
  };
  const record = recordingListener((c) => {
    seq++;
    batch.push(c);
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  });

  /** Reads a snapshot for these slots' workers and sends it with what changed meanwhile. */
  const provision = (group: readonly Slot[]): void => {
    flush();
    const workers = group.map((s) => s.worker);
    for (const s of group) Object.assign(s, { phase: "fetching", buffer: [], latest: undefined });
    opts.snapshot().then(
      (snapshot) => {
        flush();
        group.forEach((s, i) => {
          if (s.worker !== workers[i] || s.phase !== "fetching") return;
          post(s.worker, { kind: "load", seq, snapshot: s.latest ?? snapshot, changes: s.buffer });
          Object.assign(s, { phase: "loaded", buffer: [], latest: undefined });
        });
      },
      (err: unknown) => {
        log.error({ err }, "dns worker: could not read the store for a worker's index; restarting it");
        group.forEach((s, i) => {
          if (s.worker !== undefined && s.worker === workers[i]) s.worker.kill();
        });
      },
    );
  };

  const fork = (slot: Slot): void => {
    slot.restart = undefined;
    const worker = cluster.fork();
    Object.assign(slot, { worker, ready: false, hello: false, outbox: [], acked: -1, startedAt: Date.now() });
    worker.on("message", (raw: unknown) => onMessage(slot, worker, raw));
    worker.on("exit", (code: number | null, signal: string | null) => onExit(slot, worker, code, signal));
    worker.on("error", (err: Error) => log.warn({ err, dnsWorker: slot.n }, "dns worker: channel error"));
    post(worker, {
      kind: "init",
      worker: slot.n,
      logLevel: opts.logLevel,
      logFormat: opts.logFormat,
      listen,
      limits: opts.limits,
    });
  };

  const onMessage = (slot: Slot, worker: Worker, raw: unknown): void => {
    if (slot.worker !== worker) return;
    const m = parseWorkerMessage(raw);
    if (m === undefined) {
      log.warn({ dnsWorker: slot.n }, "dns worker: malformed message ignored");
      return;
    }
    handleMessage(slot, worker, m);
  };

  const handleMessage = (slot: Slot, worker: Worker, m: WorkerMessage): void => {
    switch (m.kind) {
      case "hello": {
        slot.hello = true;
        const queued = slot.outbox;
        slot.outbox = [];
        for (const q of queued) post(worker, q);
        return;
      }
      case "ack":
        slot.acked = Math.max(slot.acked, m.seq);
        wake();
        return;
      case "ready":
        slot.ready = true;
        slot.acked = Math.max(slot.acked, m.seq);
        log.info({ dnsWorker: slot.n, pid: worker.process.pid }, "dns worker ready");
        wake();
        onStartEvent?.();
        return;
      case "failed":
        log.error({ dnsWorker: slot.n, code: m.code, message: m.message }, "dns worker could not listen");
        startError ??= Object.assign(new Error(`dns worker could not listen: ${m.message}`), {
          code: m.code,
        });
        onStartEvent?.();
        return;
      case "metrics":
        log.debug({ dnsWorker: slot.n, counts: Object.fromEntries(m.counts) }, "dns worker counts");
        opts.metrics?.add(new Map(m.counts));
        return;
      case "forward":
        void Promise.resolve(safeHandle(handler, log, m.bytes, "udp", m.remoteAddress)).then(
          (reply: DnsReply) => {
            const first = reply instanceof Uint8Array ? reply : reply?.[0];
            post(worker, { kind: "reply", id: m.id, bytes: first ?? null });
          },
        );
        return;
    }
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: string | null): void => {
    if (slot.worker !== worker) return;
    Object.assign(slot, {
      worker: undefined,
      phase: "idle",
      buffer: [],
      latest: undefined,
      ready: false,
      hello: false,
      outbox: [],
    });
    wake();
    if (closing) return;
    if (!started) {
      startError ??= new Error(`dns worker ${slot.n} exited before it was ready (${signal ?? code})`);
      onStartEvent?.();
      return;
    }
    slot.failures = Date.now() - slot.startedAt < QUICK_MS ? slot.failures + 1 : 1;
    const pid = worker.process.pid;
    if (slot.failures > MAX_QUICK_FAILURES) {
      log.error({ dnsWorker: slot.n, pid, code, signal }, "dns worker keeps failing; not restarting it");
      return;
    }
    const delayMs = Math.min(100 * 2 ** (slot.failures - 1), 10_000);
    log.warn(
      { dnsWorker: slot.n, pid, code, signal, attempt: slot.failures, delayMs },
      "dns worker exited; restarting",
    );
    slot.restart = setTimeout(() => {
      if (closing) return;
      fork(slot);
      provision([slot]);
    }, delayMs);
  };

  /** Stops every worker; `final` also ends restarts and pending settles for good (close). */
  const stopAll = async (final: boolean): Promise<void> => {
    closing ||= final;
    if (final) for (const w of waiters) w.done();
    const graceMs = opts.stopGraceMs ?? 2000;
    await Promise.all(
      slots.map(async (s) => {
        clearTimeout(s.restart);
        const w = s.worker;
        if (w === undefined || w.isDead()) return;
        const exited = new Promise<void>((done) => w.once("exit", () => done()));
        if (w.isConnected()) w.disconnect();
        const kill = setTimeout(() => w.process.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(kill);
      }),
    );
  };

  let stopping: Promise<void> | undefined;
  return {
    ...record,
    load(snapshot) {
      flush();
      seq++;
      for (const s of slots) {
        if (s.phase === "loaded") post(s.worker, { kind: "load", seq, snapshot, changes: [] });
        else if (s.phase === "fetching") Object.assign(s, { latest: snapshot, buffer: [] });
      }
    },
    settled() {
      flush();
      const target = seq;
      if (caughtUp(target)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const waiter = {
          target,
          done: () => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          const now = Date.now();
          if (now - lastWarn >= WARN_EVERY_MS) {
            lastWarn = now;
            const behind = slots.filter((s) => s.phase === "loaded" && s.acked < target).map((s) => s.n);
            log.warn({ dnsWorkers: behind, waitedMs: settleTimeoutMs }, "dns workers slow to apply a change");
          }
          waiter.done();
        }, settleTimeoutMs);
        waiters.add(waiter);
      });
    },
    async start(at, h) {
      if (started || closing) throw new Error("dns worker pool already started or closed");
      startError = undefined;
      listen = at;
      handler = h;
      cluster.setupPrimary({
        exec: opts.script,
        serialization: "advanced",
      });
      for (const s of slots) fork(s);
      provision(slots);
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          startError ??= new Error("dns workers were not ready in time");
          resolve(false);
        }, opts.startTimeoutMs ?? 60_000);
        onStartEvent = () => {
          if (startError !== undefined || slots.every((s) => s.ready)) {
            clearTimeout(timer);
            resolve(startError === undefined);
          }
        };
      });
      onStartEvent = undefined;
      if (ok) {
        started = true;
        return;
      }
      await stopAll(false);
      throw startError ?? new Error("dns workers failed to start");
    },
    pids: () => slots.flatMap((s) => (s.worker?.process.pid === undefined ? [] : [s.worker.process.pid])),
    close: () => (stopping ??= stopAll(true)),
  };
}
