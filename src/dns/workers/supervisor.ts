// The lives of the UDP query worker processes, one per slot: forking them, their message channel,
// knowing when all of them listen, restarting the ones that die, stopping them. What they are fed and
// what their messages mean beyond their lifecycle is the caller's (feed.ts, pool.ts).
//
// Contract:
// - Channel (channel.ts): what is sent to a worker before its `hello` is held and sent then, in
//   order; sending to a worker whose channel closed drops the message. Every other well-formed
//   message of the slot's current worker goes to the start's `received`, with a `reply` bound to
//   that worker (never to a later one in the same slot); malformed ones are logged and dropped.
// - `start` sets the launcher up, forks every slot's worker (each first sent the start's `init(n)`)
//   and resolves when all said `ready`; it rejects, with every worker stopped, on a `failed` (the
//   error's `code` is the worker's bind error's), on an exit before ready, or after
//   `startTimeoutMs`. It may be called again after that.
// - Restarts: a worker that exits after a successful start is forked again as restart-policy.ts
//   decides, or its slot is given up (logged). `forked(ns)` is told of every fork, `exited(n)` of
//   every exit of a slot's current worker.
// - `stop(true)` (close) disconnects every worker, kills (SIGKILL) what has not exited after
//   `stopGraceMs`, and ends restarts for good; `stop(false)` only stops the running workers.
// Time comes from the injected timers and clock; processes from the injected launcher.

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import type { TimerHandle, Timers } from "../../core/timers.js";
import { createWorkerChannel, type WorkerChannel } from "./channel.js";
import { parseWorkerMessage, type PrimaryMessage, type WorkerInit, type WorkerMessage } from "./protocol.js";
import { afterExit } from "./restart-policy.js";

/** What the supervisor needs of a forked worker process (cluster-process.ts adapts node:cluster's). */
export interface WorkerProcess {
  readonly pid: number | undefined;
  /** May throw when the channel closes meanwhile. */
  send(m: PrimaryMessage): void;
  isConnected(): boolean;
  isDead(): boolean;
  /** Closes the channel: the worker closes its sockets and exits. */
  disconnect(): void;
  /** Disconnects, then ends the process (a worker that must start over). */
  kill(): void;
  /** SIGKILL, for a worker that did not exit in time. */
  forceKill(): void;
}

export interface WorkerEvents {
  message(raw: unknown): void;
  exit(code: number | null, signal: string | null): void;
  error(err: Error): void;
}

/** Where worker processes come from (cluster-process.ts: node:cluster). */
export interface WorkerLauncher {
  /** Called by each start before its forks. */
  setup(): void;
  /** Forks one worker process whose events go to `events`. */
  fork(events: WorkerEvents): WorkerProcess;
}

/** Every message a worker sends after `hello`. */
export type WorkerReport = Exclude<WorkerMessage, { readonly kind: "hello" }>;

export interface SupervisorOptions {
  /** ≥ 1. */
  readonly slots: number;
  readonly launcher: WorkerLauncher;
  /** Slots `ns` were given new workers (the feed provisions them). */
  readonly forked: (ns: readonly number[]) => void;
  /** Slot `n`'s current worker exited. */
  readonly exited: (n: number) => void;
  readonly startTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly timers: Timers;
  readonly clock: Clock;
  readonly log: Log;
}

/** What the workers of one start are told first, and where their reports go (restarts included). */
export interface StartPlan {
  init(n: number): WorkerInit;
  received(n: number, m: WorkerReport, reply: (m: PrimaryMessage) => void): void;
}

export interface Supervisor {
  /** See the contract above. */
  start(plan: StartPlan): Promise<void>;
  /** To slot `n`'s current worker (held until its hello; dropped when there is none). */
  send(n: number, m: PrimaryMessage): void;
  /** Ends slot `n`'s current worker, so that it is restarted. */
  kill(n: number): void;
  pids(): number[];
  /** `final`: restarts end for good (close). */
  stop(final: boolean): Promise<void>;
}

/** One forked worker and its channel. */
interface Link {
  readonly proc: WorkerProcess;
  readonly channel: WorkerChannel;
  ready: boolean;
  readonly exited: Promise<void>;
}

interface Slot {
  readonly n: number;
  link: Link | undefined;
  startedAt: number;
  failures: number;
  restart: TimerHandle | undefined;
}

export function createSupervisor(opts: SupervisorOptions): Supervisor {
  const { log, timers } = opts;
  const slots: Slot[] = Array.from({ length: opts.slots }, (_, i) => ({
    n: i + 1,
    link: undefined,
    startedAt: 0,
    failures: 0,
    restart: undefined,
  }));
  let plan: StartPlan | undefined;
  let started = false;
  let closing = false;
  let onStartEvent: (() => void) | undefined;
  let startError: Error | undefined;

  const fork = (slot: Slot): void => {
    slot.restart = undefined;
    let exited = (): void => undefined;
    const proc = opts.launcher.fork({
      message: (raw) => onMessage(slot, link, raw),
      exit: (code, signal) => {
        onExit(slot, link, code, signal);
        exited();
      },
      error: (err) => log.warn({ err, dnsWorker: slot.n }, "dns worker: channel error"),
    });
    const link: Link = {
      proc,
      channel: createWorkerChannel(proc, log),
      ready: false,
      exited: new Promise<void>((done) => (exited = done)),
    };
    Object.assign(slot, { link, startedAt: opts.clock() });
    if (plan !== undefined) link.channel.send(plan.init(slot.n));
  };

  const onMessage = (slot: Slot, link: Link, raw: unknown): void => {
    if (slot.link !== link) return;
    const m = parseWorkerMessage(raw);
    if (m === undefined) {
      log.warn({ dnsWorker: slot.n }, "dns worker: malformed message ignored");
      return;
    }
    if (m.kind === "hello") return link.channel.opened();
    plan?.received(slot.n, m, (r) => link.channel.send(r));
    if (m.kind === "ready") {
      link.ready = true;
      log.info({ dnsWorker: slot.n, pid: link.proc.pid }, "dns worker ready");
      onStartEvent?.();
    } else if (m.kind === "failed") {
      log.error({ dnsWorker: slot.n, code: m.code, message: m.message }, "dns worker could not listen");
      startError ??= Object.assign(new Error(`dns worker could not listen: ${m.message}`), { code: m.code });
      onStartEvent?.();
    }
  };

  const onExit = (slot: Slot, link: Link, code: number | null, signal: string | null): void => {
    if (slot.link !== link) return;
    slot.link = undefined;
    opts.exited(slot.n);
    if (closing) return;
    if (!started) {
      startError ??= new Error(`dns worker ${slot.n} exited before it was ready (${signal ?? code})`);
      onStartEvent?.();
      return;
    }
    const pid = link.proc.pid;
    const next = afterExit(slot.failures, opts.clock() - slot.startedAt);
    slot.failures = next.failures;
    if (next.action === "give-up") {
      log.error({ dnsWorker: slot.n, pid, code, signal }, "dns worker keeps failing; not restarting it");
      return;
    }
    const { delayMs } = next;
    log.warn(
      { dnsWorker: slot.n, pid, code, signal, attempt: next.failures, delayMs },
      "dns worker exited; restarting",
    );
    slot.restart = timers.setTimeout(() => {
      if (closing) return;
      fork(slot);
      opts.forked([slot.n]);
    }, delayMs);
  };

  const stop = async (final: boolean): Promise<void> => {
    closing ||= final;
    await Promise.all(
      slots.map(async (s) => {
        if (s.restart !== undefined) timers.clearTimeout(s.restart);
        const link = s.link;
        if (link === undefined || link.proc.isDead()) return;
        if (link.proc.isConnected()) link.proc.disconnect();
        const kill = timers.setTimeout(() => link.proc.forceKill(), opts.stopGraceMs);
        await link.exited;
        timers.clearTimeout(kill);
      }),
    );
  };

  /** Resolves true when every worker is ready, false on the first error or after the timeout. */
  const allReady = (): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const timer = timers.setTimeout(() => {
        startError ??= new Error("dns workers were not ready in time");
        resolve(false);
      }, opts.startTimeoutMs);
      onStartEvent = () => {
        if (startError !== undefined || slots.every((s) => s.link?.ready === true)) {
          timers.clearTimeout(timer);
          resolve(startError === undefined);
        }
      };
    });

  return {
    async start(p) {
      if (started || closing) throw new Error("dns worker pool already started or closed");
      startError = undefined;
      plan = p;
      opts.launcher.setup();
      for (const s of slots) fork(s);
      opts.forked(slots.map((s) => s.n));
      const ok = await allReady();
      onStartEvent = undefined;
      if (ok) {
        started = true;
        return;
      }
      await stop(false);
      throw startError ?? new Error("dns workers failed to start");
    },
    send: (n, m) => slots[n - 1]?.link?.channel.send(m),
    kill: (n) => slots[n - 1]?.link?.proc.kill(),
    pids: () => slots.flatMap((s) => (s.link?.proc.pid === undefined ? [] : [s.link.proc.pid])),
    stop,
  };
}
