// Heartbeats end to end with the REAL agent: two `beacon agent` processes, one per ISP line, each
// keeping its line's host up to date through the server's JSON API and sending heartbeats for it,
// every request leaving from its line's own loopback address (`bind: { address }`), each line's
// address detected from its own echo service. A failover pool over the two hosts with a heartbeat
// check answers line 1 while both agents run, line 2 after line 1's agent is stopped (SIGTERM by
// PID), line 1 again once that agent is started again; the transition log says why line 1 went
// down. Times are printed, never asserted (the deadline is only a timeout).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, startEcho, type AgentProcess, type EchoServer } from "./support/agent.js";
import { DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";
import { answerBecomes, putPool } from "./support/pools.js";

const HOME = `home.${DEMO_ZONE}`;
/** Per line: its host, the address its agent binds to, the address its echo service reports. */
const LINES = [
  { id: "line1", host: `line1.${DEMO_ZONE}`, bind: "127.0.0.2", ip: "127.0.0.21" },
  { id: "line2", host: `line2.${DEMO_ZONE}`, bind: "127.0.0.3", ip: "127.0.0.22" },
] as const;
/** Heartbeats every 5 s (the agent's minimum), so a silent line is down after 7 s + 2 checks. */
const CHECK = { type: "heartbeat", intervalMs: 1_000, timeoutMs: 500, rise: 1, fall: 2, maxAgeMs: 7_000 };
/** Deadline for an answer to move: generous for a loaded machine (the time taken is printed). */
const MOVE_MS = 60_000;

const available = peerAvailable("dig", "bind9-dnsutils");

describe.skipIf(!available)("pools: heartbeats from the real agent", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let echoes: EchoServer[] = [];
  const agents = new Map<string, AgentProcess>();

  /** Writes line `i`'s agent config (once) and starts its agent. */
  async function startLine(i: 0 | 1): Promise<void> {
    const line = LINES[i];
    const config = join(dir.path, `${line.id}.yaml`);
    writeFileSync(
      config,
      [
        "interval: 1s",
        "verify_every: 0",
        `state_file: ${join(dir.path, `${line.id}-state.json`)}`,
        'status: { listen: "127.0.0.1:0" }',
        "sources:",
        `  echo: { type: http, url: "${echoes[i]!.url}", operator: ${line.id}-echo }`,
        "targets:",
        `  server: { type: beacon, url: "${beacon.url}", token_file: "${join(dir.path, `${line.id}.token`)}" }`,
        "records:",
        `  - name: ${line.host}`,
        "    type: A",
        "    target: server",
        "    sources: [echo]",
        "    allow_non_global: true",
        `    bind: { address: ${line.bind} }`,
        "    heartbeat: { interval: 5s }",
        "",
      ].join("\n"),
    );
    agents.set(line.id, await startAgent(config));
  }

  interface Transition {
    readonly member: string;
    readonly from: string;
    readonly to: string;
    readonly reason: string;
  }
  /** `beacon pool history` of the pool, newest first. */
  async function history(): Promise<Transition[]> {
    const h = await runCli(dir.path, ["pool", "history", HOME, "--json"]);
    expect(h.stderr).toBe("");
    expect(h.code).toBe(0);
    return JSON.parse(h.stdout) as Transition[];
  }

  beforeAll(async () => {
    const tokens = await seedHosts(
      dir.path,
      LINES.map((l) => l.host),
    );
    for (const l of LINES)
      writeFileSync(join(dir.path, `${l.id}.token`), `${tokens.get(l.host)}\n`, { mode: 0o600 });
    await putPool(dir.path, "home.json", {
      name: HOME,
      type: "A",
      steering: "failover",
      check: CHECK,
      members: LINES.map((l, i) => ({ id: l.id, host: l.host, priority: i + 1 })),
    });
    beacon = await startBeacon({ dataDir: dir.path, env: { BEACON_UPDATES_ALLOW_NON_GLOBAL: "true" } });
    echoes = await Promise.all(LINES.map((l) => startEcho(`${l.ip}\n`)));
    await startLine(0);
    await startLine(1);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await beacon?.stop("SIGKILL");
    await Promise.all(echoes.map((e) => e.close()));
    dir.remove();
  });

  it(
    "answers line 1 while both agents report, line 2 after line 1's agent stops, line 1 when it is back",
    async () => {
      const both = await answerBecomes(beacon.dnsPort, HOME, ["127.0.0.21"], MOVE_MS);
      console.log(`heartbeat (agents): line 1 answered ${both} ms after both agents were ready`);
      // each line's detection left from its own address (the heartbeats and updates use the same binding)
      expect([...echoes[0]!.remotes]).toEqual(["127.0.0.2"]);
      expect([...echoes[1]!.remotes]).toEqual(["127.0.0.3"]);

      // stop() sends SIGTERM to the agent's PID once; the agent stops cleanly (exit code 0)
      expect(await agents.get("line1")!.stop()).toBe(0);
      const away = await answerBecomes(beacon.dnsPort, HOME, ["127.0.0.22"], MOVE_MS);
      console.log(`heartbeat (agents): line 2 answered ${away} ms after line 1's agent stopped`);

      await startLine(0);
      const back = await answerBecomes(beacon.dnsPort, HOME, ["127.0.0.21"], MOVE_MS);
      console.log(`heartbeat (agents): line 1 answered again ${back} ms after its agent started again`);
    },
    4 * MOVE_MS,
  );

  it("logs line 1 going down with how long ago its last heartbeat came, then back up", async () => {
    // the log is written next to the answer, not before it: read it until line 1's return is in it
    let transitions: Transition[] = [];
    for (let i = 0; i < 50; i++) {
      transitions = await history();
      if (transitions.find((t) => t.member === "line1")?.to === "up") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // line 1 may also go down at start-up ("no heartbeat yet") if its agent is slower than fall × interval
    const lost = transitions.filter((t) => t.member === "line1" && t.from === "up" && t.to === "down");
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatch(/^2 failures: last heartbeat \d+ s ago$/);
    expect(transitions.find((t) => t.member === "line1")).toMatchObject({ from: "down", to: "up" });
    expect(transitions.filter((t) => t.member === "line2" && t.from === "up")).toEqual([]);
  });
});
