// A health-checked pool on three `beacon serve` nodes sharing one throwaway PostgreSQL (docs/pools.md
// "Several nodes: the quorum"), real processes on the dist build probing real HTTP backends on
// 127.0.0.41 and .42 (a failover pool: a, priority 1; b, priority 2). Shown:
// - the three nodes answer dig the same; the primary backend stops: all three answer the backup, then
//   the primary again when it is back (each node's time is printed);
// - exactly one node publishes: the pool name's history has one `pool` entry per answer change,
//   never one per node;
// - the quorum, not one vantage point: the primary refusing ONE node's probes (the backend tells the
//   nodes apart by the process owning the probe's socket: support/socket-owner.ts) leaves every
//   node's answer on the primary although that node sees it down (2 of 3 up); that node frozen
//   (SIGSTOP) with its "down" view and a second node refusing: the frozen view goes stale and stops
//   voting, a tie is up, the answer stays; thawed (SIGCONT), its vote counts again: all three move;
// - the lease holder killed (SIGKILL): another node takes the publisher lease (15 s, renewed every
//   5 s) and a failover after that is published by the survivors.
// Checks every 2 s (timeout 1 s, rise 2, fall 2); times are printed, never asserted. Every loop is
// bounded in count and time; every process is stopped by PID; the cluster is removed. Skips loudly
// without PostgreSQL's binaries or dig; fails under BEACON_REQUIRE_PEERS=1.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshForMs, PUBLISHER_LEASE_MS } from "../../src/services/health/publisher.js";
import { startCluster } from "../../src/store/postgres/testing/cluster.js";
import { startBackends, type Backend } from "./support/backends.js";
import { runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";
import { cliJson, digA, sleep } from "./support/pg-nodes.js";

const ZONE = "dyn.beacon.test";
const WWW = `www.${ZONE}`;
const A = "127.0.0.41";
const B = "127.0.0.42";
const CHECK = { intervalMs: 2_000, timeoutMs: 1_000, rise: 2, fall: 2 };
/** Deadline for every node to answer a change (the time taken is printed). */
const MOVE_MS = 40_000;
/** Deadline for another node to take the lease of a dead holder (the lease, plus room). */
const TAKEOVER_MS = PUBLISHER_LEASE_MS + 25_000;
const NAMES = ["node-a", "node-b", "node-c"];

const digOk = peerAvailable("dig", "bind9-dnsutils");
const cluster = digOk ? await startCluster() : undefined;

interface HistoryEntry {
  readonly type: string;
  readonly outcome: string;
  readonly protocol: string;
  readonly newValues?: string[];
}

interface PoolJson {
  readonly members: {
    readonly id: string;
    readonly status: string;
    readonly nodes: { readonly node: string; readonly status: string }[];
  }[];
}

describe.skipIf(cluster === undefined)("a pool on three beacon serve nodes (one PostgreSQL)", () => {
  const dirs = NAMES.map(() => tempDir());
  const admin = dirs[0]!.path;
  const nodes: (Beacon | undefined)[] = NAMES.map(() => undefined);
  const dead = new Set<number>();
  let env: Record<string, string>;
  let backends: Backend[];
  /** Every answer the pool's name should have had, in order (the history must match it). */
  const published: string[] = [];

  const node = (i: number): Beacon => nodes[i]!;
  const alive = (): number[] => NAMES.map((_, i) => i).filter((i) => !dead.has(i));
  const pid = (i: number): number => node(i).proc.pid!;
  const answer = async (i: number): Promise<string> => (await digA(node(i).dnsPort, WWW)).addresses.join(" ");

  /** Polls every live node until each answers `want`; resolves with each node's time (ms) to it. */
  async function allAnswer(want: string): Promise<Map<string, number>> {
    const start = Date.now();
    const took = new Map<string, number>();
    const last = new Map<string, string>();
    while (took.size < alive().length && Date.now() - start < MOVE_MS) {
      for (const i of alive()) {
        if (took.has(NAMES[i]!)) continue;
        const got = await answer(i);
        last.set(NAMES[i]!, got);
        if (got === want) took.set(NAMES[i]!, Date.now() - start);
      }
      await sleep(50);
    }
    expect(Object.fromEntries(last), `every node answers ${want}`).toEqual(
      Object.fromEntries(alive().map((i) => [NAMES[i]!, want])),
    );
    return took;
  }

  /** Waits for every live node to answer `want` (a new published answer), printing each node's time. */
  async function moves(what: string, want: string): Promise<void> {
    const took = await allAnswer(want);
    published.push(want);
    console.log(`${what}: ${[...took].map(([n, ms]) => `${n} ${ms} ms`).join(", ")}`);
  }

  /** Which node holds the publisher lease (its owner is "host/pid/random"), or undefined. */
  async function holder(): Promise<number | undefined> {
    const rows = await cluster!.query<{ lease_owner: string; lease_until: string }>(
      "select lease_owner, lease_until from pool_publisher",
      [],
      "beacon",
    );
    const ownerPid = Number(rows[0]?.lease_owner.split("/")[1]);
    const i = alive().find((n) => pid(n) === ownerPid);
    return i !== undefined && Number(rows[0]!.lease_until) > Date.now() ? i : undefined;
  }

  /** Polls `beacon pool show` until `pred` holds for member a (bounded); resolves with the last view. */
  async function memberA(pred: (m: PoolJson["members"][number]) => boolean) {
    const until = Date.now() + MOVE_MS;
    for (;;) {
      const view = await cliJson<PoolJson>(admin, ["pool", "show", WWW], env);
      const a = view.members.find((m) => m.id === "a")!;
      if (pred(a) || Date.now() > until) return a;
      await sleep(500);
    }
  }

  beforeAll(async () => {
    env = {
      BEACON_STORE_POSTGRES_URL: await cluster!.createDatabase("beacon"),
      BEACON_UPDATES_ALLOW_NON_GLOBAL: "true",
    };
    expect((await runCli(admin, ["migrate"], env)).code).toBe(0);
    expect((await runCli(admin, ["zone", "add", ZONE], env)).code).toBe(0);
    const started = await startBackends([A, B]);
    backends = started.backends;
    const file = join(admin, "www.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: WWW,
        type: "A",
        steering: "failover",
        check: { type: "http", port: started.port, path: "/health", ...CHECK },
        members: [
          { id: "a", address: A, priority: 1 },
          { id: "b", address: B, priority: 2 },
        ],
      }),
    );
    expect((await runCli(admin, ["pool", "put", file], env)).code).toBe(0);
    const up = await Promise.all(
      dirs.map((d, i) =>
        startBeacon({ dataDir: d.path, env: { ...env, BEACON_POOLS_NODE_NAME: NAMES[i]! } }),
      ),
    );
    up.forEach((b, i) => (nodes[i] = b));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map(async (b) => b?.stop("SIGKILL")));
    await Promise.all((backends ?? []).map((b) => b.stop()));
    await cluster?.stop();
    for (const d of dirs) d.remove();
  });

  it("the three nodes answer the same; the primary stops: all three answer the backup, then the primary again", async () => {
    await moves("first answer", A);
    await backends[0]!.stop();
    await moves("primary stopped, answered the backup", B);
    await backends[0]!.start();
    await moves("primary back, answered it", A);
    // every node probed (each saved its own view of each member)
    const a = await memberA((m) => m.nodes.filter((n) => n.status === "up").length === 3);
    expect(a.nodes.map((n) => [n.node, n.status])).toEqual(NAMES.map((n) => [n, "up"]));
  }, 150_000);

  it("one node published each change: the pool name's history has one entry per answer change", async () => {
    const history = await cliJson<HistoryEntry[]>(admin, ["history", WWW, "--limit", "1000"], env);
    const writes = history.filter((e) => e.type === "A" && e.protocol === "pool").reverse();
    expect(writes.map((e) => [e.outcome, (e.newValues ?? []).join(" ")])).toEqual(
      published.map((v) => ["good", v]),
    );
    expect(await holder()).toBeDefined();
  });

  /** Samples every live node's answer every 100 ms until `until` resolves; resolves with what each answered. */
  async function answersDuring(until: Promise<unknown>): Promise<Record<string, string[]>> {
    let done = false;
    const seen = new Map<string, Set<string>>();
    const sampling = (async () => {
      for (let k = 0; !done && k < 2_000; k++) {
        for (const i of alive()) seen.set(NAMES[i]!, (seen.get(NAMES[i]!) ?? new Set()).add(await answer(i)));
        await sleep(100);
      }
    })();
    await until.finally(() => (done = true));
    await sampling;
    return Object.fromEntries([...seen].map(([n, s]) => [n, [...s]]));
  }

  /** Each node's saved view of member a, as `beacon pool show` gives it. */
  const views = (m: PoolJson["members"][number]) =>
    Object.fromEntries(m.nodes.map((n) => [n.node, n.status]));

  it("quorum: the primary refusing one node leaves every answer on it; a frozen node stops voting; two refusing nodes move all three", async () => {
    const [a] = backends;
    const c = 2;
    await allAnswer(A);
    await memberA((m) => m.nodes.every((n) => n.status === "up"));
    a!.refusing.add(pid(c));
    // node c sees the primary down, the other two up: 2 of 3 up is up, on every node
    const oneRefuses = answersDuring(
      (async () => {
        const m = await memberA((m) => views(m)[NAMES[c]!] === "down");
        expect(views(m)).toEqual({ [NAMES[0]!]: "up", [NAMES[1]!]: "up", [NAMES[c]!]: "down" });
        expect(m.status).toBe("up");
        await sleep(3 * CHECK.intervalMs); // and it stays so
      })(),
    );
    expect(await oneRefuses).toEqual(Object.fromEntries(NAMES.map((n) => [n, [A]])));

    // node c frozen (its last view: a down) until its view is stale and a live node holds the lease
    process.kill(pid(c), "SIGSTOP");
    dead.add(c);
    const frozenAt = Date.now();
    await sleep(freshForMs(CHECK.intervalMs) + CHECK.intervalMs);
    while ((await holder()) === undefined && Date.now() - frozenAt < TAKEOVER_MS) await sleep(200);
    const live = await holder();
    expect(live).toBeDefined();
    console.log(
      `node c frozen ${Date.now() - frozenAt} ms: its view is stale, ${NAMES[live!]} holds the lease`,
    );
    // node a refuses too: a down, b up, c not voting (stale) is a tie, and a tie is up
    a!.refusing.add(pid(0));
    const tie = answersDuring(
      (async () => {
        await memberA((m) => views(m)[NAMES[0]!] === "down");
        await sleep(3 * CHECK.intervalMs);
      })(),
    );
    expect(await tie).toEqual({ [NAMES[0]!]: [A], [NAMES[1]!]: [A] });

    // node c thawed: its fresh view (down) votes again, 1 of 3 up is down: all three move
    process.kill(pid(c), "SIGCONT");
    dead.delete(c);
    await moves("node c thawed, two of three refused: answered the backup", B);
    a!.refusing.clear();
    await moves("refusals lifted, answered the primary", A);
  }, 150_000);

  it("the lease holder killed: another node takes the lease, and failover is published by the survivors", async () => {
    const first = await holder();
    expect(first).toBeDefined();
    dead.add(first!);
    const killedAt = Date.now();
    await node(first!).stop("SIGKILL");
    let next: number | undefined;
    while (next === undefined && Date.now() - killedAt < TAKEOVER_MS) {
      next = await holder();
      if (next === undefined) await sleep(200);
    }
    expect(next, "a survivor holds the lease").toBeDefined();
    console.log(
      `${NAMES[first!]} killed: ${NAMES[next!]} took the lease ${Date.now() - killedAt} ms later (lease ${PUBLISHER_LEASE_MS} ms)`,
    );
    await backends[0]!.stop();
    await moves("primary stopped after the kill, the survivors answered the backup", B);
    await backends[0]!.start();
    await moves("primary back, the survivors answered it", A);
    const history = await cliJson<HistoryEntry[]>(admin, ["history", WWW, "--limit", "1000"], env);
    expect(
      history
        .filter((e) => e.type === "A" && e.protocol === "pool")
        .reverse()
        .map((e) => (e.newValues ?? []).join(" ")),
    ).toEqual(published);
  }, 150_000);
});
