// Real clients against the Lambda handler through the local Function URL shim (src/lambda/local-shim.ts):
// ddclient and the Beacon agent (the built dist/) update a host of the handler's store (the memory
// store here; dynalite and the Route 53 fake join once the DynamoDB store and the acknowledged-update
// layer are merged). Each client's address is the shim's socket peer, 127.0.0.1, so non-global
// addresses are allowed and the exemption from limits is off.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalShim, type LocalShim } from "../../src/lambda/local-shim.js";
import { HOST, setup, type Setup } from "../../src/lambda/testing/fixture.js";
import { eventually, startAgent, startEcho, type AgentProcess, type EchoServer } from "./support/agent.js";
import { tempDir } from "./support/beacon.js";
import { ddclientConfig, runDdclient } from "./support/clients.js";
import { peerAvailable } from "./support/peers.js";

describe("the Lambda handler behind the local Function URL shim", () => {
  const dir = tempDir();
  let lambda: Setup;
  let shim: LocalShim;
  let token: string;
  const values = async () => (await lambda.store.getRRSets(HOST)).find((r) => r.type === "A")?.values;

  beforeAll(async () => {
    lambda = await setup({ BEACON_UPDATES_ALLOW_NON_GLOBAL: "true", BEACON_LIMITS_EXEMPT: "" });
    shim = await startLocalShim(lambda.handler);
    token = atob(lambda.basic.slice("Basic ".length)).slice(HOST.length + 1);
  });
  afterAll(async () => {
    await shim?.close();
    dir.remove();
  });

  it("ddclient (dyndns2) updates the host", async () => {
    if (!peerAvailable("ddclient", "ddclient")) return;
    const r = await runDdclient(
      dir.path,
      ddclientConfig(shim.url.slice("http://".length), HOST, token, "81.2.69.142"),
    );
    expect(r.out).toMatch(/SUCCESS:.*home\.dyn\.example\.com/);
    expect(await values()).toEqual(["81.2.69.142"]);
  });

  describe("the Beacon agent", () => {
    let echo: EchoServer;
    let agent: AgentProcess | undefined;
    afterAll(async () => {
      await agent?.stop();
      await echo?.close();
    });

    it("publishes its address through the JSON API", async () => {
      echo = await startEcho("81.2.69.77");
      writeFileSync(join(dir.path, "token"), `${token}\n`, { mode: 0o600 });
      const config = join(dir.path, "agent.yaml");
      writeFileSync(
        config,
        [
          "interval: 1s",
          "verify_every: 0",
          `state_file: ${join(dir.path, "agent-state.json")}`,
          'status: { listen: "127.0.0.1:0" }',
          "sources:",
          `  echo: { type: http, url: "${echo.url}", operator: op }`,
          "targets:",
          `  lambda: { type: beacon, url: "${shim.url}", token_file: "${join(dir.path, "token")}" }`,
          "records:",
          `  - { name: ${HOST}, type: A, target: lambda, sources: [echo], quorum: 1 }`,
          "",
        ].join("\n"),
      );
      agent = await startAgent(config);
      const published = await eventually(async () => (await values())?.[0] === "81.2.69.77", 15_000);
      expect(published, agent.output()).toBe(true);
    });
  });
});
