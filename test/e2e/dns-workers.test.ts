// `dns.workers`: UDP queries answered by worker processes sharing the socket, against the real built
// server. Answers over UDP (workers) and TCP (main process) are right; an HTTP update is visible over
// UDP right after its reply; an RFC 2136 UPDATE over UDP works through the forward path; a killed
// worker is replaced while the other keeps answering; SIGTERM leaves no worker process behind.

import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";

const ZONE = "dyn.beacon.test";
const HOST = `home.${ZONE}`;
const OTHER = `nas.${ZONE}`;

/** Pids of the workers that reported ready, in order of the log lines. */
function readyPids(stderr: string): number[] {
  return stderr
    .split("\n")
    .filter((l) => l.includes('"dns worker ready"'))
    .map((l) => (JSON.parse(l) as { pid: number }).pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The A address a one-answer UDP reply carries ("" for none), queried from this process without delay. */
function queryA(port: number, name: string): Promise<string> {
  const qname = Buffer.concat([
    ...name.split(".").map((l) => Buffer.from([l.length, ...Buffer.from(l)])),
    Buffer.from([0]),
  ]);
  const id = Math.floor(Math.random() * 65536);
  const msg = Buffer.concat([
    Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    qname,
    Buffer.from([0, 1, 0, 1]),
  ]);
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error("no UDP answer"));
    }, 2000);
    socket.on("message", (r) => {
      clearTimeout(timer);
      socket.close();
      const ancount = r.readUInt16BE(6);
      resolve(ancount === 1 ? [...r.subarray(r.length - 4)].join(".") : "");
    });
    socket.send(msg, port, "127.0.0.1");
  });
}

async function waitFor(cond: () => boolean, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
  return cond();
}

describe("dns.workers=2", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let token = "";
  const hasDig = peerAvailable("dig", "bind9-dnsutils");
  const hasNsupdate = peerAvailable("nsupdate", "bind9-dnsutils");

  beforeAll(async () => {
    token = (await seedHosts(dir.path, [HOST, OTHER])).get(HOST)!;
    const key = await runCli(dir.path, ["key", "add", "w.key", "--subtree", ZONE, "--json"]);
    expect(key.code).toBe(0);
    writeFileSync(join(dir.path, "w.key"), (JSON.parse(key.stdout) as { keyFile: string }).keyFile);
    beacon = await startBeacon({ dataDir: dir.path, env: { BEACON_DNS_WORKERS: "2" } });
  });

  afterAll(async () => {
    const pids = beacon === undefined ? [] : readyPids(beacon.stderr());
    await beacon?.stop("SIGKILL");
    for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
    dir.remove();
  });

  const update = (ip: string) =>
    fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=${ip}`, {
      headers: { authorization: basic(HOST, token), "user-agent": "e2e/1.0" },
    });

  it("starts two workers and answers over UDP (workers) and TCP (main process)", async () => {
    expect(readyPids(beacon.stderr())).toHaveLength(2);
    if (!hasDig) return;
    const udp = await dig(beacon.dnsPort, [ZONE, "SOA"]);
    expect(udp.status).toBe("NOERROR");
    expect(udp.flags).toContain("aa");
    const tcp = await dig(beacon.dnsPort, [ZONE, "SOA", "+tcp"]);
    expect(tcp.status).toBe("NOERROR");
    expect(tcp.answers.join()).toBe(udp.answers.join());
    expect((await dig(beacon.dnsPort, [`nope.${ZONE}`, "A"])).status).toBe("NXDOMAIN");
    expect((await dig(beacon.dnsPort, ["example.org", "A"])).status).toBe("REFUSED");
  });

  it("an HTTP update is visible over UDP as soon as its reply arrives, every time", async () => {
    for (let i = 1; i <= 40; i++) {
      const ip = `81.2.69.${100 + i}`;
      const r = await update(ip);
      expect(await r.text()).toMatch(/^good /);
      // Asked the instant the reply is read, from several sockets so both workers are likely asked.
      const seen = await Promise.all([0, 1, 2, 3].map(() => queryA(beacon.dnsPort, HOST)));
      expect(seen).toEqual([ip, ip, ip, ip]);
    }
  });

  it("an RFC 2136 UPDATE over UDP (nsupdate) goes through the forward path", async () => {
    if (!hasNsupdate || !hasDig) return;
    const script = [
      `server 127.0.0.1 ${beacon.dnsPort}`,
      `zone ${ZONE}`,
      `update add ${OTHER} 60 A 81.2.69.77`,
      "send",
      "",
    ];
    const out = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn("nsupdate", ["-k", join(dir.path, "w.key")], { timeout: 20_000 });
      let text = "";
      child.stdout.on("data", (d: Buffer) => (text += d.toString()));
      child.stderr.on("data", (d: Buffer) => (text += d.toString()));
      child.once("close", (code) => resolve({ code: code ?? -1, out: text }));
      child.stdin.end(script.join("\n"));
    });
    expect(out.out).toBe("");
    expect(out.code).toBe(0);
    for (let j = 0; j < 4; j++)
      expect((await dig(beacon.dnsPort, [OTHER, "A", "+short"])).raw.trim()).toBe("81.2.69.77");
  });

  it("a killed worker is replaced, and queries are answered meanwhile", async () => {
    const [victim, survivor] = readyPids(beacon.stderr());
    expect(victim).toBeDefined();
    process.kill(victim!, "SIGKILL");
    expect(await waitFor(() => !alive(victim!))).toBe(true);
    if (hasDig) {
      for (let j = 0; j < 5; j++) expect((await dig(beacon.dnsPort, [ZONE, "SOA"])).status).toBe("NOERROR");
    }
    expect(await waitFor(() => readyPids(beacon.stderr()).length === 3)).toBe(true);
    const replacement = readyPids(beacon.stderr())[2]!;
    expect([victim, survivor]).not.toContain(replacement);
    expect(alive(replacement)).toBe(true);
    expect(beacon.stderr()).toContain('"dns worker exited; restarting"');
    if (hasDig) {
      // the replacement loaded the current index, including updates made before it started
      const r = await update("81.2.69.250");
      expect(await r.text()).toMatch(/^good /);
      for (let j = 0; j < 6; j++)
        expect((await dig(beacon.dnsPort, [HOST, "A", "+short"])).raw.trim()).toBe("81.2.69.250");
    }
  });

  it("SIGTERM stops the server and every worker", async () => {
    const pids = readyPids(beacon.stderr()).filter(alive);
    expect(pids).toHaveLength(2);
    expect(await beacon.stop("SIGTERM")).toBe(0);
    expect(await waitFor(() => pids.every((p) => !alive(p)), 50)).toBe(true);
  });
});
