// Update limits against the real server and real clients (docs/limits.md), with tiny limits so the
// windows pass in seconds. ddclient and inadyn, limited, must treat the reply as temporary and succeed
// once the window has passed; long windows and abuse flags must outlive a restart; the CLI shows and
// clears a flag. Hostile inputs: updates of one host faster than its limit, one token over its
// budget, a flood of no-change updates.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ddclientConfig, inadynConfig, runDdclient, runInadyn, startInadyn } from "./support/clients.js";
import { runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";

const ZONE = "dyn.beacon.test";
const WINDOW_S = 5;
const LIMITS = {
  // Loopback is exempt by default; here it is the client under test.
  BEACON_LIMITS_EXEMPT: "",
  BEACON_LIMITS_HOST_DYNDNS2: `1/${WINDOW_S}s`,
  BEACON_LIMITS_HOST_API: "",
  BEACON_LIMITS_CREDENTIAL: "4/1h",
  BEACON_LIMITS_NOCHG_FLAG: "2/1h",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Moves one field of ddclient's cache back, as if that much time had passed for ddclient. */
function ageDdclientCache(dir: string, field: "mtime" | "atime", seconds: number): void {
  const file = join(dir, "ddclient.cache");
  const text = readFileSync(file, "utf8").replace(
    new RegExp(`\\b${field}=(\\d+)`),
    (_m, v: string) => `${field}=${Number(v) - seconds}`,
  );
  writeFileSync(file, text);
}

describe("update limits with real clients", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let tokens = new Map<string, string>();
  const host = (h: string) => `${h}.${ZONE}`;

  beforeAll(async () => {
    tokens = await seedHosts(dir.path, ["ddclient", "inadyn", "api", "noisy"].map(host));
    beacon = await startBeacon({ dataDir: dir.path, env: LIMITS });
  });

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  it("ddclient: a limited update is not recorded as done, and is retried once the window passed", async () => {
    if (!peerAvailable("ddclient", "ddclient")) return;
    const name = host("ddclient");
    const conf = (ip: string) =>
      ddclientConfig(`127.0.0.1:${beacon.httpPort}`, name, tokens.get(name) ?? "", ip);
    const cache = () => readFileSync(join(dir.path, "ddclient.cache"), "utf8");
    expect((await runDdclient(dir.path, conf("81.2.69.10"))).out).toMatch(/SUCCESS:.*good/);
    // ddclient waits 30 s between updates on its own; its cache is aged so it sends at once.
    ageDdclientCache(dir.path, "mtime", 60);
    const limited = await runDdclient(dir.path, conf("81.2.69.11"));
    expect(limited.out).toMatch(/RECEIVE: +HTTP\/1\.1 503/);
    expect(limited.out).not.toMatch(/SUCCESS/);
    // Not done: the old address stays in its cache, and the status asks for a retry.
    expect(cache()).toMatch(/ip=81\.2\.69\.10,.*status=noconnect/);
    await sleep(WINDOW_S * 1000);
    // After a failure ddclient retries after its min-error-interval (5 minutes): aged, it retries now.
    ageDdclientCache(dir.path, "atime", 600);
    const retried = await runDdclient(dir.path, conf("81.2.69.11"));
    expect(retried.out).toMatch(/SUCCESS:.*good: IP address set to 81\.2\.69\.11/);
  }, 60_000);

  it("inadyn: a limited update is a temporary error; the running client retries and succeeds", async () => {
    if (!peerAvailable("inadyn", "inadyn")) return;
    const name = host("inadyn");
    const conf = (ip: string) =>
      inadynConfig(`127.0.0.1:${beacon.httpPort}`, name, tokens.get(name) ?? "", ip);
    expect((await runInadyn(dir.path, conf("81.2.69.20"))).out).toMatch(/good 81\.2\.69\.20/);
    const running = startInadyn(dir.path, conf("81.2.69.21"));
    try {
      await running.waitFor(/Will retry again in \d+ sec/);
      expect(running.output()).toMatch(/Temporary error in DDNS server response/);
      expect(running.output()).not.toMatch(/Fatal error|exiting/i);
      await sleep(WINDOW_S * 1000);
      // inadyn would retry on its own in 10 minutes; SIGUSR2 ("check now") asks it to now.
      running.signal("SIGUSR2");
      await running.waitFor(/good 81\.2\.69\.21/);
    } finally {
      await running.stop();
    }
  }, 60_000);

  it("keeps a token's hourly budget across a restart; flags a no-change flood, shown and cleared by the CLI", async () => {
    const put = (name: string, value: string) =>
      fetch(`${beacon.url}/api/v1/hosts/${name}/records/A`, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${tokens.get(name)}`,
          "content-type": "application/json",
          "user-agent": "e2e/1.0",
        },
        body: JSON.stringify({ values: [value] }),
      });
    const api = host("api");
    for (let i = 0; i < 4; i++) expect((await put(api, `81.2.69.${30 + i}`)).status).toBe(200);
    expect((await put(api, "81.2.69.40")).status).toBe(429);

    const noisy = host("noisy");
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await put(noisy, "81.2.69.50")).status);
    expect(statuses).toEqual([200, 200, 200, 200]);

    expect(await beacon.stop("SIGTERM")).toBe(0);
    beacon = await startBeacon({ dataDir: dir.path, env: LIMITS });
    const again = await put(api, "81.2.69.40");
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(again.headers.get("retry-after"))).toBeLessThanOrEqual(900);

    const list = await runCli(dir.path, ["host", "list"]);
    expect(list.stdout).toMatch(/noisy\.dyn\.beacon\.test\s.*\sabuse\s*$/m);
    expect(list.stdout).toMatch(/api\.dyn\.beacon\.test\s.*\s-\s*$/m);
    const json = JSON.parse((await runCli(dir.path, ["host", "list", "--json"])).stdout) as {
      fqdn: string;
      abuse: { reason: string } | null;
    }[];
    expect(json.find((h) => h.fqdn === noisy)?.abuse?.reason).toBe("no-change updates beyond 2/1h");
    const cleared = await runCli(dir.path, ["host", "clear-flag", noisy]);
    expect([cleared.code, cleared.stdout.trim()]).toEqual([0, `abuse flag of ${noisy} cleared`]);
    expect((await runCli(dir.path, ["host", "list"])).stdout).not.toMatch(/\babuse\b/);
  }, 60_000);
});
