// The agent against the real `beacon serve`: sources on loopback (one of them lying), the server's
// JSON API as target, and dig to see what DNS answers.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, startEcho, eventually, type AgentProcess, type EchoServer } from "./support/agent.js";
import { DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";

const HOST = `agent.${DEMO_ZONE}`;

describe("beacon agent against beacon serve", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let agent: AgentProcess;
  let echoes: EchoServer[];
  const hasDig = peerAvailable("dig", "bind9-dnsutils");

  const historyCount = async () =>
    (JSON.parse((await runCli(dir.path, ["history", HOST, "--json", "--limit", "1000"])).stdout) as unknown[])
      .length;
  const answerIs = (ip: string) => async () =>
    (await dig(beacon.dnsPort, [HOST, "A", "+short"])).raw.trim() === ip;

  beforeAll(async () => {
    const tokens = await seedHosts(dir.path, [HOST]);
    beacon = await startBeacon({ dataDir: dir.path });
    // Two honest services run by different operators, and a liar that reports a private address.
    echoes = [
      await startEcho("81.2.69.50\n"),
      await startEcho("81.2.69.50"),
      await startEcho("192.168.1.20"),
    ];
    writeFileSync(join(dir.path, "token"), `${tokens.get(HOST)}\n`, { mode: 0o600 });
    const config = join(dir.path, "agent.yaml");
    writeFileSync(
      config,
      [
        "interval: 1s",
        "verify_every: 0",
        `state_file: ${join(dir.path, "agent-state.json")}`,
        'status: { listen: "127.0.0.1:0" }',
        "sources:",
        ...echoes.map((e, i) => `  echo${i}: { type: http, url: "${e.url}", operator: op${i} }`),
        "targets:",
        `  server: { type: beacon, url: "${beacon.url}", token_file: "${join(dir.path, "token")}" }`,
        "records:",
        `  - { name: ${HOST}, type: A, target: server, sources: [echo0, echo1, echo2], quorum: 2 }`,
        "",
      ].join("\n"),
    );
    agent = await startAgent(config);
  });

  afterAll(async () => {
    await agent?.stop();
    await beacon?.stop("SIGKILL");
    await Promise.all((echoes ?? []).map((e) => e.close()));
    dir.remove();
  });

  it("publishes the agreed address and never the liar's", async () => {
    if (!hasDig) return;
    expect(await eventually(answerIs("81.2.69.50"))).toBe(true);
    const health = await fetch(`${agent.statusUrl}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${agent.statusUrl}/metrics`)).text();
    expect(metrics).toContain("beacon_agent_failures_total");
  });

  it("sends no update while the address is unchanged", async () => {
    const before = await historyCount();
    const hits = echoes[0]?.hits() ?? 0;
    // At least two more cycles (interval 1 s): the sources are asked, nothing is sent.
    expect(await eventually(() => (echoes[0]?.hits() ?? 0) >= hits + 2, 10_000)).toBe(true);
    expect(await historyCount()).toBe(before);
  });

  it("follows a change within one cycle", async () => {
    if (!hasDig) return;
    for (const e of echoes.slice(0, 2)) e.answer = "81.2.69.51";
    expect(await eventually(answerIs("81.2.69.51"), 5_000)).toBe(true);
  });

  it("publishes nothing while the honest sources disagree", async () => {
    if (!hasDig) return;
    const [a, b] = echoes;
    if (a === undefined || b === undefined) throw new Error("echo servers missing");
    a.answer = "81.2.69.60";
    b.answer = "81.2.69.61";
    const hits = a.hits();
    expect(await eventually(() => a.hits() >= hits + 2, 10_000)).toBe(true);
    expect(await answerIs("81.2.69.51")()).toBe(true);
    const health = await fetch(`${agent.statusUrl}/healthz`);
    expect(health.status).toBe(503);
  });

  it("beacon ip shows every source's answer and the verdict", async () => {
    const r = await runCli(dir.path, ["ip", "--config", join(dir.path, "agent.yaml"), "--json"]);
    const report = JSON.parse(r.stdout) as {
      status: string;
      candidates: { ip: string }[];
      sources: { id: string; address: string | null; counted: boolean; rejection: string | null }[];
    };
    expect(report.status).toBe("disagreed");
    expect(report.candidates.map((c) => c.ip).sort()).toEqual(["81.2.69.60", "81.2.69.61"]);
    expect(report.sources.find((x) => x.id === "echo2")).toMatchObject({
      address: "192.168.1.20",
      counted: false,
      rejection: "not_global",
    });
    expect(r.code).toBe(1); // still disagreeing
  });
});
