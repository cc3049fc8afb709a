// Open-loop background loads for the mixed run: a paced DNS latency probe (one UDP socket, queries
// evenly spaced in time whether or not earlier ones were answered) and a paced stream of HTTP updates.
// Both are bounded in time (and the probe in rate); loopback only.

import { execFile } from "node:child_process";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { clearInterval, clearTimeout, setInterval } from "node:timers";
import { encodeQuery } from "../../dist/dns/wire/update.js";
import {
  HARD_MAX_MS,
  keepAliveAgent,
  latencySummary,
  loopbackHost,
  nextAddress,
  sendHttpUpdate,
} from "./update-load.mjs";

const LOST_AFTER_MS = 1000;
const MAX_QPS = 20_000;
/** Sends due at once after a stall; beyond this the schedule restarts (the skipped slots are not sent). */
const MAX_BURST = 50;
const MAX_IN_FLIGHT_UPDATES = 32;

/**
 * Calls fire(k) for k = 0, 1, … at `perSecond` evenly spaced instants until `limitMs` have passed or
 * stop() is called. Node timers have ~1 ms resolution, so slots that fall due together are fired
 * together. → { stop(), done: Promise<void> }
 */
function pace(perSecond, limitMs, fire) {
  const interval = 1000 / perSecond;
  let base = performance.now();
  let sent = 0;
  let k = 0;
  let timer;
  let finish;
  const done = new Promise((resolve) => (finish = resolve));
  const end = base + limitMs;
  const tick = () => {
    const now = performance.now();
    if (now >= end) return finish();
    let due = Math.floor((now - base) / interval) + 1 - sent;
    if (due > MAX_BURST) {
      base = now;
      sent = 0;
      due = 1;
    }
    for (let i = 0; i < due; i++, sent++) fire(k++);
    timer = setTimeout(tick, Math.max(0, base + sent * interval - performance.now()));
  };
  tick();
  return {
    stop() {
      clearTimeout(timer);
      finish();
    },
    done,
  };
}

/**
 * Paced A queries for names[k % names.length] from one socket, matched by ID, RTT by
 * process.hrtime.bigint(). A query unanswered after 1 s is lost (not in the percentiles).
 * → { sent, answered, lost, p50Ms, p99Ms, maxMs }
 */
export async function probeLatency({ host, port, names, qps, durationMs }) {
  if (names.length === 0) throw new Error("probeLatency needs at least one name");
  if (!(qps > 0 && qps <= MAX_QPS)) throw new Error(`probe rate must be in (0, ${MAX_QPS}]`);
  const address = loopbackHost(host);
  const templates = names.map((n) => Buffer.from(encodeQuery(0, n, "A")));
  const sock = dgram.createSocket(address.includes(":") ? "udp6" : "udp4");
  sock.on("error", () => {});
  const outstanding = new Map();
  const latencies = [];
  let sent = 0;
  let lost = 0;
  sock.on("message", (msg) => {
    if (msg.length < 12) return;
    const t0 = outstanding.get(msg.readUInt16BE(0));
    if (t0 === undefined) return;
    outstanding.delete(msg.readUInt16BE(0));
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  });
  const expire = () => {
    const cutoff = process.hrtime.bigint() - BigInt(LOST_AFTER_MS) * 1_000_000n;
    // Insertion order is send order, so the expired ones are at the front.
    for (const [id, t0] of outstanding) {
      if (t0 > cutoff) break;
      outstanding.delete(id);
      lost++;
    }
  };
  const sweeper = setInterval(expire, 100);
  try {
    const pacer = pace(qps, Math.min(durationMs, HARD_MAX_MS), (k) => {
      const id = k & 0xffff;
      const query = Buffer.from(templates[k % templates.length]);
      query.writeUInt16BE(id, 0);
      if (outstanding.has(id)) {
        outstanding.delete(id);
        lost++;
      }
      outstanding.set(id, process.hrtime.bigint());
      sent++;
      sock.send(query, port, address);
    });
    await pacer.done;
    // Give the last queries their full second.
    for (let i = 0; i < LOST_AFTER_MS / 50 + 1 && outstanding.size > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      expire();
    }
  } finally {
    clearInterval(sweeper);
    sock.close();
  }
  lost += outstanding.size;
  return { sent, answered: latencies.length, lost, ...latencySummary(latencies) };
}

/**
 * A paced stream of dyndns2 updates (new address each time), round-robin over `tokens`, in the
 * background until stop() — or 10 minutes at most. At most 32 in flight: a slot that finds 32 waiting
 * is skipped and counted in `skipped`. stop() resolves { count, errors, skipped } once the in-flight
 * updates have finished.
 */
export function steadyHttpUpdates({ baseUrl, tokens, perSecond, protocol = "dyndns2" }) {
  if (tokens.length === 0) throw new Error("steadyHttpUpdates needs at least one token");
  if (!(perSecond > 0 && perSecond <= 10_000)) throw new Error("update rate must be in (0, 10000]");
  const url = new URL(baseUrl);
  loopbackHost(url.hostname);
  const agent = keepAliveAgent(MAX_IN_FLIGHT_UPDATES);
  const inFlight = new Set();
  let count = 0;
  let errors = 0;
  let skipped = 0;
  const pacer = pace(perSecond, HARD_MAX_MS, (k) => {
    if (inFlight.size >= MAX_IN_FLIGHT_UPDATES) {
      skipped++;
      return;
    }
    const { host, token } = tokens[k % tokens.length];
    const p = sendHttpUpdate({ agent, url, protocol, host, token, address: nextAddress() }).then((r) => {
      if (r.ok) count++;
      else errors++;
      inFlight.delete(p);
    });
    inFlight.add(p);
  });
  return {
    async stop() {
      pacer.stop();
      await Promise.all(inFlight);
      agent.destroy();
      return { count, errors, skipped };
    },
  };
}

/**
 * probeLatency in a process of its own, so the load generators in this process (an HTTP update stream's
 * parsing and timers) never delay the probe's own receive and distort its latencies.
 */
export function probeLatencyIsolated(opts) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), JSON.stringify(opts)],
      { timeout: opts.durationMs + 30_000 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))),
    );
  });
}

// `node probe.mjs '<options JSON>'`: runs probeLatency and prints its result (see probeLatencyIsolated).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(await probeLatency(JSON.parse(process.argv[2] ?? "{}"))));
}
