// Update loads: HTTP (dyndns2 or JSON, token auth, keep-alive) and RFC 2136 (TSIG-signed UDP), closed
// loop (each client sends, awaits the full reply, sends the next), plus update-to-visible (HTTP update,
// then DNS queries until the answer shows it). Every load is bounded in count AND time and refuses any
// target that is not loopback. Latencies are measured with process.hrtime.bigint(); percentiles are
// nearest-rank over acknowledged requests only (failures are counted, never timed).

import dgram from "node:dgram";
import http from "node:http";
import { Buffer } from "node:buffer";
import { clearTimeout } from "node:timers";
import { signTsig, verifyTsig } from "../../dist/dns/tsig/tsig.js";
import { encodeQuery, encodeUpdate, readAnswer } from "../../dist/dns/wire/update.js";
import { percentile } from "./stats.mjs";

/** No load runs longer than this, whatever it is asked. */
export const HARD_MAX_MS = 10 * 60_000;
const HTTP_TIMEOUT_MS = 10_000;
/** A load stops early after this many failures in a row (the server is gone or refusing everything). */
const MAX_CONSECUTIVE_ERRORS = 200;
const RFC2136_TRIES = 3;
const RETRY_AFTER_MS = 1000;
const VISIBLE_GIVE_UP_MS = 2000;
const VISIBLE_RESEND_MS = 200;

const progress = (msg) => process.stderr.write(`bench: ${msg}\n`);

// ---- shared helpers (probe.mjs uses them too) ----

/** { p50Ms, p99Ms, maxMs } of latencies in ms (nearest rank), rounded to µs; null when there are none. */
export function latencySummary(latenciesMs) {
  const r = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
  return {
    p50Ms: r(percentile(latenciesMs, 50)),
    p99Ms: r(percentile(latenciesMs, 99)),
    maxMs: r(percentile(latenciesMs, 100)),
  };
}

const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

let sequence = 0;
/**
 * A global unicast IPv4 address (82.x or 83.x) different from every other one handed out in the last
 * ~32 million calls, so each update really changes its host and forces a durable commit ("good").
 */
export function nextAddress() {
  const n = sequence++ % (250 * 65536 * 2);
  const m = Math.floor(n / 250);
  return `${82 + ((m >> 16) & 1)}.${(m >> 8) & 255}.${m & 255}.${1 + (n % 250)}`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** The host (brackets stripped) after checking it is loopback; throws otherwise. */
export function loopbackHost(host) {
  const h = host.replace(/^\[|\]$/g, "");
  if (!LOOPBACK.test(h)) throw new Error(`bench loads go to loopback only, not ${host}`);
  return h;
}

/** An http.Agent with `maxSockets` keep-alive connections. Destroy it when done. */
export function keepAliveAgent(maxSockets) {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/**
 * One update of `host`'s A set to `address`. dyndns2: GET /nic/update with Basic host:token; JSON:
 * PUT /api/v1/hosts/:fqdn/records/A with a Bearer token. Never rejects: resolves { ok, status, text,
 * at } where `ok` means 2xx and the reply says good/nochg, and `at` is the hrtime the full reply
 * arrived (undefined on a transport error).
 */
export function sendHttpUpdate({ agent, url, protocol, host, token, address }) {
  const json = protocol === "json";
  const body = json ? JSON.stringify({ values: [address] }) : undefined;
  const headers = {
    "user-agent": "beacon-bench/1",
    authorization: json ? `Bearer ${token}` : `Basic ${Buffer.from(`${host}:${token}`).toString("base64")}`,
  };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  const path = json
    ? `/api/v1/hosts/${encodeURIComponent(host)}/records/A`
    : `/nic/update?hostname=${encodeURIComponent(host)}&myip=${address}`;
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: loopbackHost(url.hostname),
        port: url.port,
        method: json ? "PUT" : "GET",
        path,
        headers,
        timeout: HTTP_TIMEOUT_MS,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("error", (e) => resolve({ ok: false, status: res.statusCode, text: e.message }));
        res.on("end", () => {
          const at = process.hrtime.bigint();
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300 && accepted(json, text), status, text, at });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no reply within ${HTTP_TIMEOUT_MS} ms`)));
    req.on("error", (e) => resolve({ ok: false, status: 0, text: e.message }));
    req.end(body);
  });
}

function accepted(json, text) {
  if (!json) return /^(good|nochg) /.test(text);
  try {
    const status = JSON.parse(text).status;
    return status === "good" || status === "nochg";
  } catch {
    return false;
  }
}

/**
 * A UDP socket for request/reply by DNS ID. exchange() sends `bytes` and resolves { msg, at } for the
 * first datagram from the server carrying `id`, or undefined after `timeoutMs`. One waiter per ID.
 */
export function udpClient(host, port) {
  const address = loopbackHost(host);
  const sock = dgram.createSocket(address.includes(":") ? "udp6" : "udp4");
  const waiters = new Map();
  sock.on("message", (msg) => {
    if (msg.length < 12) return;
    const w = waiters.get(msg.readUInt16BE(0));
    if (w === undefined) return;
    waiters.delete(msg.readUInt16BE(0));
    clearTimeout(w.timer);
    w.resolve({ msg, at: process.hrtime.bigint() });
  });
  // Sends fail only on local errors; the waiter's timeout turns them into losses.
  sock.on("error", () => {});
  return {
    exchange(id, bytes, timeoutMs) {
      return new Promise((resolve) => {
        const old = waiters.get(id);
        if (old !== undefined) clearTimeout(old.timer);
        const timer = setTimeout(() => {
          waiters.delete(id);
          resolve(undefined);
        }, timeoutMs);
        waiters.set(id, { resolve, timer });
        sock.send(bytes, port, address);
      });
    },
    close() {
      for (const w of waiters.values()) clearTimeout(w.timer);
      waiters.clear();
      sock.close();
    },
  };
}

function checkCommon(count, durationMs) {
  if (!(count > 0)) throw new Error("a load needs a positive request cap");
  if (!(durationMs > 0)) throw new Error("a load needs a positive duration");
  return Math.min(durationMs, HARD_MAX_MS);
}

/**
 * Runs `concurrency` closed-loop clients of `one(client)` until a cap is reached. `one` resolves
 * { host, address } when acknowledged, else a reason (string). With `trackLast` the result carries
 * `last`: host → the address of its last acknowledged update.
 */
async function closedLoop({ concurrency, durationMs, maxCount, one, trackLast }) {
  const limitMs = checkCommon(maxCount, durationMs);
  const start = process.hrtime.bigint();
  const latencies = [];
  let started = 0;
  let errors = 0;
  let consecutive = 0;
  let firstError;
  const last = {};
  async function client(i) {
    while (started < maxCount && msSince(start) < limitMs && consecutive < MAX_CONSECUTIVE_ERRORS) {
      started++;
      const t0 = process.hrtime.bigint();
      const result = await one(i);
      if (typeof result === "object") {
        latencies.push(msSince(t0));
        consecutive = 0;
        if (trackLast) last[result.host] = result.address;
      } else {
        errors++;
        consecutive++;
        firstError ??= result;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, (_, i) => client(i)));
  const elapsedMs = msSince(start);
  if (firstError !== undefined) progress(`  ${errors} failed; the first: ${firstError}`);
  if (consecutive >= MAX_CONSECUTIVE_ERRORS) progress(`  stopped after ${consecutive} failures in a row`);
  return {
    count: latencies.length,
    errors,
    ratePerSec: Math.round((latencies.length / elapsedMs) * 1000 * 10) / 10,
    ...latencySummary(latencies),
    ...(firstError === undefined ? {} : { firstError }),
    ...(trackLast ? { last } : {}),
  };
}

/**
 * HTTP updates from `concurrency` sequential clients over keep-alive connections; client i updates
 * tokens[i % tokens.length].host to a new address each time, sending to baseUrls[i % baseUrls.length]
 * (several nodes; default [baseUrl]). → { count, errors, firstError?, ratePerSec, p50Ms, p99Ms, maxMs,
 * last? }; count = acknowledged (good/nochg) updates; `last` with trackLast (see closedLoop).
 */
export async function httpUpdateLoad({
  baseUrl,
  baseUrls = [baseUrl],
  tokens,
  protocol,
  concurrency,
  durationMs,
  maxRequests,
  trackLast = false,
}) {
  if (tokens.length === 0) throw new Error("httpUpdateLoad needs at least one token");
  if (protocol !== "dyndns2" && protocol !== "json") throw new Error(`unknown protocol ${protocol}`);
  const urls = baseUrls.map((u) => new URL(u));
  for (const url of urls) loopbackHost(url.hostname);
  const agents = urls.map(() => keepAliveAgent(concurrency));
  try {
    return await closedLoop({
      concurrency,
      durationMs,
      maxCount: maxRequests,
      trackLast,
      one: async (i) => {
        const { host, token } = tokens[i % tokens.length];
        const address = nextAddress();
        const n = i % urls.length;
        const r = await sendHttpUpdate({ agent: agents[n], url: urls[n], protocol, host, token, address });
        return r.ok ? { host, address } : `HTTP ${r.status} ${r.text.slice(0, 120).trim()}`;
      },
    });
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

/**
 * RFC 2136 UPDATEs (delete the A set of a name, add one A with a new address), TSIG-signed, over UDP,
 * one outstanding per client; client i changes names[i % names.length]. Acknowledged = a reply with
 * the same ID, rcode NOERROR and a TSIG that verifies against our request. A datagram unanswered after
 * 1 s is sent again (at most 3 tries; retries are counted). Works against Beacon, BIND and Knot.
 * → { count, errors, retries, ratePerSec, p50Ms, p99Ms, maxMs, last? } (`last`: see closedLoop)
 */
export async function rfc2136Load({
  host,
  port,
  zone,
  names,
  tsig,
  concurrency,
  durationMs,
  maxUpdates,
  trackLast = false,
}) {
  if (names.length === 0) throw new Error("rfc2136Load needs at least one name");
  const key = {
    name: tsig.name.toLowerCase().replace(/\.$/, ""),
    algorithm: tsig.algorithm,
    secret: new Uint8Array(Buffer.from(tsig.secret, "base64")),
  };
  const findKey = (n) => (n === key.name ? key : undefined);
  const clients = Array.from({ length: Math.max(1, concurrency) }, () => udpClient(host, port));
  let retries = 0;
  let nextId = Math.floor(Math.random() * 65536);
  try {
    const result = await closedLoop({
      concurrency,
      durationMs,
      maxCount: maxUpdates,
      trackLast,
      one: async (i) => {
        const name = names[i % names.length];
        const id = nextId++ & 0xffff;
        const address = nextAddress();
        const unsigned = encodeUpdate({
          id,
          zone,
          updates: [
            { kind: "delete-rrset", name, type: "A" },
            { kind: "add", name, type: "A", ttl: 60, value: address },
          ],
        });
        const { message, mac } = signTsig(unsigned, { key, timeSigned: Math.floor(Date.now() / 1000) });
        let reply;
        for (let attempt = 0; attempt < RFC2136_TRIES && reply === undefined; attempt++) {
          if (attempt > 0) retries++;
          reply = await clients[i].exchange(id, message, RETRY_AFTER_MS);
        }
        if (reply === undefined) return `no reply after ${RFC2136_TRIES} tries`;
        const rcode = reply.msg[3] & 0x0f;
        if (rcode !== 0) return `rcode ${rcode}`;
        const verdict = verifyTsig(reply.msg, {
          findKey,
          now: Math.floor(Date.now() / 1000),
          requestMac: mac,
        });
        return verdict.status === "ok" ? { host: name, address } : `reply TSIG ${verdict.status}`;
      },
    });
    return { ...result, retries };
  } finally {
    for (const c of clients) c.close();
  }
}

/** The A values of a UDP answer for `name` (sends `tries` times, `timeoutMs` each); undefined if none. */
export async function queryA({ dnsHost, dnsPort, name, timeoutMs = 500, tries = 3 }) {
  const client = udpClient(dnsHost, dnsPort);
  try {
    for (let t = 0; t < tries; t++) {
      const id = Math.floor(Math.random() * 65536);
      const reply = await client.exchange(id, encodeQuery(id, name, "A"), timeoutMs);
      if (reply === undefined) continue;
      const answer = readAnswer(reply.msg, name, "A");
      return answer.ok ? answer.value.values : undefined;
    }
    return undefined;
  } finally {
    client.close();
  }
}

/**
 * For each sample: a dyndns2 update of `host` to a new address; from the moment its reply has fully
 * arrived, A queries for `host` back to back to each of `dnsPorts` at once (default [dnsPort]; each
 * answer awaited, resent after 200 ms unanswered) until one holds the new address. The figure is
 * (arrival of that answer) − (arrival of the HTTP reply), per port. A sample not visible within 2 s on a
 * port, or whose update failed, is a failure (of every port). → { samples, failures, p50Ms, p99Ms, maxMs
 * } over all ports, and `ports`: the same per port, in the order of `dnsPorts`.
 */
export async function updateToVisible({
  baseUrl,
  token,
  host,
  dnsHost,
  dnsPort,
  dnsPorts = [dnsPort],
  samples,
}) {
  const url = new URL(baseUrl);
  const agent = keepAliveAgent(1);
  const watchers = dnsPorts.map((port) => ({ dns: udpClient(dnsHost, port), latencies: [], failures: 0 }));
  let id = Math.floor(Math.random() * 65536);
  const deadline = process.hrtime.bigint() + BigInt(HARD_MAX_MS) * 1_000_000n;
  const watch = async (w, address, since) => {
    while (msSince(since) < VISIBLE_GIVE_UP_MS) {
      id = (id + 1) & 0xffff;
      const reply = await w.dns.exchange(id, encodeQuery(id, host, "A"), VISIBLE_RESEND_MS);
      if (reply === undefined) continue;
      const answer = readAnswer(reply.msg, host, "A");
      if (answer.ok && answer.value.values.includes(address)) {
        w.latencies.push(Number(reply.at - since) / 1e6);
        return;
      }
    }
    w.failures++;
  };
  try {
    for (let s = 0; s < Math.min(samples, 100_000) && process.hrtime.bigint() < deadline; s++) {
      const address = nextAddress();
      const r = await sendHttpUpdate({ agent, url, protocol: "dyndns2", host, token, address });
      if (!r.ok) {
        for (const w of watchers) w.failures++;
        continue;
      }
      await Promise.all(watchers.map((w) => watch(w, address, r.at)));
    }
  } finally {
    agent.destroy();
    for (const w of watchers) w.dns.close();
  }
  const summary = (latencies, failures) => ({
    samples: latencies.length,
    failures,
    ...latencySummary(latencies),
  });
  return {
    ...summary(
      watchers.flatMap((w) => w.latencies),
      watchers.reduce((a, w) => a + w.failures, 0),
    ),
    ports: watchers.map((w) => summary(w.latencies, w.failures)),
  };
}
