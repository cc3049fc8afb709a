// Over a million random and mutated packets through dispatch → answerQuery (the server's query path),
// and every reply through the response-rate limiter and its slip: nothing throws, every reply echoes
// the ID, has QR set and stays within the transport's size limit. Seeded, so a failure reproduces;
// bounded by count (and the test timeout), never by a measured duration.

import { describe, expect, it } from "vitest";
import { dispatch } from "../dispatch.js";
import { answerQuery } from "./engine.js";
import { createRrl, slipReply } from "../rrl.js";
import { buildQuery, SNAPSHOT } from "../testing/fixtures.js";
import type { DnsHandler, Transport } from "./types.js";
import { encodeUpdate } from "../wire/update.js";
import { ZoneIndex } from "./zone-index.js";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const index = new ZoneIndex();
index.load(SNAPSHOT);

/** Which route dispatch chose, so the test can show every route was reached. */
const routed = { query: 0, update: 0, notify: 0, transfer: 0 };
const query: DnsHandler = (msg, ctx) => {
  routed.query++;
  return answerQuery(msg, index, ctx);
};
// UPDATE, NOTIFY and transfers are answered by the engine too (NOTIMP / REFUSED): this test is about the
// query path and routing; the real handlers are fuzzed through the running server (test/e2e/dns-fuzz).
const handler = dispatch({
  query,
  update: (msg, ctx) => (routed.update++, answerQuery(msg, index, ctx)),
  notify: (msg, ctx) => (routed.notify++, answerQuery(msg, index, ctx)),
  transfer: (msg, ctx) => (routed.transfer++, answerQuery(msg, index, ctx)),
});

const rrl = createRrl({
  responsesPerSecond: 5,
  windowSeconds: 2,
  slip: 2,
  ipv4PrefixLength: 24,
  ipv6PrefixLength: 56,
  tableSize: 1000,
  exempt: [],
  now: (() => {
    let t = 0;
    return () => (t += 3);
  })(),
});
const CLIENTS = ["192.0.2.1", "198.51.100.9", "2001:db8::1", "2001:db8:0:ff00::7", "::ffff:203.0.113.5"];

const CORPUS = [
  buildQuery("www.dyn.example.test"),
  buildQuery("WwW.DyN.ExAmPle.TeSt", { type: "AAAA", edns: { udpSize: 4096 } }),
  buildQuery("big.example.test", { type: "TXT", edns: { udpSize: 1232 } }),
  buildQuery("medium.example.test", { type: "TXT" }),
  buildQuery("nope.example.test", { type: "ANY" }),
  buildQuery("example.test", { type: "NS", edns: {} }),
  buildQuery("example.test", { type: "SOA" }),
  buildQuery("dyn.example.test", { type: "MX" }),
  buildQuery("c.example.test", { type: "TXT", edns: { udpSize: 512, version: 1 } }),
  buildQuery("www.example.org"),
  buildQuery("example.test", { type: "AXFR" }),
  buildQuery("example.test", { type: "IXFR" }),
  buildQuery("example.test", { type: "SOA", opcode: 4 }),
  encodeUpdate({
    id: 7,
    zone: "example.test",
    prerequisites: [{ kind: "name-in-use", name: "www.dyn.example.test" }],
    updates: [
      { kind: "add", name: "_acme-challenge.example.test", type: "TXT", ttl: 60, value: "token" },
      { kind: "add", name: "h.example.test", type: "A", ttl: 60, value: "192.0.2.9" },
    ],
  }),
];

interface Tally {
  reply: number;
  drop: number;
  rcodes: Set<number>;
}

function tally(): Tally {
  return { reply: 0, drop: 0, rcodes: new Set() };
}

/** Runs one packet through the server's path; plain comparisons (expect() per packet would dominate). */
function check(msg: Uint8Array, transport: Transport, i: number, t: Tally): void {
  const out = handler(msg, { transport, remoteAddress: CLIENTS[i % CLIENTS.length]! });
  if (out instanceof Promise) throw new Error("the query path answered with a promise");
  const reply = out instanceof Uint8Array ? out : out?.[0];
  if (reply === undefined) {
    t.drop++;
    return;
  }
  const tooBig = reply.length > (transport === "udp" ? 1232 : 65535);
  if (tooBig || reply.length < 12 || reply[0] !== msg[0] || reply[1] !== msg[1] || (reply[2]! & 0x80) === 0) {
    throw new Error(`bad reply header for input ${Buffer.from(msg).toString("hex")}`);
  }
  t.reply++;
  t.rcodes.add(reply[3]! & 0x0f);
  if (transport === "udp" && rrl.check(CLIENTS[i % CLIENTS.length]!, reply) === "slip") {
    const slipped = slipReply(reply);
    if (slipped === undefined || (slipped[2]! & 0x02) === 0 || slipped[0] !== msg[0]) {
      throw new Error(`bad slip reply for input ${Buffer.from(msg).toString("hex")}`);
    }
  }
}

const bytes = (rand: () => number, n: number): number[] =>
  Array.from({ length: n }, () => Math.floor(rand() * 256));
const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const TYPES = [
  1, 2, 5, 6, 12, 13, 15, 16, 28, 33, 41, 43, 46, 48, 64, 65, 249, 250, 251, 252, 253, 254, 255, 0, 65535,
];
const CLASSES = [1, 1, 1, 3, 4, 254, 255, 0, 65535];
const NAMES = ["example", "test", "dyn", "www", "WWW", "sub", "x", "nope", "_acme-challenge", "big", ""];

/** A message with a plausible shape: header, a question of real and random labels, then random records. */
function structured(rand: () => number): Uint8Array {
  const out: number[] = [];
  const opcode = pick(rand, [0, 0, 0, 0, 4, 5, 1, 2, 15]);
  const qd = pick(rand, [1, 1, 1, 1, 0, 2, 65535]);
  const counts = [qd, pick(rand, [0, 0, 1, 3]), pick(rand, [0, 0, 1, 3]), pick(rand, [0, 1, 1, 2, 40])];
  out.push(
    ...bytes(rand, 2),
    (opcode << 3) | (rand() < 0.1 ? 0x80 : 0) | Math.floor(rand() * 8),
    Math.floor(rand() * 256),
  );
  for (const c of counts) out.push(c >> 8, c & 0xff);
  const labels = Math.floor(rand() * 6);
  for (let l = 0; l < labels; l++) {
    if (rand() < 0.05) {
      out.push(0xc0 | Math.floor(rand() * 64), Math.floor(rand() * 256)); // a pointer where none belongs
      break;
    }
    const text =
      rand() < 0.7 ? pick(rand, NAMES) : String.fromCharCode(...bytes(rand, Math.floor(rand() * 70)));
    const label = Buffer.from(text, "latin1");
    out.push(rand() < 0.03 ? Math.floor(rand() * 256) : label.length, ...label);
  }
  if (rand() < 0.9) out.push(0);
  const type = pick(rand, TYPES);
  const klass = pick(rand, CLASSES);
  out.push(type >> 8, type & 0xff, klass >> 8, klass & 0xff);
  // records: mostly OPT (random size, version, flags, options), some TSIG-looking, some noise
  for (let r = 0; r < counts[3]! && r < 3; r++) {
    const rtype = pick(rand, [41, 41, 250, 1, 16]);
    const rdata = bytes(rand, Math.floor(rand() * 30));
    out.push(0, rtype >> 8, rtype & 0xff, ...bytes(rand, 2), rand() < 0.5 ? 0 : Math.floor(rand() * 256));
    out.push(...bytes(rand, 3), rdata.length >> 8, (rdata.length & 0xff) + (rand() < 0.1 ? 7 : 0), ...rdata);
  }
  if (rand() < 0.2) out.push(...bytes(rand, Math.floor(rand() * 20)));
  return Uint8Array.from(out.map((b) => b & 0xff));
}

const TIMEOUT = 120_000;

describe("fuzzing the query path: dispatch → answerQuery → rate limiter (seeded, 1 100 000 packets)", () => {
  it(
    "300k random packets: no throw, bounded replies",
    () => {
      const rand = mulberry32(0xbeac0);
      const t = tally();
      for (let i = 0; i < 300_000; i++) {
        const msg = new Uint8Array(Math.floor(rand() * 300));
        for (let j = 0; j < msg.length; j++) msg[j] = Math.floor(rand() * 256);
        // steer most packets past the QR/qdcount gates so the deeper parsers see them
        if (msg.length > 5 && rand() < 0.8) {
          msg[2] = msg[2]! & 0x7f;
          msg[4] = 0;
          msg[5] = 1;
        }
        check(msg, i % 2 === 0 ? "udp" : "tcp", i, t);
      }
      expect(t.reply).toBeGreaterThan(30_000);
      expect(t.drop).toBeGreaterThan(3_000);
    },
    TIMEOUT,
  );

  it(
    "500k mutated valid messages (byte flips, truncation, splices, header bit flips): no throw, bounded replies",
    () => {
      const rand = mulberry32(0xd05);
      const t = tally();
      for (let i = 0; i < 500_000; i++) {
        const base = CORPUS[i % CORPUS.length]!;
        let msg: Uint8Array = Uint8Array.from(base);
        const op = Math.floor(rand() * 5);
        if (op === 0 || op === 3) {
          const flips = 1 + Math.floor(rand() * 4);
          for (let f = 0; f < flips; f++) msg[Math.floor(rand() * msg.length)] = Math.floor(rand() * 256);
        }
        if (op === 1) msg = msg.subarray(0, Math.floor(rand() * msg.length));
        if (op === 2 || op === 3) {
          const extra = Uint8Array.from(bytes(rand, Math.floor(rand() * 40)));
          const at = Math.floor(rand() * msg.length);
          msg = Uint8Array.from([...msg.subarray(0, at), ...extra, ...msg.subarray(at)]);
        }
        if (op === 4) msg[2 + Math.floor(rand() * 10)]! ^= 1 << Math.floor(rand() * 8);
        check(msg, i % 3 === 0 ? "tcp" : "udp", i, t);
      }
      // the mutations reached every outcome: NOERROR, FORMERR, NXDOMAIN, NOTIMP, REFUSED
      expect([...t.rcodes].sort()).toEqual(expect.arrayContaining([0, 1, 3, 4, 5]));
    },
    TIMEOUT,
  );

  it(
    "300k structured messages (random opcodes, labels, types, classes, OPT and TSIG-shaped records): no throw",
    () => {
      const rand = mulberry32(0x5eed);
      const t = tally();
      for (let i = 0; i < 300_000; i++) check(structured(rand), i % 4 === 0 ? "tcp" : "udp", i, t);
      expect(t.reply).toBeGreaterThan(100_000);
      expect([...t.rcodes].sort()).toEqual(expect.arrayContaining([0, 1, 3, 4, 5]));
    },
    TIMEOUT,
  );

  it("reached every route dispatch has", () => {
    expect(routed.query).toBeGreaterThan(100_000);
    expect(routed.update).toBeGreaterThan(1_000);
    expect(routed.notify).toBeGreaterThan(1_000);
    expect(routed.transfer).toBeGreaterThan(1_000);
  });
});
