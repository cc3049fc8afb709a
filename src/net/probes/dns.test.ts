import dgram from "node:dgram";
import dnsPacket from "dns-packet";
import { afterAll, describe, expect, it } from "vitest";
import { peerAvailable } from "../../../test/e2e/support/peers.js";
import { startBind } from "../../providers/testing/peers/bind.js";
import { encodeQuery } from "./dns.js";
import { createProber } from "./index.js";
import { check, ipv6Loopback } from "./testing/servers.js";

const POOL = "pool.example.test";
const probe = createProber();
const haveIpv6 = await ipv6Loopback();
const sockets: dgram.Socket[] = [];
afterAll(() => sockets.forEach((s) => s.close()));

/** A UDP responder: `answer` turns each query into the datagrams sent back. */
async function responder(
  answer: (query: Buffer) => Buffer[],
  host = "127.0.0.1",
): Promise<{ port: number; queries: Buffer[] }> {
  const socket = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  sockets.push(socket);
  const queries: Buffer[] = [];
  socket.on("message", (msg, from) => {
    queries.push(msg);
    for (const d of answer(msg)) socket.send(d, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return { port: socket.address().port, queries };
}

/** The header of a reply to `query`: QR set, the given rcode and answer count; `id` overrides the ID. */
function header(query: Buffer, rcode: number, ancount: number, id = query.readUInt16BE(0)): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x8400 | rcode, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(ancount, 6);
  return h;
}

const ask = (port: number, extra: Partial<Parameters<typeof check>[1]> = {}, address = "127.0.0.1") =>
  probe({ address, poolName: POOL, check: check("dns", { port, ...extra }) });

describe("dns probe", () => {
  it("asks the pool's name, type A, RD clear, and is up on NOERROR with an answer", async () => {
    const { port, queries } = await responder((q) => [header(q, 0, 1)]);
    const r = await ask(port);
    expect(r.ok).toBe(true);
    expect(r.rttMs).toBeGreaterThanOrEqual(0);
    const sent = dnsPacket.decode(queries[0]!);
    expect(sent.questions).toEqual([{ name: POOL, type: "A", class: "IN" }]);
    expect(sent.flags ?? 0).toBe(0);
    await ask(port, { query: "other.example.test." });
    expect(dnsPacket.decode(queries[1]!).questions?.[0]?.name).toBe("other.example.test");
  });

  it.skipIf(!haveIpv6)("probes an IPv6 member", async () => {
    const { port } = await responder((q) => [header(q, 0, 2)], "::1");
    expect((await ask(port, {}, "::1")).ok).toBe(true);
  });

  it("names what a reply without an address says", async () => {
    const empty = await responder((q) => [header(q, 0, 0)]);
    const nx = await responder((q) => [header(q, 3, 0)]);
    const fail = await responder((q) => [header(q, 2, 0)]);
    const odd = await responder((q) => [header(q, 13, 0)]);
    expect(await ask(empty.port)).toEqual({ ok: false, reason: "no answer" });
    expect(await ask(nx.port)).toEqual({ ok: false, reason: "rcode NXDOMAIN" });
    expect(await ask(fail.port)).toEqual({ ok: false, reason: "rcode SERVFAIL" });
    expect(await ask(odd.port)).toEqual({ ok: false, reason: "rcode 13" });
  });

  it("ignores garbage, a wrong ID and its own query echoed, and takes the right reply after them", async () => {
    const junk = (q: Buffer) => [
      Buffer.from([1, 2, 3]),
      header(q, 0, 1, q.readUInt16BE(0) ^ 1),
      q,
      Buffer.alloc(600, 0xff),
    ];
    const thenRight = await responder((q) => [...junk(q), header(q, 0, 1)]);
    const only = await responder(junk);
    expect((await ask(thenRight.port)).ok).toBe(true);
    expect(await ask(only.port, { timeoutMs: 300 })).toEqual({ ok: false, reason: "timeout" });
  });

  it("says refused when nothing listens (ICMP port unreachable)", async () => {
    const { port } = await responder(() => []);
    sockets.pop()?.close();
    expect(await ask(port, { timeoutMs: 1_000 })).toEqual({ ok: false, reason: "refused" });
  });

  it("refuses names that cannot be asked", async () => {
    const { port, queries } = await responder((q) => [header(q, 0, 1)]);
    for (const query of ["a..b", ".", "", `${"a".repeat(64)}.test`, Array(130).fill("ab").join(".")])
      expect(await ask(port, { query })).toEqual({ ok: false, reason: "bad query name" });
    expect(queries).toHaveLength(0);
  });
});

describe.skipIf(!peerAvailable("named", "bind9"))("dns probe against BIND", () => {
  it("reads a real server's answers: an address, no address, no name, not its zone", async () => {
    const zone = "probes.example.test";
    const bind = await startBind(zone, []);
    try {
      const ask = (query: string) =>
        probe({ address: "127.0.0.1", poolName: zone, check: check("dns", { port: bind.port, query }) });
      expect((await ask(`ns1.${zone}`)).ok).toBe(true);
      expect(await ask(zone)).toEqual({ ok: false, reason: "no answer" });
      expect(await ask(`missing.${zone}`)).toEqual({ ok: false, reason: "rcode NXDOMAIN" });
      expect(await ask("elsewhere.example.org")).toEqual({ ok: false, reason: "rcode REFUSED" });
    } finally {
      await bind.stop();
    }
  });
});

describe("encodeQuery", () => {
  it("builds a query dns-packet reads back, with the longest names allowed", () => {
    const name = Array(4).fill("a".repeat(61)).join("."); // 4 × 62 + 1 = 249 bytes on the wire
    const wire = encodeQuery(0xbeef, name)!;
    const back = dnsPacket.decode(wire);
    expect(back.id).toBe(0xbeef);
    expect(back.questions).toEqual([{ name, type: "A", class: "IN" }]);
    expect(encodeQuery(1, `${"a".repeat(63)}.b`)).toBeDefined();
  });
});
