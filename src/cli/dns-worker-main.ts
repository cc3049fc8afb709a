// Entry point of one UDP query worker (forked by dns/workers/pool.ts through node:cluster; a
// composition root, so it lives in src/cli). It keeps its own ZoneIndex fed by the primary, binds every DNS address over UDP
// (the cluster primary shares one socket per address among the workers; the kernel spreads the
// datagrams), answers plain queries itself and forwards the rest (route.ts) to the primary.
//
// Lifecycle: the primary owns it. SIGINT/SIGTERM are ignored (a Ctrl-C reaches the whole process
// group; the primary drains and then disconnects its workers); when the IPC channel closes (the
// primary disconnected it, or died) the worker exits.

import { Registry } from "prom-client";
import { dnsLimitOptions } from "./dns-limits.js";
import { systemClock } from "../core/clock.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { createAnswerCache } from "../dns/answer/answer-cache.js";
import { createDnsMetrics } from "../dns/metrics.js";
import { startUdp, type UdpListener, type UdpOptions } from "../dns/transport/udp.js";
import type { DnsHandler } from "../dns/answer/types.js";
import { ZoneIndex } from "../dns/answer/zone-index.js";
import { createAnswerSteering } from "../dns/answer/steering.js";
import { encodeName } from "../dns/wire/name.js";
import { createForwarder } from "../dns/workers/forwarder.js";
import {
  applyChange,
  parsePrimaryMessage,
  type WorkerInit,
  type WorkerMessage,
} from "../dns/workers/protocol.js";
import { answersLocally } from "../dns/workers/route.js";

/** How often counts go to the primary, which adds them to its /metrics. */
const METRICS_INTERVAL_MS = 1000;

const send = (m: WorkerMessage): boolean => {
  if (process.send === undefined || !process.connected) return false;
  return process.send(m);
};

const index = new ZoneIndex();
/** The primary's answer steering rules, fed with the index (load and changes). */
const steering = createAnswerSteering();
const answer = createAnswerCache(index, { alloc: (n) => Buffer.allocUnsafe(n), steering });
const forwarder = createForwarder({ send });
/** The catalog zone's name in wire form, from init: its questions go to the primary. */
let catalog: Uint8Array | undefined;
const handler: DnsHandler = (msg, ctx) =>
  answer.hit(msg) ??
  (answersLocally(msg, catalog) ? answer(msg, ctx) : forwarder.forward(msg, ctx.remoteAddress));

let init: WorkerInit | undefined;
let log: Logger | undefined;
let applied = 0;
let binding = false;
const sockets: UdpListener[] = [];

process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
process.on("disconnect", () => {
  forwarder.close();
  process.exit(0);
});

process.on("message", (raw: unknown) => {
  const m = parsePrimaryMessage(raw);
  if (m === undefined) {
    log?.warn({}, "dns worker: malformed message from the primary ignored");
    return;
  }
  switch (m.kind) {
    case "init":
      if (init !== undefined) return;
      init = m;
      catalog = m.catalog === undefined ? undefined : encodeName(m.catalog);
      log = createLogger({ level: m.logLevel, format: m.logFormat }).child({ dnsWorker: m.worker });
      return;
    case "load":
      index.load(m.snapshot);
      steering.replace(m.steering ?? []);
      for (const c of m.changes) applyChange(index, c, steering);
      applied = m.seq;
      send({ kind: "ack", seq: applied });
      if (!binding) {
        binding = true;
        void bindAll();
      }
      return;
    case "changes":
      for (const c of m.changes) applyChange(index, c, steering);
      applied = m.seq;
      send({ kind: "ack", seq: applied });
      return;
    case "reply":
      forwarder.settle(m.id, m.bytes);
      return;
  }
});

send({ kind: "hello" });

/** Binds every address (only once the index is loaded, so no query is answered from an empty one). */
async function bindAll(): Promise<void> {
  if (init === undefined || log === undefined) {
    send({ kind: "failed", code: "no_init", message: "load arrived before init" });
    process.exit(1);
  }
  const metrics = createDnsMetrics(new Registry());
  const limits = dnsLimitOptions(init.limits, systemClock, metrics);
  try {
    for (const at of init.listen) {
      const opts: UdpOptions = {
        host: at.host,
        port: at.port,
        handler,
        log,
        rrl: limits.rrl,
        maxMessageBytes: limits.maxMessageBytes,
        metrics,
      };
      // Not exclusive: the cluster primary then holds one socket per address and shares it with every
      // worker (an exclusive bind would make each worker bind its own, and all but one fail).
      sockets.push(await startUdp({ ...opts, ...{ exclusive: false } }));
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    send({ kind: "failed", code: e.code ?? "bind_failed", message: e.message });
    process.exit(1);
  }
  sendMetrics(() => metrics.counts());
  send({ kind: "ready", seq: applied });
}

/** Every second, the counts since the last report (the primary only ever adds). */
function sendMetrics(counts: () => ReadonlyMap<string, number>): void {
  let last = new Map<string, number>();
  const timer = setInterval(() => {
    const now = counts();
    const delta: [string, number][] = [];
    for (const [key, n] of now) {
      const d = n - (last.get(key) ?? 0);
      if (d > 0) delta.push([key, d]);
    }
    last = new Map(now);
    if (delta.length > 0) send({ kind: "metrics", counts: delta });
  }, METRICS_INTERVAL_MS);
  timer.unref();
}
