// Webhooks end to end: the real `beacon serve` (built dist/) and the real CLI. A webhook added with
// `beacon webhook add` (another process) gets a signed host.address_changed event for a dyndns2
// update and the test event of `beacon webhook test`; every body passes the docs' signature check,
// and each comes once. (Changes committed by another process: services/notify/follower.test.ts.)

import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startReceiver, verify, type Receiver } from "../../src/services/notify/testing.js";
import { basic, DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const SECRET = "e2e-webhook-secret-0123456789";
const HOST = `wh.${DEMO_ZONE}`;
const WAIT_MS = 60_000;

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("webhooks", () => {
  const dir = tempDir();
  let receiver: Receiver;
  let tokens: Map<string, string>;
  let beacon: Beacon | undefined;

  beforeAll(async () => {
    receiver = await startReceiver((_, res) => res.writeHead(204).end());
    tokens = await seedHosts(dir.path, [HOST]);
  });
  afterAll(async () => {
    await beacon?.stop("SIGTERM");
    await receiver.close();
    dir.remove();
  });

  it("sends signed events for updates and tests, once each", async () => {
    const secretFile = join(dir.path, "webhook-secret");
    writeFileSync(secretFile, `${SECRET}\n`);
    const add = await runCli(dir.path, [
      "webhook",
      "add",
      "e2e",
      "--url",
      receiver.url,
      "--secret-file",
      secretFile,
    ]);
    expect(add.stderr).toBe("");
    expect(add.code).toBe(0);
    beacon = await startBeacon({ dataDir: dir.path });

    const r = await fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=81.2.69.10`, {
      headers: { authorization: basic(HOST, tokens.get(HOST) ?? ""), "user-agent": "e2e-webhooks/1.0" },
    });
    expect(await r.text()).toBe("good 81.2.69.10");
    await until("the update's event", () => receiver.received.length >= 1);

    expect((await runCli(dir.path, ["webhook", "test", "e2e"])).code).toBe(0);
    await until("the test event", () => receiver.received.length >= 2);

    const bodies = receiver.received.map((got) => {
      expect(verify(SECRET, got.headers, got.body)).toBe(true);
      expect(verify("not-the-secret-at-all", got.headers, got.body)).toBe(false);
      return JSON.parse(got.body) as Record<string, unknown>;
    });
    expect(bodies[0]).toMatchObject({
      event: "host.address_changed",
      host: HOST,
      type: "A",
      new: ["81.2.69.10"],
    });
    expect(bodies[1]).toMatchObject({ event: "test", webhook: "e2e" });
    await new Promise((r) => setTimeout(r, 2_000)); // a few passes of the worker and the follower
    expect(receiver.received).toHaveLength(2);
  });
});
