// Signed update requests end to end: `beacon token sign-key set --generate --out` and
// `require-signature on` through the CLI, then the agent signing against the real `beacon serve`
// (built dist/), while Basic use of the same token is badauth.

import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startAgent, startEcho, type AgentProcess, type EchoServer } from "./support/agent.js";
import { basic, DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const HOST = `signed.${DEMO_ZONE}`;

describe("the agent signing its updates to beacon serve", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let agent: AgentProcess;
  let echo: EchoServer;
  let token: string;

  const published = async () =>
    (
      JSON.parse((await runCli(dir.path, ["history", HOST, "--json"])).stdout) as {
        outcome: string;
        newValues?: string[];
      }[]
    ).some((e) => e.outcome === "good" && e.newValues?.includes("81.2.69.77"));

  beforeAll(async () => {
    token = (await seedHosts(dir.path, [HOST])).get(HOST) ?? "";
    const id = token.split(".")[0] ?? "";
    const keyFile = join(dir.path, "signing.pem");
    const set = await runCli(dir.path, [
      "token",
      "sign-key",
      "set",
      id,
      "--generate",
      "--out",
      keyFile,
      "--json",
    ]);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ id, alg: "ed25519", out: keyFile });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect((await runCli(dir.path, ["token", "require-signature", id, "on"])).code).toBe(0);
    beacon = await startBeacon({ dataDir: dir.path });
    echo = await startEcho("81.2.69.77");
    const config = join(dir.path, "agent.yaml");
    writeFileSync(
      config,
      [
        "interval: 1s",
        "verify_every: 0",
        `state_file: ${join(dir.path, "agent-state.json")}`,
        'status: { listen: "127.0.0.1:0" }',
        "sources:",
        `  echo: { type: http, url: "${echo.url}" }`,
        "targets:",
        `  server: { type: beacon, url: "${beacon.url}", token: "${id}", signing_key_file: "${keyFile}" }`,
        "records:",
        `  - { name: ${HOST}, type: A, target: server, sources: [echo] }`,
        "",
      ].join("\n"),
    );
    agent = await startAgent(config);
  });

  afterAll(async () => {
    await agent?.stop();
    await beacon?.stop("SIGKILL");
    await echo?.close();
    dir.remove();
  });

  it("publishes through signed requests only", async () => {
    expect(await eventually(published, 15_000)).toBe(true);
  });

  it("refuses Basic use of the token that requires signatures with badauth", async () => {
    const res = await fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=81.2.69.78`, {
      headers: { authorization: basic(HOST, token), "user-agent": "e2e/1.0" },
    });
    expect([res.status, await res.text()]).toEqual([401, "badauth"]);
  });
});
