// Fuzzing the running program's DNS transports: tens of thousands of random and mutated datagrams
// (queries, UPDATE, NOTIFY, transfer requests) over UDP, framed garbage and raw garbage streams over
// TCP. Between batches the server must still answer a valid query over UDP and TCP, and at the end its
// log holds no error line (a handler exception would be logged at error level). Seeded; bounded by
// counts, never by a measured duration. The in-process million-packet run is src/dns/engine.fuzz.test.ts.

import { createSocket } from "node:dgram";
import { connect } from "node:net";
import dnsPacket from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeUpdate } from "../../src/dns/wire/update.js";
import { DEMO_ZONE, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const HOST = `home.${DEMO_ZONE}`;

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

const query = (name: string, type: dnsPacket.RecordType | "ANY", id: number, opcode?: "NOTIFY"): Buffer =>
  dnsPacket.encode({
    type: "query",
    id,
    flags: 0,
    ...(opcode === undefined ? {} : { opcode }),
    questions: [{ type: type as dnsPacket.RecordType, name }],
    ...(id % 2 === 0
      ? { additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232 } as dnsPacket.Answer] }
      : {}),
  });

const CORPUS: readonly Uint8Array[] = [
  query(HOST, "A", 1),
  query(HOST.toUpperCase(), "AAAA", 2),
  query(DEMO_ZONE, "SOA", 3),
  query(DEMO_ZONE, "NS", 4),
  query(`nope.${DEMO_ZONE}`, "TXT", 5),
  query(DEMO_ZONE, "ANY", 6),
  query("example.org", "A", 7),
  query(DEMO_ZONE, "AXFR", 8),
  query(DEMO_ZONE, "IXFR", 9),
  query(DEMO_ZONE, "SOA", 10, "NOTIFY"),
  encodeUpdate({
    id: 11,
    zone: DEMO_ZONE,
    prerequisites: [{ kind: "name-in-use", name: HOST }],
    updates: [{ kind: "add", name: `_acme-challenge.${DEMO_ZONE}`, type: "TXT", ttl: 60, value: "x" }],
  }),
];

/** A random packet, a mutated corpus message, or a corpus message with random trailing bytes. */
function fuzzPacket(rand: () => number): Uint8Array {
  const kind = rand();
  if (kind < 0.3)
    return Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
  const msg = Uint8Array.from(CORPUS[Math.floor(rand() * CORPUS.length)]!);
  if (kind < 0.8) {
    const flips = 1 + Math.floor(rand() * 4);
    for (let f = 0; f < flips; f++) msg[Math.floor(rand() * msg.length)] = Math.floor(rand() * 256);
    return rand() < 0.3 ? msg.subarray(0, Math.floor(rand() * msg.length)) : msg;
  }
  return Uint8Array.from([
    ...msg,
    ...Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)),
  ]);
}

function frame(msg: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + msg.length);
  out.writeUInt16BE(msg.length, 0);
  out.set(msg, 2);
  return out;
}

const dir = tempDir();
let beacon: Beacon;

beforeAll(async () => {
  await seedHosts(dir.path, [HOST]);
  beacon = await startBeacon({ dataDir: dir.path });
});

afterAll(async () => {
  await beacon?.stop();
  dir.remove();
});

/** A valid A query over UDP (three tries: a datagram may be lost under the flood) → its reply's rcode. */
async function probeUdp(id: number): Promise<number | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const reply = await new Promise<Buffer | undefined>((resolve) => {
      const sock = createSocket("udp4");
      const timer = setTimeout(() => {
        sock.close();
        resolve(undefined);
      }, 1_000);
      sock.on("message", (m) => {
        if (m.readUInt16BE(0) !== id) return;
        clearTimeout(timer);
        sock.close();
        resolve(m);
      });
      sock.send(query(DEMO_ZONE, "SOA", id), beacon.dnsPort, "127.0.0.1");
    });
    if (reply !== undefined) return reply[3]! & 0x0f;
  }
  return undefined;
}

/** A valid query over a fresh TCP connection → its reply's rcode. */
function probeTcp(id: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sock = connect(beacon.dnsPort, "127.0.0.1");
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(undefined);
    }, 5_000);
    sock.on("error", () => undefined);
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(buf.readUInt16BE(2) === id ? buf[5]! & 0x0f : undefined);
      }
    });
    sock.write(frame(query(DEMO_ZONE, "SOA", id)));
  });
}

/** Error-level (50) and fatal (60) lines of the server's JSON log. */
const errorLines = () =>
  beacon
    .stderr()
    .split("\n")
    .filter((l) => /"level":(50|60)/.test(l));

describe("fuzzing the running server's transports (seeded)", () => {
  it("40 000 random and mutated datagrams in 20 batches: it answers valid queries between batches", async () => {
    const rand = mulberry32(0xf00d);
    const senders = Array.from({ length: 4 }, () => createSocket("udp4"));
    let replies = 0;
    for (const s of senders) s.on("message", () => replies++);
    try {
      for (let batch = 0; batch < 20; batch++) {
        for (let i = 0; i < 2_000; i++) {
          senders[i % senders.length]!.send(fuzzPacket(rand), beacon.dnsPort, "127.0.0.1");
          // let the event loop flush sends now and then, so the socket buffers are not just overrun
          if (i % 100 === 99) await new Promise((r) => setImmediate(r));
        }
        expect([batch, await probeUdp(50_000 + batch)]).toEqual([batch, 0]);
        expect([batch, await probeTcp(51_000 + batch)]).toEqual([batch, 0]);
      }
    } finally {
      for (const s of senders) s.close();
    }
    // the flood reached the server: most packets worth a reply got one (the rest are dropped by design)
    expect(replies).toBeGreaterThan(10_000);
    expect(errorLines()).toEqual([]);
    // and the server counted it on /metrics
    const metrics = await (await fetch(`${beacon.url}/metrics`)).text();
    const received = /^beacon_dns_messages_received_total\{transport="udp"\} (\d+)$/m.exec(metrics)?.[1];
    expect(Number(received)).toBeGreaterThan(10_000);
  });

  it("TCP: framed fuzz and raw garbage streams on 24 connections; valid queries still answered", async () => {
    const rand = mulberry32(0xbad7c9);
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 8 }, (_, c) => {
          const framed = (round + c) % 2 === 0;
          const chunks = Array.from({ length: 50 }, () =>
            framed
              ? frame(fuzzPacket(rand))
              : Buffer.from(
                  Array.from({ length: 1 + Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)),
                ),
          );
          return new Promise<void>((resolve) => {
            const sock = connect(beacon.dnsPort, "127.0.0.1");
            const timer = setTimeout(() => sock.destroy(), 2_000);
            sock.on("error", () => undefined);
            sock.on("data", () => undefined);
            sock.on("close", () => {
              clearTimeout(timer);
              resolve();
            });
            sock.on("connect", () => {
              for (const chunk of chunks) sock.write(chunk);
              sock.end();
            });
          });
        }),
      );
      expect([round, await probeTcp(52_000 + round)]).toEqual([round, 0]);
      expect([round, await probeUdp(53_000 + round)]).toEqual([round, 0]);
    }
    expect(errorLines()).toEqual([]);
    expect(beacon.proc.exitCode).toBeNull();
  });
});
