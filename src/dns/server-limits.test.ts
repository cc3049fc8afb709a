// The server's abuse limits on real sockets (127.0.0.1, port 0): per-client TCP connections, total
// connection lifetime, maximum message size, queued replies per connection, UDP rate limiting with
// slip, and the counters they leave in a prom-client registry.

import dgram from "node:dgram";
import net from "node:net";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { silentLog, type Log } from "../services/ports.js";
import { answerQuery } from "./engine.js";
import { createDnsMetrics } from "./metrics.js";
import { createRrl } from "./rrl.js";
import { startDnsServer, type DnsServer, type DnsServerOptions } from "./server.js";
import { buildQuery, decode, SNAPSHOT } from "./testing/fixtures.js";
import { ZoneIndex } from "./zone-index.js";

const index = new ZoneIndex();
index.load(SNAPSHOT);
const errors: object[] = [];
const log: Log = { ...silentLog, error: (obj) => errors.push(obj) };

const servers: DnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  expect(errors).toEqual([]);
});

async function start(opts: Partial<DnsServerOptions> = {}): Promise<DnsServer> {
  const s = await startDnsServer({
    host: "127.0.0.1",
    port: 0,
    handler: (msg, ctx) => answerQuery(msg, index, ctx),
    log,
    ...opts,
  });
  servers.push(s);
  return s;
}

function frame(msg: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + msg.length);
  out.writeUInt16BE(msg.length, 0);
  out.set(msg, 2);
  return out;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

const closed = (s: net.Socket) => new Promise<void>((resolve) => s.once("close", () => resolve()));

/** Collects `count` length-prefixed replies from `s`, or rejects after 5 s. */
function replies(s: net.Socket, count: number): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const out: Uint8Array[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`got ${out.length} of ${count} replies`)), 5000);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length >= count) {
        clearTimeout(timer);
        s.off("data", onData);
        resolve(out);
      }
    };
    s.on("data", onData);
  });
}

function udpBurst(port: number, msgs: readonly Uint8Array[], quietMs = 300): Promise<Uint8Array[]> {
  const socket = dgram.createSocket("udp4");
  const got: Uint8Array[] = [];
  return new Promise<Uint8Array[]>((resolve) => {
    let timer = setTimeout(() => resolve(got), quietMs);
    socket.on("message", (m) => {
      got.push(new Uint8Array(m));
      clearTimeout(timer);
      timer = setTimeout(() => resolve(got), quietMs);
    });
    for (const m of msgs) socket.send(m, port, "127.0.0.1");
  }).finally(() => socket.close());
}

async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const match = (metric?.values ?? []).find((v) =>
    Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val),
  );
  return match?.value ?? 0;
}

describe("TCP limits", () => {
  it("refuses connections beyond the per-client limit and counts them", async () => {
    const registry = new Registry();
    const s = await start({ maxTcpConnectionsPerClient: 2, metrics: createDnsMetrics(registry) });
    const a = await connect(s.port);
    const b = await connect(s.port);
    a.write(frame(buildQuery("www.dyn.example.test")));
    b.write(frame(buildQuery("www.dyn.example.test")));
    await Promise.all([replies(a, 1), replies(b, 1)]);
    const c = await connect(s.port);
    c.on("error", () => undefined);
    await closed(c);
    expect(a.destroyed || b.destroyed).toBe(false);
    expect(await metricValue(registry, "beacon_dns_tcp_refused_total", { reason: "per_client_limit" })).toBe(
      1,
    );
    // a slot frees when a connection ends
    const bClosed = closed(b);
    b.destroy();
    await bClosed;
    let d: net.Socket | undefined;
    for (let i = 0; i < 50 && d === undefined; i++) {
      const attempt = await connect(s.port);
      attempt.write(frame(buildQuery("www.dyn.example.test")));
      const ok = await Promise.race([
        replies(attempt, 1).then(() => true),
        closed(attempt).then(() => false),
      ]);
      if (ok) d = attempt;
    }
    expect(d).toBeDefined();
    a.destroy();
    d?.destroy();
  });

  it("closes a busy connection when its lifetime is over", async () => {
    const registry = new Registry();
    const s = await start({
      tcpLifetimeMs: 300,
      tcpIdleTimeoutMs: 10_000,
      metrics: createDnsMetrics(registry),
    });
    const sock = await connect(s.port);
    const end = closed(sock);
    let answered = 0;
    sock.on("data", () => answered++);
    // keep it busy, well within the idle timeout, until the server ends it (bounded)
    for (let i = 0; i < 100 && !sock.destroyed; i++) {
      sock.write(frame(buildQuery("www.dyn.example.test")));
      await new Promise((r) => setTimeout(r, 50));
    }
    await end;
    expect(answered).toBeGreaterThan(0);
    expect(await metricValue(registry, "beacon_dns_tcp_closed_total", { reason: "lifetime" })).toBe(1);
  });

  it("closes a connection announcing a message above the size limit, before its body arrives", async () => {
    const registry = new Registry();
    const s = await start({ maxMessageBytes: 512, metrics: createDnsMetrics(registry) });
    const sock = await connect(s.port);
    const end = closed(sock);
    const header = Buffer.alloc(2);
    header.writeUInt16BE(600, 0);
    sock.write(header);
    await end;
    expect(await metricValue(registry, "beacon_dns_messages_dropped_total", { transport: "tcp" })).toBe(1);
  });

  it("answers 500 pipelined queries in order with at most 4 replies queued per connection", async () => {
    const s = await start({ maxTcpQueuedReplies: 4 });
    const sock = await connect(s.port);
    const msgs = Array.from({ length: 500 }, (_, i) =>
      frame(buildQuery(i % 2 ? "www.dyn.example.test" : "nope.example.test", { id: i })),
    );
    const got = replies(sock, 500);
    sock.write(Buffer.concat(msgs));
    const out = await got;
    expect(out.map((r) => decode(r).msg.id)).toEqual(msgs.map((_, i) => i));
    sock.destroy();
  });
});

describe("UDP limits", () => {
  it("drops datagrams above the size limit", async () => {
    const registry = new Registry();
    const s = await start({ maxMessageBytes: 100, metrics: createDnsMetrics(registry) });
    const big = new Uint8Array(200);
    big.set(buildQuery("www.dyn.example.test"));
    const got = await udpBurst(s.port, [big, buildQuery("www.dyn.example.test", { id: 7 })]);
    expect(got.map((r) => decode(r).msg.id)).toEqual([7]);
    expect(await metricValue(registry, "beacon_dns_messages_dropped_total", { transport: "udp" })).toBe(1);
  });

  it("rate-limits UDP responses per prefix, slipping truncated replies, while TCP answers everything", async () => {
    const registry = new Registry();
    const s = await start({
      metrics: createDnsMetrics(registry),
      rrl: createRrl({
        responsesPerSecond: 5,
        windowSeconds: 5,
        slip: 2,
        ipv4PrefixLength: 24,
        ipv6PrefixLength: 56,
        tableSize: 100,
        exempt: [],
        now: () => 0, // a frozen clock: no credit is earned back during the test
      }),
    });
    const queries = Array.from({ length: 25 }, (_, i) => buildQuery("www.dyn.example.test", { id: i }));
    const got = (await udpBurst(s.port, queries)).map((r) => decode(r));
    const full = got.filter((r) => !r.tc);
    const slipped = got.filter((r) => r.tc);
    expect(full).toHaveLength(5);
    expect(full.every((r) => r.msg.answers?.length === 1)).toBe(true);
    expect(slipped).toHaveLength(10);
    expect(slipped.every((r) => r.msg.answers?.length === 0 && r.msg.questions?.length === 1)).toBe(true);
    expect(await metricValue(registry, "beacon_dns_rrl_total", { action: "dropped" })).toBe(10);
    expect(await metricValue(registry, "beacon_dns_rrl_total", { action: "slipped" })).toBe(10);

    const sock = await connect(s.port);
    const tcp = replies(sock, 20);
    sock.write(Buffer.concat(queries.slice(0, 20).map(frame)));
    expect((await tcp).every((r) => decode(r).msg.answers?.length === 1)).toBe(true);
    sock.destroy();
    expect(
      await metricValue(registry, "beacon_dns_responses_total", { transport: "tcp", rcode: "NOERROR" }),
    ).toBe(20);
    expect(await metricValue(registry, "beacon_dns_messages_received_total", { transport: "udp" })).toBe(25);
  });
});
