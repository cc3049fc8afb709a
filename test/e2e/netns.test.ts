// Interface detection end to end in a network namespace this test creates: the server and the agent
// run inside it, the agent watches a veth interface, and the test changes that interface's address.
// Needs root and iproute2; skips loudly without them, fails under BEACON_REQUIRE_PEERS=1.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startAgent, type AgentProcess } from "./support/agent.js";
import { DEMO_ZONE, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";

const NS = `bcn-e2e-${process.pid}`;
const IN_NS = ["ip", "netns", "exec", NS];
const HOST = `lan.${DEMO_ZONE}`;

function ipIn(...args: string[]): void {
  execFileSync("ip", ["-n", NS, ...args], { stdio: "pipe" });
}

/** Creates the namespace; false (or a throw under BEACON_REQUIRE_PEERS=1) when this machine can't. */
function createNamespace(): boolean {
  if (!peerAvailable("ip", "iproute2") || !peerAvailable("dig", "bind9-dnsutils")) return false;
  try {
    execFileSync("ip", ["netns", "add", NS], { stdio: "pipe" });
    return true;
  } catch (e) {
    const why = `cannot create a network namespace here (root and CAP_SYS_ADMIN needed): ${String(e)}`;
    if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(why);
    console.warn(`\n!!! SKIPPING network-namespace tests: ${why}\n`);
    return false;
  }
}

describe("agent interface detection in a network namespace", () => {
  const dir = tempDir();
  const ready = createNamespace();
  let beacon: Beacon;
  let agent: AgentProcess;

  beforeAll(async () => {
    if (!ready) return;
    ipIn("link", "set", "lo", "up");
    ipIn("link", "add", "wan0", "type", "veth", "peer", "name", "wan1");
    ipIn("link", "set", "wan0", "up");
    ipIn("link", "set", "wan1", "up");
    ipIn("addr", "add", "81.2.69.70/24", "dev", "wan0");
    ipIn("-6", "addr", "add", "2a02:8070:1::10/64", "dev", "wan0", "nodad");
    // A deprecated address (preferred lifetime 0) must never be chosen.
    ipIn("-6", "addr", "add", "2a02:8070:1::20/64", "dev", "wan0", "nodad", "preferred_lft", "0");

    const tokens = await seedHosts(dir.path, [HOST]);
    writeFileSync(join(dir.path, "token"), tokens.get(HOST) ?? "", { mode: 0o600 });
    beacon = await startBeacon({ dataDir: dir.path, wrapper: IN_NS });
    const config = join(dir.path, "agent.yaml");
    writeFileSync(
      config,
      [
        "interval: 1h # only the interface watch can explain a quick update",
        `state_file: ${join(dir.path, "agent-state.json")}`,
        'status: { listen: "127.0.0.1:0" }',
        "sources:",
        "  wan: { type: interface, interface: wan0 }",
        "targets:",
        `  server: { type: beacon, url: "${beacon.url}", token_file: "${join(dir.path, "token")}" }`,
        "records:",
        `  - { name: ${HOST}, type: A, target: server, sources: [wan] }`,
        `  - { name: ${HOST}, type: AAAA, target: server, sources: [wan] }`,
        "",
      ].join("\n"),
    );
    agent = await startAgent(config, IN_NS);
  });

  afterAll(async () => {
    await agent?.stop();
    await beacon?.stop("SIGKILL");
    if (ready) execFileSync("ip", ["netns", "del", NS], { stdio: "pipe" });
    dir.remove();
  });

  const answer = async (type: string) =>
    (await dig(beacon.dnsPort, [HOST, type, "+short"], IN_NS)).raw.trim();

  it("publishes the interface's IPv4 and its stable, preferred IPv6", async () => {
    if (!ready) return;
    expect(await eventually(async () => (await answer("A")) === "81.2.69.70")).toBe(true);
    expect(await eventually(async () => (await answer("AAAA")) === "2a02:8070:1::10")).toBe(true);
  });

  it("follows an interface address change within a couple of seconds, without waiting for the interval", async () => {
    if (!ready) return;
    const started = Date.now();
    ipIn("addr", "del", "81.2.69.70/24", "dev", "wan0");
    ipIn("addr", "add", "81.2.69.71/24", "dev", "wan0");
    expect(await eventually(async () => (await answer("A")) === "81.2.69.71", 10_000)).toBe(true);
    console.info(`interface change → answer in ${Date.now() - started} ms`);
    expect(await answer("AAAA")).toBe("2a02:8070:1::10");
  });
});
