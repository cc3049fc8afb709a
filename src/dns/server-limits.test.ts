// The server's abuse limits on real sockets (127.0.0.1, port 0): TCP connections per client network and
// in all (the idlest closed for a newcomer, reserved slots for transfer peers), total
// connection lifetime, maximum message size, queued replies per connection, UDP rate limiting with
// slip, and the counters they leave in a prom-client registry.

import dgram from "node:dgram";
import net from "node:net";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { silentLog, type Log } from "../core/log.js";
import { answerQuery } from "./answer/engine.js";
import { createNetworkOf } from "./client-network.js";
import { createDnsMetrics } from "./metrics.js";
import { createRrl } from "./rrl.js";
import { startDnsServer, type DnsServer, type DnsServerOptions } from "./server.js";
import { buildQuery, decode, SNAPSHOT } from "./testing/fixtures.js";
import { ZoneIndex } from "./answer/zone-index.js";

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

function connect(port: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1", ...(localAddress && { localAddress }) }, () =>
      resolve(s),
    );
    s.once("error", reject);
  });
}

const closed = (s: net.Socket) => new Promise<void>((resolve) => s.once("close", () => resolve()));

/** Resolves when `s` is closed, or rejects after 5 s (evictions happen at once on the server). */
function closedWithin(s: net.Socket): Promise<void> {
  if (s.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("connection still open after 5 s")), 5000);
    s.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Sends one query on `s` and waits for its answer. */
async function ask(s: net.Socket): Promise<void> {
  const got = replies(s, 1);
  s.write(frame(buildQuery("www.dyn.example.test")));
  expect(decode((await got)[0]).msg.answers).toHaveLength(1);
}

/** A connection from `localAddress` that has been answered once (so the server holds it). */
async function answered(port: number, localAddress: string): Promise<net.Socket> {
  const s = await connect(port, localAddress);
  s.on("error", () => undefined); // an evicted connection may see ECONNRESET
  await ask(s);
  return s;
}

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
  // Client networks on one machine: Linux answers every 127.0.0.0/8 address on loopback, so a
  // connection bound to 127.0.X.Y comes from network 127.0.X.0/24. (IPv6 has only ::1 on loopback;
  // a /64 is tried in test/e2e/dns-tcp-slots.test.ts, inside a network namespace.)
  const byNetwork = createNetworkOf({ ipv4PrefixLength: 24, ipv6PrefixLength: 56 });

  it("300 connections from one /24 hold 16 slots (its idlest closed for each newcomer); other networks get in", async () => {
    const registry = new Registry();
    const s = await start({
      maxTcpConnections: 256,
      maxTcpConnectionsPerClient: 16,
      tcpNetworkOf: byNetwork,
      metrics: createDnsMetrics(registry),
    });
    const flood: net.Socket[] = [];
    for (let i = 0; i < 300; i++) flood.push(await answered(s.port, `127.0.0.${2 + (i % 250)}`));
    await Promise.all(flood.slice(0, 284).map(closedWithin));
    const open = flood.flatMap((c, i) => (c.destroyed ? [] : [i]));
    expect(open).toEqual(Array.from({ length: 16 }, (_, i) => 284 + i));
    expect(await metricValue(registry, "beacon_dns_tcp_closed_total", { reason: "network_limit" })).toBe(284);
    // another network is answered, and closes nothing: the /24 never held more than its share
    const other = await answered(s.port, "127.0.1.2");
    expect(flood.slice(284).every((c) => !c.destroyed)).toBe(true);
    expect(await metricValue(registry, "beacon_dns_tcp_closed_total", { reason: "global_limit" })).toBe(0);
    for (const c of [...flood, other]) c.destroy();
  });

  it("a full table closes the idlest connection of the network holding the most for a newcomer", async () => {
    const registry = new Registry();
    const s = await start({
      maxTcpConnections: 16,
      maxTcpConnectionsPerClient: 8,
      tcpNetworkOf: byNetwork,
      metrics: createDnsMetrics(registry),
    });
    const lone = await answered(s.port, "127.0.20.1"); // the idlest of all, alone in its network
    const big = [];
    for (let i = 1; i <= 8; i++) big.push(await answered(s.port, `127.0.10.${i}`));
    const rest = [];
    for (let i = 1; i <= 7; i++) rest.push(await answered(s.port, `127.0.11.${i}`));
    await ask(big[0]!); // busy again: big[1] is now the idlest of the biggest network
    const newcomer = await answered(s.port, "127.0.12.1");
    await closedWithin(big[1]!);
    expect([lone, big[0], ...big.slice(2), ...rest].every((c) => !c!.destroyed)).toBe(true);
    expect(await metricValue(registry, "beacon_dns_tcp_closed_total", { reason: "global_limit" })).toBe(1);
    for (const c of [lone, ...big, ...rest, newcomer]) c.destroy();
  });

  it("a transfer peer's reserved connection survives 300 newcomers on a full table, idle, and is answered", async () => {
    const registry = new Registry();
    const s = await start({
      maxTcpConnections: 16,
      maxTcpConnectionsPerClient: 16,
      tcpNetworkOf: byNetwork,
      reservedTcpConnections: 2,
      tcpPrivileged: (address) => address === "127.0.30.1",
      metrics: createDnsMetrics(registry),
    });
    const crowd = [];
    for (let i = 1; i <= 16; i++) crowd.push(await answered(s.port, `127.0.10.${i}`));
    const peer = await answered(s.port, "127.0.30.1");
    for (let i = 0; i < 300; i++) crowd.push(await answered(s.port, `127.0.${40 + (i % 200)}.1`));
    expect(peer.destroyed).toBe(false);
    await ask(peer);
    expect(await metricValue(registry, "beacon_dns_tcp_closed_total", { reason: "global_limit" })).toBe(300);
    for (const c of [...crowd, peer]) c.destroy();
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
