// UDP and TCP transports on 127.0.0.1 port 0, driven by raw sockets and by Node's own resolver.

import dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog, type Log } from "../core/log.js";
import { answerQuery } from "./answer/engine.js";
import { startDnsServer, type DnsServer } from "./server.js";
import { buildQuery, decode, SNAPSHOT } from "./testing/fixtures.js";
import type { DnsHandler } from "./answer/types.js";
import { ZoneIndex } from "./answer/zone-index.js";

const index = new ZoneIndex();
index.load(SNAPSHOT);
const errors: object[] = [];
const log: Log = { ...silentLog, error: (obj) => errors.push(obj) };
const has = (msg: Uint8Array, label: string) => Buffer.from(msg).includes(Buffer.from(label));
/**
 * Queries for boom.example.test make the handler throw, to show the server survives it; "later"
 * answers through a promise (as UPDATE does), "twice" with two messages (as a transfer does),
 * "refuse" with a rejected promise.
 */
const handler: DnsHandler = (msg, ctx) => {
  if (has(msg, "boom")) throw new Error("handler failure");
  const answer = answerQuery(msg, index, ctx);
  if (has(msg, "later")) return new Promise((resolve) => setTimeout(() => resolve(answer), 20));
  if (has(msg, "twice") && answer !== undefined) return [answer, answer];
  if (has(msg, "refuse")) return Promise.reject(new Error("async handler failure"));
  return answer;
};

let server: DnsServer;
beforeAll(async () => {
  server = await startDnsServer({ host: "127.0.0.1", port: 0, handler, log, tcpIdleTimeoutMs: 200 });
});
afterAll(async () => {
  await server.close();
});

function udpQuery(msg: Uint8Array): Promise<Uint8Array> {
  const socket = dgram.createSocket("udp4");
  return new Promise<Uint8Array>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no udp reply")), 5000);
    socket.once("message", (reply) => {
      clearTimeout(timer);
      resolve(new Uint8Array(reply));
    });
    socket.send(msg, server.port, "127.0.0.1");
  }).finally(() => socket.close());
}

function frame(msg: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + msg.length);
  out.writeUInt16BE(msg.length, 0);
  out.set(msg, 2);
  return out;
}

/** Opens a connection, writes `data`, collects `count` replies (or until close). */
function tcpExchange(data: Buffer, count: number): Promise<{ replies: Uint8Array[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1");
    const replies: Uint8Array[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp: got ${replies.length} of ${count} replies`));
    }, 5000);
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ replies, closed });
    };
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length >= count) done(false);
    });
    socket.on("close", () => done(true));
    socket.on("error", () => undefined);
    socket.write(data);
  });
}

describe("startDnsServer", () => {
  it("binds UDP and TCP to the same port on 127.0.0.1", () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
  });

  it("answers over UDP", async () => {
    const r = decode(await udpQuery(buildQuery("www.dyn.example.test", { id: 501 })));
    expect(r.msg.id).toBe(501);
    expect(r.msg.answers).toEqual([expect.objectContaining({ data: "192.0.2.1" })]);
  });

  it("answers two pipelined TCP queries on one connection, in order", async () => {
    const data = Buffer.concat([
      frame(buildQuery("www.dyn.example.test", { id: 1 })),
      frame(buildQuery("big.example.test", { id: 2, type: "TXT" })),
    ]);
    const { replies } = await tcpExchange(data, 2);
    const [first, second] = replies.map(decode);
    expect(first!.msg.id).toBe(1);
    expect(first!.msg.answers).toHaveLength(1);
    expect(second!.msg.id).toBe(2);
    expect(second!.tc).toBe(false);
    expect(second!.msg.answers).toHaveLength(16);
  });

  it("a reply that arrives later (a promise) is sent over UDP", async () => {
    const r = decode(await udpQuery(buildQuery("later.example.test", { id: 77 })));
    expect(r.msg.id).toBe(77);
  });

  it("over TCP a later reply holds the connection: pipelined replies keep their order", async () => {
    const data = Buffer.concat([
      frame(buildQuery("later.example.test", { id: 10 })),
      frame(buildQuery("www.dyn.example.test", { id: 11 })),
    ]);
    const { replies } = await tcpExchange(data, 2);
    expect(replies.map((r) => decode(r).msg.id)).toEqual([10, 11]);
  });

  it("several messages for one request go out as separate TCP frames; UDP sends only the first", async () => {
    const { replies } = await tcpExchange(frame(buildQuery("twice.example.test", { id: 12 })), 2);
    expect(replies.map((r) => decode(r).msg.id)).toEqual([12, 12]);
    expect(decode(await udpQuery(buildQuery("twice.example.test", { id: 13 }))).msg.id).toBe(13);
  });

  it("a rejected reply is logged and dropped; the connection answers its next query", async () => {
    const before = errors.length;
    const data = Buffer.concat([
      frame(buildQuery("refuse.example.test", { id: 14 })),
      frame(buildQuery("www.dyn.example.test", { id: 15 })),
    ]);
    const { replies } = await tcpExchange(data, 1);
    expect(replies.map((r) => decode(r).msg.id)).toEqual([15]);
    expect(errors.length).toBeGreaterThan(before);
  });

  it("a query split across many small TCP writes is reassembled", async () => {
    const bytes = frame(buildQuery("www.dyn.example.test", { id: 9 }));
    const socket = net.connect(server.port, "127.0.0.1");
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no reply")), 5000);
      socket.once("data", (d) => {
        clearTimeout(timer);
        resolve(d);
      });
      socket.setNoDelay(true);
      let i = 0;
      const drip = () => {
        if (i >= bytes.length) return;
        socket.write(bytes.subarray(i, i + 3));
        i += 3;
        setTimeout(drip, 1);
      };
      drip();
    });
    socket.destroy();
    expect(decode(reply.subarray(2)).msg.id).toBe(9);
  });

  it("closes an idle TCP connection", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      socket.on("close", () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.on("error", () => undefined);
    });
    socket.destroy();
    expect(closed).toBe(true);
  });

  it("closes the connection on a frame shorter than a header (length 0 and length 5)", async () => {
    for (const bad of [Buffer.from([0, 0]), Buffer.from([0, 5, 1, 2, 3, 4, 5])]) {
      const query = frame(buildQuery("www.dyn.example.test"));
      const { replies, closed } = await tcpExchange(Buffer.concat([bad, query]), 1);
      expect([bad.toString("hex"), closed, replies.length]).toEqual([bad.toString("hex"), true, 0]);
    }
  });

  it("survives hostile TCP input and still answers on a new connection", async () => {
    // 1) a length prefix of 65535 followed by a few bytes, then close
    const partial = net.connect(server.port, "127.0.0.1");
    partial.on("error", () => undefined);
    await new Promise<void>((resolve) => partial.once("connect", resolve));
    partial.end(Buffer.from([0xff, 0xff, 1, 2, 3]));
    await new Promise<void>((resolve) => partial.once("close", () => resolve()));
    // 2) garbage frames: random bytes framed correctly, and a handler that throws
    const garbage = Buffer.concat([
      // header (QUERY, qdcount 1) then a question name that is a compression pointer, then junk
      frame(
        Uint8Array.from([
          0xab,
          0xcd,
          0,
          0,
          0,
          1,
          0,
          0,
          0,
          0,
          0,
          0,
          0xc0,
          0x0c,
          ...Array.from({ length: 30 }, (_, i) => (i * 37) & 0xff),
        ]),
      ),
      frame(buildQuery("boom.example.test")),
      frame(Uint8Array.from([0, 7, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0])),
      frame(buildQuery("www.dyn.example.test", { id: 3 })),
    ]);
    const { replies } = await tcpExchange(garbage, 2);
    // the garbage frame gets a FORMERR; the throwing and the QR=1 frames get nothing; then the answer
    expect(replies.map((r) => decode(r).rcode)).toEqual([1, 0]);
    expect(decode(replies[1]).msg.id).toBe(3);
    expect(errors.length).toBeGreaterThan(0);
    // 3) a new connection works
    const again = await tcpExchange(frame(buildQuery("www.dyn.example.test", { id: 4 })), 1);
    expect(decode(again.replies[0]).msg.answers).toHaveLength(1);
    expect(decode(await udpQuery(buildQuery("www.dyn.example.test"))).rcode).toBe(0);
  });

  it("Node's resolver resolves A records and sees NXDOMAIN through it", async () => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    expect(await resolver.resolve4("www.dyn.example.test")).toEqual(["192.0.2.1"]);
    expect(await resolver.resolve6("www.dyn.example.test")).toEqual(["2001:db8::1"]);
    await expect(resolver.resolve4("nope.example.test")).rejects.toMatchObject({ code: "ENOTFOUND" });
    // too big for UDP: the resolver retries over TCP after TC
    expect(await resolver.resolveTxt("big.example.test")).toHaveLength(16);
  });
});

describe("connection limits and close", () => {
  it("a connection beyond maxTcpConnections closes the idlest one and is served; close() ends the rest", async () => {
    const small = await startDnsServer({ host: "127.0.0.1", port: 0, handler, log, maxTcpConnections: 1 });
    const open = (): Promise<net.Socket> =>
      new Promise((resolve) => {
        const s = net.connect(small.port, "127.0.0.1", () => resolve(s));
        s.on("error", () => undefined);
      });
    const closedPromise = (s: net.Socket) => new Promise<void>((resolve) => s.once("close", () => resolve()));
    const served = async (s: net.Socket) => {
      s.write(frame(buildQuery("www.dyn.example.test")));
      await new Promise((resolve) => s.once("data", resolve));
    };
    const first = await open();
    const firstClosed = closedPromise(first);
    await served(first);
    const second = await open();
    const secondClosed = closedPromise(second);
    await served(second);
    await firstClosed;
    expect(second.destroyed).toBe(false);
    await small.close();
    await secondClosed;
    expect(second.destroyed).toBe(true);
  });

  it("serves IPv6 on ::1 when available", async () => {
    let v6: DnsServer;
    try {
      v6 = await startDnsServer({ host: "::1", port: 0, handler, log });
    } catch (err) {
      // no IPv6 loopback in this sandbox: nothing to test
      expect((err as NodeJS.ErrnoException).code).toMatch(/EADDRNOTAVAIL|EAFNOSUPPORT/);
      return;
    }
    try {
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([`[::1]:${v6.port}`]);
      expect(await resolver.resolve4("www.dyn.example.test")).toEqual(["192.0.2.1"]);
    } finally {
      await v6.close();
    }
  });
});
