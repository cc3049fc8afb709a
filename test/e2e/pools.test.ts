// Health-checked pools end to end: the real `beacon serve` probes real HTTP (and TCP) backends on their own
// loopback addresses and answers `dig` with the members that are up; a real BIND secondary follows
// by NOTIFY/IXFR, and a mirror of the zone (the Cloudflare fake) gets every chosen set. Shown:
// failover when a backend stops and failback after `rise` successes; a flapping backend (every other
// probe fails) never moves the answer; every member down answers all (fail open); an override made
// with the CLI wins; a "weighted" name answers one member per query, both chosen, while the
// secondary holds both; "fastest" keeps its member among near-equal ones and leaves one that was
// slowed; heartbeats from two lines, one of which stops, fail over to the other; transitions and
// roll-ups are in the store; /metrics has every member. Checks run every second (interval 1 s,
// timeout 0.5 s, rise 2, fall 2): how long a move took is printed, never asserted (bench/ measures
// it against the bound).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsPeer } from "../../src/providers/testing/peers/dns-peer.js";
import { startBindSecondary } from "../../src/providers/testing/peers/secondary.js";
import { startFakeCloudflare, type FakeCloudflare } from "../../src/providers/testing/fakes/cloudflare.js";
import { startBackends, type Backend } from "./support/backends.js";
import { answerBecomes, answers, putPool } from "./support/pools.js";
import { basic, DEMO_ZONE, runCli, seedHosts, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";
import { addTransferKey, startPrimaryWithSecondaries } from "./support/secondaries.js";

const ZONE = DEMO_ZONE;
const WWW = `www.${ZONE}`;
const FAST = `fast.${ZONE}`;
const SHARE = `share.${ZONE}`;
const TCP = `tcp.${ZONE}`;
const HOME = `home.${ZONE}`;
const LINE1 = `line1.${ZONE}`;
const LINE2 = `line2.${ZONE}`;
const KEY_NAME = "xfr.beacon.test";
const CF_TOKEN = "e2e-pools-token_0123456789";
const CHECK = { intervalMs: 1_000, timeoutMs: 500, rise: 2, fall: 2 };
/** Deadline for an answer to move: generous for a loaded CI machine (the time taken is printed). */
const MOVE_MS = 20_000;

const available = peerAvailable("dig", "bind9-dnsutils") && peerAvailable("named", "bind9");

describe.skipIf(!available)("health-checked pools", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let bind: DnsPeer;
  let dnsPort: number;
  let tokens: Map<string, string>;
  let backends: Backend[];
  let cloudflare: FakeCloudflare;
  let heartbeats: NodeJS.Timeout | undefined;
  const beating = new Set<string>();

  beforeAll(async () => {
    tokens = await seedHosts(dir.path, [LINE1, LINE2]);
    const key = await addTransferKey(dir.path, KEY_NAME, ZONE);
    // the zone is also mirrored to (a fake of) Cloudflare: the pool's chosen set must reach it
    cloudflare = await startFakeCloudflare({ token: CF_TOKEN, zones: [ZONE] });
    const secret = join(dir.path, "cf-token");
    writeFileSync(secret, `${CF_TOKEN}\n`);
    const mirror = await runCli(dir.path, [
      ...["mirror", "add", "cf", "--zone", ZONE, "--provider", "cloudflare"],
      ...["--set", `api_token_file=${secret}`, "--set", `endpoint=${cloudflare.url}/client/v4`],
    ]);
    expect(mirror.code).toBe(0);
    const started = await startBackends([
      "127.0.0.11",
      "127.0.0.12",
      "127.0.0.13",
      "127.0.0.14",
      "127.0.0.15",
      "127.0.0.16",
    ]);
    backends = started.backends;
    const http = { type: "http", port: started.port, path: "/health", ...CHECK };
    const member = (id: string, address: string, priority = 1) => ({ id, address, priority });
    await putPool(dir.path, "www.json", {
      name: WWW,
      type: "A",
      steering: "failover",
      check: http,
      members: [member("a", "127.0.0.11", 1), member("b", "127.0.0.12", 2)],
    });
    await putPool(dir.path, "fast.json", {
      name: FAST,
      type: "A",
      steering: "fastest",
      check: http,
      members: [member("c", "127.0.0.13"), member("d", "127.0.0.14")],
    });
    await putPool(dir.path, "tcp.json", {
      name: TCP,
      type: "A",
      check: { type: "tcp", port: started.port, ...CHECK },
      members: [member("e", "127.0.0.15", 1), member("f", "127.0.0.16", 2)],
    });
    await putPool(dir.path, "share.json", {
      name: SHARE,
      type: "A",
      steering: "weighted",
      check: http,
      members: [
        { id: "light", address: "127.0.0.13", weight: 1 },
        { id: "heavy", address: "127.0.0.14", weight: 3 },
      ],
    });
    await putPool(dir.path, "home.json", {
      name: HOME,
      type: "A",
      steering: "failover",
      check: { type: "heartbeat", intervalMs: 1_000, timeoutMs: 500, rise: 1, fall: 2, maxAgeMs: 2_000 },
      members: [
        { id: "line1", host: LINE1, priority: 1 },
        { id: "line2", host: LINE2, priority: 2 },
      ],
    });
    ({
      beacon,
      dnsPort,
      peers: [bind],
    } = await startPrimaryWithSecondaries({
      dataDir: dir.path,
      env: {
        BEACON_UPDATES_ALLOW_NON_GLOBAL: "true",
        BEACON_DNS_TRANSFER_ALLOW: "127.0.0.1",
        BEACON_DNS_TRANSFER_KEYS: KEY_NAME,
      },
      secondaries: (port) => Promise.all([startBindSecondary({ zone: ZONE, port, key })] as const),
    }));
  }, 120_000);

  afterAll(async () => {
    if (heartbeats !== undefined) clearInterval(heartbeats);
    await beacon?.stop("SIGKILL");
    await bind?.stop();
    await cloudflare?.close();
    await Promise.all((backends ?? []).map((b) => b.stop()));
    dir.remove();
  });

  it("fails over when the primary backend stops, fails back after it answers again, and the BIND secondary follows", async () => {
    await answerBecomes(dnsPort, WWW, ["127.0.0.11"], MOVE_MS);
    const a = backends[0]!;
    await a.stop();
    const away = await answerBecomes(dnsPort, WWW, ["127.0.0.12"], MOVE_MS);
    const secondary = await answerBecomes(bind.port, WWW, ["127.0.0.12"], MOVE_MS);
    console.log(`failover: Beacon answered the backup ${away} ms after the stop, BIND ${secondary} ms later`);
    await atCloudflare(["127.0.0.12"]);
    await a.start();
    const back = await answerBecomes(dnsPort, WWW, ["127.0.0.11"], MOVE_MS);
    await answerBecomes(bind.port, WWW, ["127.0.0.11"], MOVE_MS);
    await atCloudflare(["127.0.0.11"]);
    console.log(`failback: ${back} ms after the backend answered again`);
    // the Host header is the pool's name (the backend is dialled at its address)
    expect(a.hosts.length).toBeGreaterThan(0);
    expect(a.hosts.filter((h) => h !== WWW && !h.startsWith(`${WWW}:`))).toEqual([]);
  });

  /** Waits until the Cloudflare fake holds exactly `want` as the pool name's A records. */
  async function atCloudflare(want: readonly string[]): Promise<void> {
    const start = Date.now();
    let got: string[] = [];
    while (Date.now() - start < MOVE_MS) {
      got = cloudflare.zones
        .find(ZONE, WWW, "A")
        .map((r) => r.content)
        .sort();
      if (got.join(" ") === want.join(" ")) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Cloudflare holds [${got.join(" ")}] for ${WWW}, not [${want.join(" ")}]`);
  }

  it("reports each member on /metrics and the pool's health to a token that covers its name", async () => {
    const text = await (await fetch(`${beacon.url}/metrics`)).text();
    expect(text).toContain(`beacon_pool_member_up{pool="${WWW}",member="a"} 1`);
    expect(text).toContain(`beacon_pool_all_down{pool="${WWW}"} 0`);
    expect(text).toMatch(
      new RegExp(
        `beacon_health_checks_total\\{pool="${WWW.replace(/\./g, "\\.")}",member="a",result="fail"\\} [1-9]`,
      ),
    );
    const denied = await fetch(`${beacon.url}/api/v1/pools/${WWW}/health`, {
      headers: { authorization: `Bearer ${tokens.get(LINE1)!}` },
    });
    expect(denied.status).toBe(403);
  });

  it("a TCP check: a backend that stops accepting connections is left, and answered again when it is back", async () => {
    await answerBecomes(dnsPort, TCP, ["127.0.0.15"], MOVE_MS);
    const e = backends.find((b) => b.address === "127.0.0.15")!;
    await e.stop();
    const away = await answerBecomes(dnsPort, TCP, ["127.0.0.16"], MOVE_MS);
    await e.start();
    const back = await answerBecomes(dnsPort, TCP, ["127.0.0.15"], MOVE_MS);
    console.log(`tcp: failover ${away} ms after the stop, failback ${back} ms after the start`);
  });

  it("a backend failing every other probe never moves the answer (fall 2 is never reached)", async () => {
    const a = backends[0]!;
    a.flapping = true;
    const seen = new Set<string>();
    const end = Date.now() + 8 * CHECK.intervalMs;
    while (Date.now() < end) {
      seen.add((await answers(dnsPort, WWW)).join(" "));
      await new Promise((r) => setTimeout(r, 100));
    }
    a.flapping = false;
    expect([...seen]).toEqual(["127.0.0.11"]);
    expect(a.hosts.length).toBeGreaterThan(4);
  });

  it("every member down: answers every member (fail open), then the primary again", async () => {
    const [a, b] = backends;
    a!.failing = true;
    b!.failing = true;
    await answerBecomes(dnsPort, WWW, ["127.0.0.11", "127.0.0.12"], MOVE_MS);
    a!.failing = false;
    b!.failing = false;
    await answerBecomes(dnsPort, WWW, ["127.0.0.11"], MOVE_MS);
  });

  it("an administrator's override from the CLI wins over probes, and lifting it restores the answer", async () => {
    const override = (state: string) =>
      runCli(dir.path, ["pool", "override", WWW, "a", state], { BEACON_UPDATES_ALLOW_NON_GLOBAL: "true" });
    expect((await override("maintenance")).code).toBe(0);
    const moved = await answerBecomes(dnsPort, WWW, ["127.0.0.12"], MOVE_MS);
    console.log(`override: the running server followed the CLI's override in ${moved} ms`);
    expect((await override("none")).code).toBe(0);
    await answerBecomes(dnsPort, WWW, ["127.0.0.11"], MOVE_MS);
    const h = await runCli(dir.path, ["pool", "history", WWW, "--json"]);
    const rows = JSON.parse(h.stdout) as { member: string; from: string; to: string }[];
    // (probe transitions are saved up to a flush later, so they may sit between these two)
    const overrides = rows.filter((t) => t.from === "maintenance" || t.to === "maintenance");
    expect(overrides.map((t) => [t.member, t.from, t.to])).toEqual([
      ["a", "maintenance", "none"],
      ["a", "none", "maintenance"],
    ]);
  });

  it("weighted: each answer of Beacon's holds one member, both are chosen; the secondary holds the whole set", async () => {
    await answerBecomes(bind.port, SHARE, ["127.0.0.13", "127.0.0.14"], MOVE_MS);
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const got = await answers(dnsPort, SHARE);
      expect(got).toHaveLength(1);
      seen.set(got[0]!, (seen.get(got[0]!) ?? 0) + 1);
    }
    console.log(`weighted: ${JSON.stringify(Object.fromEntries(seen))} of 60 answers (weights 1 and 3)`);
    expect([...seen.keys()].sort()).toEqual(["127.0.0.13", "127.0.0.14"]);
  });

  it("fastest: keeps its member among near-equal ones, leaves one that was slowed", async () => {
    const first = (await answerBecomesOneOf(dnsPort, FAST, ["127.0.0.13", "127.0.0.14"]))!;
    const seen = new Set<string>();
    const end = Date.now() + 6 * CHECK.intervalMs;
    while (Date.now() < end) {
      seen.add((await answers(dnsPort, FAST)).join(" "));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([...seen]).toEqual([first]);
    const slowed = backends.find((b) => b.address === first)!;
    slowed.delayMs = 80;
    const other = first === "127.0.0.13" ? "127.0.0.14" : "127.0.0.13";
    const moved = await answerBecomes(dnsPort, FAST, [other], MOVE_MS);
    console.log(`fastest: moved off the slowed member ${moved} ms after it slowed down`);
    slowed.delayMs = 0;
  });

  it("heartbeats: while both lines report the first answers; when it stops, the second", async () => {
    for (const [host, ip] of [
      [LINE1, "127.0.0.21"],
      [LINE2, "127.0.0.22"],
    ] as const) {
      const r = await fetch(`${beacon.url}/nic/update?hostname=${host}&myip=${ip}`, {
        headers: { authorization: basic(host, tokens.get(host)!), "user-agent": "e2e-pools/1.0" },
      });
      expect(await r.text()).toBe(`good ${ip}`);
    }
    beating.add(LINE1).add(LINE2);
    const beat = async (host: string): Promise<void> => {
      const r = await fetch(`${beacon.url}/api/v1/heartbeat`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${tokens.get(host)!}`,
          "content-type": "application/json",
          "user-agent": "e2e-pools/1.0",
        },
        body: JSON.stringify({ hostname: host }),
      });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { pools: string[] }).pools).toEqual([HOME]);
    };
    await Promise.all([beat(LINE1), beat(LINE2)]);
    heartbeats = setInterval(() => {
      for (const host of beating) void beat(host).catch(() => undefined);
    }, 400);
    await answerBecomes(dnsPort, HOME, ["127.0.0.21"], MOVE_MS);
    beating.delete(LINE1);
    const moved = await answerBecomes(dnsPort, HOME, ["127.0.0.22"], MOVE_MS);
    console.log(`heartbeat: line 2 answered ${moved} ms after line 1 stopped reporting`);
    beating.add(LINE1);
    await answerBecomes(dnsPort, HOME, ["127.0.0.21"], MOVE_MS);
  });

  it("keeps the transitions with their reasons and the per-minute roll-ups in the store", async () => {
    const h = await runCli(dir.path, ["pool", "history", WWW, "--json"]);
    expect(h.code).toBe(0);
    const transitions = JSON.parse(h.stdout) as {
      member: string;
      from: string;
      to: string;
      reason: string;
    }[];
    const down = transitions.find((t) => t.member === "a" && t.to === "down");
    expect(down?.reason).toMatch(/^2 failures: /);
    expect(transitions.some((t) => t.member === "a" && t.from === "down" && t.to === "up")).toBe(true);
    // the roll-ups of the running minute are written at stop
    await beacon.stop("SIGTERM");
    const r = await runCli(dir.path, ["pool", "rollups", WWW, "--since", "1h", "--json"]);
    expect(r.code).toBe(0);
    const rollups = JSON.parse(r.stdout) as { member: string; ok: number; fail: number; rttSumMs: number }[];
    const a = rollups.filter((x) => x.member === "a");
    expect(a.reduce((n, x) => n + x.fail, 0)).toBeGreaterThan(2);
    expect(a.reduce((n, x) => n + x.ok, 0)).toBeGreaterThan(2);
    expect(a.reduce((n, x) => n + x.rttSumMs, 0)).toBeGreaterThan(0);
  });
});

/** Polls until `name` answers exactly one of `options`; resolves with it. */
async function answerBecomesOneOf(
  port: number,
  name: string,
  options: readonly string[],
): Promise<string | undefined> {
  const start = Date.now();
  while (Date.now() - start < MOVE_MS) {
    const got = await answers(port, name);
    if (got.length === 1 && options.includes(got[0]!)) return got[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} never answered one of ${options.join(", ")}`);
}
