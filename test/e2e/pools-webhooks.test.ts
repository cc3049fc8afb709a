// Pool webhooks end to end: the real `beacon serve` probes two real HTTP backends (a failover pool)
// and a webhook added with the real CLI reports each transition to a real local receiver, which
// checks every delivery's signature as docs/webhooks.md shows (HMAC-SHA256 over "<timestamp>.<body>"
// with the webhook's secret). Shown: a dyndns2 update is one host.address_changed; backend A stopping
// is pool.member_down, coming back pool.member_up; then, with the receiver down, A stops again (the
// event waits in the outbox), the server is restarted (SIGTERM by PID, started again on the same data
// dir) and the receiver comes back: the waiting member_down arrives, once, after the others, in order.
// The pool's answer is an ordinary record set, so each move is also a host.address_changed of its name.
// The receiver answers 401 to a delivery whose signature fails (as the docs' receiver does).

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verify } from "../../src/services/notify/testing.js";
import { closeNow, startBackends, type Backend } from "./support/backends.js";
import { basic, DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";
import { answerBecomes, putPool } from "./support/pools.js";

const SECRET = "e2e-pool-webhook-secret-0123456789";
const WWW = `www.${DEMO_ZONE}`;
const HOST = `wh.${DEMO_ZONE}`;
const A = "127.0.0.31";
const B = "127.0.0.32";
/** Deadline for an event or an answer: generous for a loaded machine (never an assertion on time). */
const WAIT_MS = 60_000;
const ENV = { BEACON_UPDATES_ALLOW_NON_GLOBAL: "true" };

const available = peerAvailable("dig", "bind9-dnsutils");

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly event: Record<string, unknown>;
  /** Whether the signature checked out (docs/webhooks.md's receiver), with the webhook's secret. */
  readonly signed: boolean;
}

/** A webhook receiver on one loopback port that can go down (connections refused) and come back. */
function receiver(): {
  deliveries: Delivery[];
  url: () => string;
  up(): Promise<void>;
  down(): Promise<void>;
} {
  const deliveries: Delivery[] = [];
  let server: Server | undefined;
  let port = 0;
  return {
    deliveries,
    url: () => `http://127.0.0.1:${port}/hook`,
    up: () =>
      new Promise<void>((resolve, reject) => {
        const s = createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on("data", (c: Buffer) => chunks.push(c));
          req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const signed = verify(SECRET, req.headers, body);
            const event = JSON.parse(body) as Record<string, unknown>;
            deliveries.push({ headers: req.headers, body, event, signed });
            res.writeHead(signed ? 204 : 401).end();
          });
        });
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => {
          server = s;
          port = (s.address() as AddressInfo).port;
          resolve();
        });
      }),
    down: () => {
      const s = server;
      server = undefined;
      return closeNow(s);
    },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > WAIT_MS) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - start;
}

describe.skipIf(!available)("pool webhooks", () => {
  const dir = tempDir();
  const hook = receiver();
  let beacon: Beacon;
  let tokens: Map<string, string>;
  let backends: Backend[] = [];

  /** The pool's events received so far (each pool change is also a host.address_changed of its name). */
  const poolEvents = () =>
    hook.deliveries.map((d) => d.event).filter((e) => String(e.event).startsWith("pool."));
  const addressChanges = (host: string) =>
    hook.deliveries.map((d) => d.event).filter((e) => e.event === "host.address_changed" && e.host === host);
  /** Whether the transition log has A up (a first probe's success included). */
  const aIsUp = async () => {
    const h = await runCli(dir.path, ["pool", "history", WWW, "--json"]);
    if (h.code !== 0) return false;
    const newest = (JSON.parse(h.stdout) as { member: string; to: string }[]).find((t) => t.member === "a");
    return newest?.to === "up";
  };
  const queued = async () => {
    const text = await (await fetch(`${beacon.url}/metrics`)).text();
    return Number(/^beacon_webhook_queue (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
  };

  beforeAll(async () => {
    await hook.up();
    tokens = await seedHosts(dir.path, [HOST]);
    const secretFile = join(dir.path, "webhook-secret");
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    const add = await runCli(dir.path, [
      "webhook",
      "add",
      "e2e",
      "--url",
      hook.url(),
      "--secret-file",
      secretFile,
    ]);
    expect(add.stderr).toBe("");
    expect(add.code).toBe(0);
    const started = await startBackends([A, B]);
    backends = started.backends;
    await putPool(dir.path, "www.json", {
      name: WWW,
      type: "A",
      steering: "failover",
      check: {
        type: "http",
        port: started.port,
        path: "/health",
        intervalMs: 1_000,
        timeoutMs: 500,
        rise: 2,
        fall: 2,
      },
      members: [
        { id: "a", address: A, priority: 1 },
        { id: "b", address: B, priority: 2 },
      ],
    });
    beacon = await startBeacon({ dataDir: dir.path, env: ENV });
  }, 60_000);

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    await hook.down();
    await Promise.all(backends.map((b) => b.stop()));
    dir.remove();
  });

  it("a dyndns2 update is one signed host.address_changed", async () => {
    const r = await fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=81.2.69.10`, {
      headers: { authorization: basic(HOST, tokens.get(HOST)!), "user-agent": "e2e-pool-webhooks/1.0" },
    });
    expect(await r.text()).toBe("good 81.2.69.10");
    await until("host.address_changed", () => hook.deliveries.length >= 1);
    expect(hook.deliveries[0]!.signed).toBe(true);
    expect(hook.deliveries[0]!.event).toMatchObject({
      event: "host.address_changed",
      host: HOST,
      type: "A",
      new: ["81.2.69.10"],
    });
  });

  it("backend A stopping is a signed pool.member_down, its return a pool.member_up", async () => {
    await until("A up", aIsUp);
    await answerBecomes(beacon.dnsPort, WWW, [A], WAIT_MS);
    const a = backends[0]!;
    await a.stop();
    const down = await until("pool.member_down", () => poolEvents().length >= 1);
    console.log(`webhook: member_down received ${down} ms after A stopped`);
    await a.start();
    const up = await until("pool.member_up", () => poolEvents().length >= 2);
    console.log(`webhook: member_up received ${up} ms after A answered again`);
    const [d, u] = poolEvents();
    expect(d).toMatchObject({ event: "pool.member_down", pool: WWW, member: "a", from: "up", to: "down" });
    expect(d!.reason).toMatch(/^(refused|reset|timeout)$/);
    expect(d!.published).toEqual([B]);
    expect(u).toMatchObject({ event: "pool.member_up", pool: WWW, member: "a", from: "down", to: "up" });
    expect(u!.published).toEqual([A]);
    expect(hook.deliveries.filter((x) => !x.signed)).toEqual([]);
  });

  it(
    "a member_down queued while the receiver is down survives a server restart and arrives once, in order",
    async () => {
      await until("an empty outbox", async () => (await queued()) === 0);
      await hook.down();
      const a = backends[0]!;
      await a.stop();
      await answerBecomes(beacon.dnsPort, WWW, [B], WAIT_MS);
      // the member_down and the address change of the pool's name wait in the outbox
      await until("two events in the outbox", async () => (await queued()) >= 2);

      expect(await beacon.stop("SIGTERM")).toBe(0);
      beacon = await startBeacon({ dataDir: dir.path, env: ENV });
      expect(await queued()).toBeGreaterThanOrEqual(2);
      await hook.up();
      const late = await until("the queued member_down", () => poolEvents().length >= 3);
      console.log(`webhook: the queued member_down arrived ${late} ms after the receiver came back`);
      await until("an empty outbox", async () => (await queued()) === 0);
      await new Promise((r) => setTimeout(r, 2_000)); // a few more passes of the delivery worker

      expect(poolEvents().map((e) => [e.event, e.from, e.to])).toEqual([
        ["pool.member_down", "up", "down"],
        ["pool.member_up", "down", "up"],
        ["pool.member_down", "up", "down"],
      ]);
      expect(poolEvents()[2]).toMatchObject({ pool: WWW, member: "a", published: [B] });
      const ats = poolEvents().map((e) => Date.parse(String(e.at)));
      expect([...ats].sort((x, y) => x - y)).toEqual(ats);
      // the pool's answer is an ordinary record set: each move is also an address change of its name
      expect(addressChanges(WWW).map((e) => e.new)).toEqual([[B], [A], [B]]);
      expect(addressChanges(HOST)).toHaveLength(1);
      const ids = hook.deliveries.map((d) => d.headers["x-beacon-delivery"]);
      expect(new Set(ids).size).toBe(ids.length);
      for (const d of hook.deliveries) {
        expect(d.signed).toBe(true);
        // the check is not a rubber stamp: another secret, or one changed byte of the body, fails it
        expect(verify("not-the-secret-at-all-0123", d.headers, d.body)).toBe(false);
        expect(verify(SECRET, d.headers, d.body.replace("}", " }"))).toBe(false);
        expect(d.event.delivery).toBe(d.headers["x-beacon-delivery"]);
        expect(d.headers["x-beacon-event"]).toBe(d.event.event);
      }
    },
    4 * WAIT_MS,
  );
});
