// Hostile input over real sockets: the server answers or drops, never crashes, and keeps serving.

import { createSocket } from "node:dgram";
import { connect } from "node:net";
import dnsPacket from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const ZONE = "dyn.beacon.test";
const HOST = `home.${ZONE}`;

function query(name: string, id = 4242): Buffer {
  return dnsPacket.encode({ type: "query", id, flags: 0, questions: [{ type: "A", name }] });
}

/** Sends one datagram and resolves with the reply, or undefined after `waitMs`. */
function udpAsk(port: number, msg: Uint8Array, waitMs = 500): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, waitMs);
    sock.once("message", (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.send(msg, port, "127.0.0.1");
  });
}

/** Writes raw bytes on a TCP connection and resolves with everything read until the server closes or `waitMs`. */
function tcpRaw(
  port: number,
  bytes: Uint8Array,
  waitMs = 1_000,
): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = connect(port, "127.0.0.1", () => sock.write(bytes));
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), closedByServer: false });
    }, waitMs);
    sock.on("data", (d) => chunks.push(d));
    sock.on("error", () => {});
    sock.on("close", () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closedByServer: true });
    });
  });
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("hostile input against the running server", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let token: string;

  beforeAll(async () => {
    token = (await seedHosts(dir.path, [HOST])).get(HOST) ?? "";
    beacon = await startBeacon({ dataDir: dir.path });
  });

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  const stillAnswers = async () => {
    const reply = await udpAsk(beacon.dnsPort, query(HOST));
    expect(reply).toBeDefined();
    expect(dnsPacket.decode(reply!).id).toBe(4242);
  };

  it("DNS over UDP: truncated, qdcount 0 and 2, compression loop, random bytes", async () => {
    const valid = query(HOST, 7);
    const truncated = valid.subarray(0, 20);
    const qd0 = Buffer.from(valid);
    qd0.writeUInt16BE(0, 4);
    const qd2 = Buffer.from(valid);
    qd2.writeUInt16BE(2, 4);
    // A question name that is a pointer to itself.
    const loop = Buffer.concat([valid.subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);

    for (const [what, msg] of [
      ["truncated", truncated],
      ["qdcount 0", qd0],
      ["qdcount 2", qd2],
      ["pointer loop", loop],
    ] as const) {
      const reply = await udpAsk(beacon.dnsPort, msg);
      expect(reply, what).toBeDefined();
      expect(reply!.readUInt16BE(0), what).toBe(7); // ID echoed
      expect(reply![3]! & 0x0f, `${what} rcode`).toBe(1); // FORMERR
    }
    const random = rng(1);
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(random() * 200);
      const bytes = Buffer.alloc(len);
      for (let j = 0; j < len; j++) bytes[j] = Math.floor(random() * 256);
      const sock = createSocket("udp4");
      await new Promise<void>((r) => sock.send(bytes, beacon.dnsPort, "127.0.0.1", () => r()));
      sock.close();
    }
    await stillAnswers();
  });

  it("DNS over TCP: oversize length prefix, zero length, garbage stream", async () => {
    const oversize = await tcpRaw(beacon.dnsPort, Buffer.from([0xff, 0xff, 1, 2, 3]), 300);
    expect(oversize.data.length).toBe(0);
    const zero = await tcpRaw(beacon.dnsPort, Buffer.from([0, 0, 0, 0]));
    expect(zero.closedByServer).toBe(true);
    const random = rng(2);
    const garbage = Buffer.alloc(64 * 1024);
    for (let j = 0; j < garbage.length; j++) garbage[j] = Math.floor(random() * 256);
    await tcpRaw(beacon.dnsPort, garbage, 500);
    // Two framed queries on one connection are both answered, in order.
    const a = query(HOST, 1);
    const b = query(HOST, 2);
    const framed = Buffer.concat([Buffer.from([0, a.length]), a, Buffer.from([0, b.length]), b]);
    const both = await tcpRaw(beacon.dnsPort, framed, 500);
    const first = both.data.readUInt16BE(0);
    expect(both.data.readUInt16BE(2)).toBe(1);
    expect(both.data.readUInt16BE(2 + first + 2)).toBe(2);
    await stillAnswers();
  });

  it("HTTP: oversized URL, non-UTF-8 and a flood of bad updates never produce a 500", async () => {
    const headers = { authorization: basic(HOST, token), "user-agent": "e2e/1.0" };
    const huge = await fetch(`${beacon.url}/nic/update?hostname=${"a".repeat(20_000)}`, { headers });
    expect(huge.status).toBe(431); // Node's header limit answers before Beacon sees it
    const badUtf8 = await fetch(`${beacon.url}/nic/update?hostname=%FF%FE&myip=1.2.3.4`, { headers });
    expect(badUtf8.status).toBeLessThan(500);
    expect(await badUtf8.text()).toBe("notfqdn");
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=${i % 2 === 0 ? "999.1.1.1" : "::ffff:zz"}`, {
          headers,
        }).then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s < 500)).toBe(true);
    const health = await fetch(`${beacon.url}/healthz`);
    expect(health.status).toBe(200);
    await stillAnswers();
  });
});
