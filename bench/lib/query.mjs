// A tiny UDP DNS client for the bench's own checks (not for load): one query, one reply or a timeout.
// Used to check each server answers the zone correctly before it is measured, and to poll for the
// first correct answer while a big zone loads.

import dgram from "node:dgram";
import { performance } from "node:perf_hooks";
import { clearTimeout } from "node:timers";
import dnsPacket from "dns-packet";

let nextId = 1;

/**
 * Asks 127.0.0.1:`port` for `name`/`type` (RD clear). Resolves { rcode, aa, answers: [{ type, data }] },
 * or null when nothing (or nothing readable) came back within `timeoutMs`. Never rejects.
 */
export function queryUdp({ port, name, type, timeoutMs = 500 }) {
  return new Promise((resolve) => {
    const id = (nextId = (nextId % 65535) + 1);
    const sock = dgram.createSocket("udp4");
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on("error", () => finish(null));
    sock.on("message", (buf) => {
      try {
        const msg = dnsPacket.decode(buf);
        if (msg.id !== id) return;
        finish({
          rcode: msg.rcode,
          aa: (msg.flags & dnsPacket.AUTHORITATIVE_ANSWER) !== 0,
          answers: (msg.answers ?? []).map((a) => ({ type: a.type, data: String(a.data) })),
        });
      } catch {
        finish(null);
      }
    });
    const packet = dnsPacket.encode({
      type: "query",
      id,
      flags: 0,
      questions: [{ type, name, class: "IN" }],
    });
    sock.send(packet, port, "127.0.0.1", (err) => {
      if (err) finish(null);
    });
  });
}

/** True when `reply` is an authoritative NOERROR holding exactly `value` for `type`. */
export function answers(reply, type, value) {
  return (
    reply !== null &&
    reply.rcode === "NOERROR" &&
    reply.aa &&
    reply.answers.some((a) => a.type === type && a.data === value)
  );
}

/**
 * Checks one A, one AAAA and one NXDOMAIN. `cases`: [{ name, type, value }] with value null for
 * NXDOMAIN. Resolves null when all are right, else a message saying what was wrong.
 */
export async function checkAnswers(port, cases) {
  for (const c of cases) {
    const reply = await queryUdp({ port, name: c.name, type: c.type, timeoutMs: 2000 });
    const ok =
      c.value === null
        ? reply !== null && reply.rcode === "NXDOMAIN" && reply.aa
        : answers(reply, c.type, c.value);
    if (!ok) {
      const want = c.value === null ? "authoritative NXDOMAIN" : `authoritative ${c.value}`;
      return `${c.name} ${c.type}: wanted ${want}, got ${reply === null ? "no reply" : JSON.stringify(reply)}`;
    }
  }
  return null;
}

/**
 * Polls every `intervalMs` until `name`/`type` is answered with `value`, `alive()` turns false, or
 * `timeoutMs` passes. Resolves the time it took in ms (from `since`, a performance.now() reading), or
 * null when it never came.
 */
export async function waitForAnswer({ port, name, type, value, since, intervalMs = 50, timeoutMs, alive }) {
  const deadline = since + timeoutMs;
  while (performance.now() < deadline && alive()) {
    const t = performance.now();
    const reply = await queryUdp({ port, name, type, timeoutMs: intervalMs });
    if (answers(reply, type, value)) return performance.now() - since;
    const wait = intervalMs - (performance.now() - t);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return null;
}
