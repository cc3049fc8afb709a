// Random and mutated packets through answerQuery: nothing throws, every reply echoes the ID and stays
// within the transport's size limit. Seeded, so a failure reproduces.

import { describe, expect, it } from "vitest";
import { answerQuery } from "./engine.js";
import { buildQuery, SNAPSHOT } from "./testing/fixtures.js";
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

const CORPUS = [
  buildQuery("www.dyn.example.test"),
  buildQuery("WwW.DyN.ExAmPle.TeSt", { type: "AAAA", edns: { udpSize: 4096 } }),
  buildQuery("big.example.test", { type: "TXT", edns: { udpSize: 1232 } }),
  buildQuery("nope.example.test", { type: "ANY" }),
  buildQuery("example.test", { type: "NS", edns: {} }),
  buildQuery("example.test", { type: "SOA" }),
  buildQuery("dyn.example.test", { type: "MX" }),
  buildQuery("www.example.org"),
];

function check(msg: Uint8Array, transport: "udp" | "tcp"): "reply" | "drop" {
  const reply = answerQuery(msg, index, { transport });
  if (reply === undefined) return "drop";
  // plain comparisons: expect() per iteration would dominate the run time
  const tooBig = reply.length > (transport === "udp" ? 1232 : 65535);
  if (tooBig || reply.length < 12 || reply[0] !== msg[0] || reply[1] !== msg[1] || (reply[2]! & 0x80) === 0) {
    throw new Error(`bad reply header for input ${Buffer.from(msg).toString("hex")}`);
  }
  return "reply";
}

describe("fuzzing answerQuery (seeded)", () => {
  it("100k random packets: no throw, bounded replies", () => {
    const rand = mulberry32(0xbeac0);
    const counts = { reply: 0, drop: 0 };
    for (let i = 0; i < 100_000; i++) {
      const msg = new Uint8Array(Math.floor(rand() * 300));
      for (let j = 0; j < msg.length; j++) msg[j] = Math.floor(rand() * 256);
      // steer most packets past the QR/qdcount gates so the deeper parsers see them
      if (msg.length > 5 && rand() < 0.8) {
        msg[2] = msg[2]! & 0x7f;
        msg[4] = 0;
        msg[5] = 1;
      }
      counts[check(msg, i % 2 === 0 ? "udp" : "tcp")]++;
    }
    expect(counts.reply).toBeGreaterThan(10_000);
    expect(counts.drop).toBeGreaterThan(1_000);
  });

  it("100k mutated valid queries (byte flips, truncation, splices): no throw, bounded replies", () => {
    const rand = mulberry32(0xd05);
    const rcodes = new Set<number>();
    for (let i = 0; i < 100_000; i++) {
      const base = CORPUS[i % CORPUS.length]!;
      let msg: Uint8Array = Uint8Array.from(base);
      const op = Math.floor(rand() * 4);
      if (op === 0 || op === 3) {
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips; f++) msg[Math.floor(rand() * msg.length)] = Math.floor(rand() * 256);
      }
      if (op === 1) msg = msg.subarray(0, Math.floor(rand() * msg.length));
      if (op === 2 || op === 3) {
        const extra = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
        const at = Math.floor(rand() * msg.length);
        msg = Uint8Array.from([...msg.subarray(0, at), ...extra, ...msg.subarray(at)]);
      }
      const reply = answerQuery(msg, index, { transport: i % 3 === 0 ? "tcp" : "udp" });
      if (reply !== undefined) {
        if (reply[0] !== msg[0] || reply[1] !== msg[1])
          throw new Error(`ID not echoed for ${Buffer.from(msg).toString("hex")}`);
        rcodes.add(reply[3]! & 0x0f);
      }
    }
    // the mutations reached every outcome: NOERROR, FORMERR, NXDOMAIN, NOTIMP, REFUSED
    expect([...rcodes].sort()).toEqual(expect.arrayContaining([0, 1, 3, 4, 5]));
  });
});
