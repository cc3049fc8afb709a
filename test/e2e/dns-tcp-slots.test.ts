// DNS TCP slots under exhaustion, on the real `beacon serve` with its default limits (256 connections,
// 16 per client network, 16 more kept for zone-transfer peers):
// - a full table of idle connections (16 IPv4 /24s × 16, each connection bound to its own 127.0.X.Y
//   loopback address) plus a flood of newcomers does not stop an AXFR from a `dns.transfer.allow` peer;
// - one IPv6 /64 opening 300 connections from 300 addresses holds 16 slots, and another network is
//   still answered. IPv6 loopback is ::1 alone, so this part runs inside a network namespace that
//   routes two prefixes to lo (`ip -6 route add local`) and allows binding them; it needs root and
//   iproute2, skips loudly without them and fails under BEACON_REQUIRE_PEERS=1.

import { execFile, execFileSync } from "node:child_process";
import net from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ZONE, ROOT, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";

const HOST = `www.${DEMO_ZONE}`;
const PEER = "127.0.2.1";
const haveDig = peerAvailable("dig", "bind9-dnsutils");

function query(id: number): Buffer {
  const labels = HOST.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]);
  const msg = Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
  return Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg]);
}

/** A connection from `localAddress` that the server has answered once (so it holds a slot); 5 s bound. */
function held(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    const timer = setTimeout(() => reject(new Error(`no answer for ${localAddress}`)), 5000);
    socket.on("error", () => undefined); // evicted later: ECONNRESET is expected
    socket.on("connect", () => socket.write(query(1)));
    socket.once("data", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("close", () => reject(new Error(`closed before an answer: ${localAddress}`)));
  });
}

function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

describe.skipIf(!haveDig)("DNS TCP slots: a full table still lets a transfer peer in", () => {
  const dir = tempDir();
  let beacon: Beacon;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    await seedHosts(dir.path, [HOST]);
    beacon = await startBeacon({
      dataDir: dir.path,
      env: { BEACON_DNS_TRANSFER_ALLOW: PEER, BEACON_DEMO_ENABLED: "false" },
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await beacon?.stop();
    dir.remove();
  });

  it("256 idle connections from 16 /24s, then 300 from one /24: the AXFR from the allowed peer succeeds", async () => {
    for (let net24 = 10; net24 < 26; net24++)
      for (let host = 1; host <= 16; host++)
        sockets.push(await held(beacon.dnsPort, `127.0.${net24}.${host}`));
    // one more /24 opens 300: its first 16 each close the idlest of a full network; from then on each
    // newcomer closes one of its own, so the /24 never holds more than its share
    const flood = [];
    for (let i = 0; i < 300; i++) flood.push(await held(beacon.dnsPort, `127.0.40.${1 + (i % 250)}`));
    sockets.push(...flood);
    const axfr = await run("dig", [
      "@127.0.0.1",
      "-p",
      String(beacon.dnsPort),
      "-b",
      PEER,
      "+time=5",
      "+tries=1",
      DEMO_ZONE,
      "AXFR",
    ]);
    const records = axfr.split("\n").filter((l) => /\sIN\s/.test(l) && !l.startsWith(";"));
    expect(records.filter((l) => /\sSOA\s/.test(l))).toHaveLength(2); // SOA … SOA: a whole transfer
    expect(axfr).not.toMatch(/Transfer failed|connection refused|communications error/i);
    const metrics = await (await fetch(`${beacon.url}/metrics`)).text();
    expect(metrics).toMatch(/beacon_dns_tcp_closed_total\{reason="network_limit"\} 284\b/);
    expect(metrics).toMatch(/beacon_dns_tcp_closed_total\{reason="global_limit"\} 16\b/);
  });
});

// ---- IPv6: one /64, inside a network namespace ----

const NS = `bcn-tcp-${process.pid}`;
const FLOOD_64 = "fd00:beac:0:1"; // the /64 that opens 300 connections
const OTHER = "fd00:beac:1:1::1"; // another /56

function createNamespace(): boolean {
  if (!peerAvailable("ip", "iproute2")) return false;
  try {
    execFileSync("ip", ["netns", "add", NS], { stdio: "pipe" });
    for (const args of [
      ["link", "set", "lo", "up"],
      ["-6", "route", "add", "local", `${FLOOD_64}::/64`, "dev", "lo"],
      ["-6", "route", "add", "local", "fd00:beac:1:1::/64", "dev", "lo"],
    ])
      execFileSync("ip", ["-n", NS, ...args], { stdio: "pipe" });
    execFileSync("ip", ["netns", "exec", NS, "sysctl", "-qw", "net.ipv6.ip_nonlocal_bind=1"], {
      stdio: "pipe",
    });
    return true;
  } catch (e) {
    try {
      execFileSync("ip", ["netns", "del", NS], { stdio: "pipe" });
    } catch {
      // never created
    }
    const why = `cannot set up a network namespace with IPv6 prefixes (root and CAP_SYS_ADMIN needed): ${String(e)}`;
    if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(why);
    console.warn(`\n!!! SKIPPING the IPv6 /64 TCP slot test: ${why}\n`);
    return false;
  }
}

/** The port of the [::1] DNS listener (startBeacon's own 127.0.0.1 listener comes first). */
function v6Port(b: Beacon): number {
  const line = b
    .stderr()
    .split("\n")
    .find((l) => l.includes('"beacon ready"'));
  const ready = JSON.parse(line ?? "{}") as { dns?: { host: string; port: number }[] };
  const port = ready.dns?.find((d) => d.host === "::1")?.port;
  if (port === undefined) throw new Error(`no [::1] DNS listener in: ${line}`);
  return port;
}

describe("DNS TCP slots: one IPv6 /64 cannot take more than its share", () => {
  const ready = createNamespace();
  const dir = tempDir();
  let beacon: Beacon;

  beforeAll(async () => {
    if (!ready) return;
    await seedHosts(dir.path, [HOST]);
    beacon = await startBeacon({
      dataDir: dir.path,
      wrapper: ["ip", "netns", "exec", NS],
      args: ["--dns-listen", "[::1]:0"],
      env: { BEACON_DEMO_ENABLED: "false" },
    });
  }, 60_000);

  afterAll(async () => {
    await beacon?.stop();
    dir.remove();
    if (ready) execFileSync("ip", ["netns", "del", NS], { stdio: "pipe" });
  });

  it.skipIf(!ready)(
    "300 connections from 300 addresses of one /64: 16 stay open; another network is answered",
    async () => {
      const addresses = Array.from(
        { length: 300 },
        (_, i) => `${FLOOD_64}:${(i + 1).toString(16)}::${i + 7}`,
      );
      const out = await run("ip", [
        "netns",
        "exec",
        NS,
        process.execPath,
        join(ROOT, "test/e2e/support/tcp-clients.mjs"),
        "::1",
        String(v6Port(beacon)),
        HOST,
        ...addresses,
        OTHER,
      ]);
      const { answered, open } = JSON.parse(out) as { answered: boolean[]; open: boolean[] };
      expect(answered.every(Boolean)).toBe(true); // nobody was refused
      expect(open.slice(0, 300).filter(Boolean)).toHaveLength(16); // the /64's share: its 16 newest
      expect(open.slice(284, 300).every(Boolean)).toBe(true);
      expect(open[300]).toBe(true);
    },
  );
});
