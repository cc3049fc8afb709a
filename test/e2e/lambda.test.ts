// The Lambda function end to end, in process: the real entry (src/lambda/main.ts, configured by its
// environment as on AWS) over DynamoDB (dynalite) and Route 53 (the fake that checks SigV4 and the
// ChangeResourceRecordSets XML), behind the local Function URL shim, driven by real clients: curl,
// ddclient, the Beacon agent (the built dist/) and the AWS sample's client script; the zone, hosts,
// token and sample secret are made with the real `beacon` CLI against the table. Also: Route 53
// failing after the DynamoDB write (911 / 503 dns_pending, the change kept) and the scheduled retry
// delivering it.
// This file's process environment is the function's (vitest runs each file in its own process).

import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LambdaHandler } from "../../src/lambda/handler.js";
import { startLocalShim, type LocalShim } from "../../src/lambda/local-shim.js";
import { r53Error, startFakeRoute53, type FakeRoute53 } from "../../src/providers/testing/fakes/route53.js";
import { openDynamoStore } from "../../src/store/dynamodb/dynamodb-store.js";
import { startDynalite, type Dynalite } from "../../src/store/dynamodb/testing/dynalite.js";
import type { Store } from "../../src/store/ports.js";
import { eventually, startAgent, startEcho, type AgentProcess, type EchoServer } from "./support/agent.js";
import { DYNDNS_SH, bash } from "./support/aws-sample.js";
import { runCliIn, tempDir } from "./support/beacon.js";
import { ddclientConfig, runDdclient } from "./support/clients.js";
import { peerAvailable } from "./support/peers.js";

const run = promisify(execFile);
const ZONE = "dyn.example.com";
const HOST = `home.${ZONE}`;
const SAMPLE_HOST = `router.${ZONE}`;
const SAMPLE_SECRET = "SuP3R_5eCR3T";
const KEY = "AKIABEACONTEST000001";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

describe("the Lambda function over dynalite and the Route 53 fake", () => {
  const dir = tempDir();
  let dynamo: Dynalite;
  let route53: FakeRoute53;
  let zoneId: string;
  let store: Store;
  let handler: LambdaHandler;
  let shim: LocalShim;
  let token: string;
  const stored = async (type = "A") => (await store.getRRSets(HOST)).find((r) => r.type === type)?.values;
  const published = (type = "A") => route53.find(zoneId, HOST, type)[0]?.values;

  beforeAll(async () => {
    dynamo = await startDynalite();
    route53 = await startFakeRoute53({ keys: { [KEY]: { secret: SECRET } } });
    zoneId = route53.addZone(ZONE);
    const table = await dynamo.newTable();
    store = openDynamoStore({ client: dynamo.client, table });
    const tableEnv = {
      BEACON_STORE_DYNAMODB_TABLE: table,
      BEACON_STORE_DYNAMODB_REGION: "us-east-1",
      BEACON_STORE_DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_ACCESS_KEY_ID: KEY,
      AWS_SECRET_ACCESS_KEY: SECRET,
    };
    // What an admin does first, with the real `beacon` against the table: the zone, a host and its
    // token, a host for the AWS sample's client with its shared secret.
    const beacon = async (...args: string[]) => {
      const r = await runCliIn(dir.path, args, tableEnv);
      if (r.code !== 0) throw new Error(`beacon ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    await beacon("zone", "add", ZONE);
    token = (JSON.parse(await beacon("host", "add", HOST, "--json")) as { token: string }).token;
    await beacon("host", "add", SAMPLE_HOST);
    writeFileSync(join(dir.path, "sample-secret"), `${SAMPLE_SECRET}\n`, { mode: 0o600 });
    await beacon(
      "host",
      "sample-secret",
      "set",
      SAMPLE_HOST,
      "--secret-file",
      join(dir.path, "sample-secret"),
    );
    Object.assign(process.env, tableEnv, {
      BEACON_SERVERLESS_ROUTE53_ZONES: `${ZONE}=${zoneId}`,
      BEACON_SERVERLESS_ROUTE53_ENDPOINT: route53.url,
      BEACON_LIMITS_HOST_DYNDNS2: "100/1m",
      BEACON_LIMITS_EXEMPT: "",
      BEACON_LOG_LEVEL: "warn",
      // The AWS sample's protocol writes the address it sees: 127.0.0.1 through the shim.
      BEACON_COMPAT_AWS_SAMPLE: "true",
      BEACON_UPDATES_ALLOW_NON_GLOBAL: "true",
    });
    ({ handler } = await import("../../src/lambda/main.js"));
    shim = await startLocalShim(handler);
  });
  afterAll(async () => {
    await shim?.close();
    await route53?.close();
    await dynamo?.stop();
    dir.remove();
  });

  it("curl (dyndns2): stored in DynamoDB and accepted by Route 53 before the reply", async () => {
    const r = await run("curl", [
      "-sS",
      "-u",
      `${HOST}:${token}`,
      "-A",
      "curl-e2e/1",
      "-H",
      "X-Forwarded-For: 203.0.113.9",
      `${shim.url}/nic/update?hostname=${HOST}&myip=81.2.69.140`,
    ]);
    expect(r.stdout).toBe("good 81.2.69.140");
    expect(await stored()).toEqual(["81.2.69.140"]);
    expect(published()).toEqual(["81.2.69.140"]);
  });

  it("the JSON API sets a TXT record in both", async () => {
    const res = await fetch(`${shim.url}/api/v1/hosts/${HOST}/records/TXT`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "user-agent": "e2e/1",
      },
      body: JSON.stringify({ values: ["v=e2e"] }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await stored("TXT")).toEqual(["v=e2e"]);
    expect(published("TXT")).toEqual(['"v=e2e"']);
  });

  it("Route 53 failing after the write: 911 with 503 and Retry-After, the change kept; the schedule delivers it", async () => {
    route53.failAll(r53Error(500, "InternalFailure", "We encountered an internal error."));
    const res = await fetch(`${shim.url}/nic/update?hostname=${HOST}&myip=81.2.69.141`, {
      headers: { authorization: `Basic ${btoa(`${HOST}:${token}`)}`, "user-agent": "e2e/1" },
    });
    expect([res.status, (await res.text()).trim()]).toEqual([503, "911"]);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await stored()).toEqual(["81.2.69.141"]);
    expect(published()).toEqual(["81.2.69.140"]);
    route53.failAll(undefined);
    // The mirror is parked for its backoff after the failure; the schedule tries until it is due.
    const delivered = await eventually(async () => {
      await handler({ source: "aws.events", "detail-type": "Scheduled Event" });
      return published()?.[0] === "81.2.69.141";
    }, 20_000);
    expect(delivered).toBe(true);
  });

  it("the AWS sample's client (dyndns.sh: POST JSON get, then set with its hash) updates its host", async () => {
    if (!peerAvailable("shasum", "perl")) return;
    const env = { url: `${shim.url}/`, host: SAMPLE_HOST, secret: SAMPLE_SECRET, mode: "set" };
    expect(await bash(DYNDNS_SH, env)).toBe(
      `{"return_status": "success", "return_message": "${SAMPLE_HOST} has been updated to 127.0.0.1"},{"status_code":"201"}`,
    );
    expect(route53.find(zoneId, SAMPLE_HOST, "A")[0]?.values).toEqual(["127.0.0.1"]);
    expect(await bash(DYNDNS_SH, { ...env, secret: "wrong" })).toBe(
      `{"return_status": "fail", "return_message": "Validation hashes do not match."},{"status_code":"401"}`,
    );
  });

  it("ddclient (dyndns2) updates the host through the shim", async () => {
    if (!peerAvailable("ddclient", "ddclient")) return;
    const r = await runDdclient(
      dir.path,
      ddclientConfig(shim.url.slice("http://".length), HOST, token, "81.2.69.142"),
    );
    expect(r.out).toMatch(/SUCCESS:.*home\.dyn\.example\.com/);
    expect(published()).toEqual(["81.2.69.142"]);
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
      const done = await eventually(() => published()?.[0] === "81.2.69.77", 15_000);
      expect(done, agent.output()).toBe(true);
    });
  });
});
