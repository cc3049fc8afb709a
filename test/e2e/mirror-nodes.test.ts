// Mirror delivery by two `beacon serve` nodes on one PostgreSQL (issue 15): one mirror to the
// Cloudflare fake, reached through a proxy that can hold requests unanswered. The node holding the
// mirror's lease is killed with SIGKILL while a delivery of it is held in flight; the other node takes
// the lease over once it expires (60 s: the default lease, twice the 30 s delivery deadline) and
// delivers everything queued. Counted at the fake and in the status: every update delivered, none
// twice, in update order, each host at its last value. Skips loudly without PostgreSQL's binaries;
// fails under BEACON_REQUIRE_PEERS=1.

import { writeFileSync } from "node:fs";
import http from "node:http";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startFakeCloudflare, type FakeCloudflare } from "../../src/providers/testing/fakes/cloudflare.js";
import { startCluster } from "../../src/store/postgres/testing/cluster.js";
import { basic, runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const ZONE = "dyn.beacon.test";
const CF_TOKEN = "e2e-nodes-token_0123456789";
const HOSTS = ["h0", "h1", "h2"].map((h) => `${h}.${ZONE}`);
const WAIT_MS = 100_000;

const cluster = await startCluster();

interface StatusView {
  id: string;
  pending: number;
  delivered: number;
  lastError: { code: string } | null;
  lease: { owner: string; until: string } | null;
}

/** Polls `check` until it returns a value (not undefined) or WAIT_MS passes. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Forwards to `target`; while `hold` is set, keeps each request unanswered (a delivery in flight). */
function startProxy(target: string) {
  const held: http.ServerResponse[] = [];
  const state = { hold: false, held };
  const server = http.createServer((req, res) => {
    if (state.hold) {
      held.push(res);
      return;
    }
    const up = http.request(
      `${target}${req.url ?? "/"}`,
      { method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  return new Promise<{ url: string; state: typeof state; close(): Promise<void> }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        state,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

describe.skipIf(cluster === undefined)("mirror delivery by two nodes on PostgreSQL", () => {
  const dir = tempDir();
  let env: Record<string, string>;
  let fake: FakeCloudflare;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let nodes: Beacon[] = [];

  beforeAll(async () => {
    await cluster!.createDatabase("beacon");
    env = { BEACON_STORE_POSTGRES_URL: cluster!.url("beacon") };
    fake = await startFakeCloudflare({ token: CF_TOKEN, zones: [ZONE] });
    proxy = await startProxy(fake.url);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop("SIGKILL")));
    await proxy?.close();
    await fake?.close();
    dir.remove();
    await cluster?.stop();
  });

  async function cli(args: string[]): Promise<string> {
    const r = await runCli(dir.path, args, env);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  }

  async function status(): Promise<StatusView> {
    const list = JSON.parse(await cli(["mirror", "status", "--json"])) as StatusView[];
    expect(list.map((s) => s.id)).toEqual(["cf"]);
    return list[0] as StatusView;
  }

  /** The A values the vendor accepted for each name, in order. */
  function writesSeen(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const req of fake.requests) {
      if (!["POST", "PATCH", "PUT"].includes(req.method) || !req.path.includes("/dns_records")) continue;
      const body = JSON.parse(req.body) as { name?: string; content?: string; type?: string };
      if (body.content === undefined || (body.type !== undefined && body.type !== "A")) continue;
      const id = /\/dns_records\/([^/]+)$/.exec(req.path)?.[1];
      const name = body.name ?? (id === undefined ? undefined : fake.zones.byId(ZONE, id)?.name);
      if (name !== undefined) out.set(name, [...(out.get(name) ?? []), body.content]);
    }
    return out;
  }

  it("the holder killed mid-delivery: the other node takes over after the lease; every update delivered once", async () => {
    await cli(["migrate"]);
    await cli(["zone", "add", ZONE]);
    const tokens = new Map<string, string>();
    for (const h of HOSTS)
      tokens.set(h, (JSON.parse(await cli(["host", "add", h, "--json"])) as { token: string }).token);
    const secret = join(dir.path, "cf-token");
    writeFileSync(secret, `${CF_TOKEN}\n`);
    await cli([
      "mirror",
      "add",
      "cf",
      "--zone",
      ZONE,
      "--provider",
      "cloudflare",
      "--set",
      `api_token_file=${secret}`,
      "--set",
      `endpoint=${proxy.url}/client/v4`,
    ]);
    const dirs = [tempDir(), tempDir()];
    nodes = await Promise.all(dirs.map((d) => startBeacon({ dataDir: d.path, env })));
    const sent = new Map<string, string[]>();
    let updates = 0;
    const send = async (node: Beacon, host: string, ip: string) => {
      const r = await fetch(`${node.url}/nic/update?hostname=${host}&myip=${ip}`, {
        headers: { authorization: basic(host, tokens.get(host) ?? ""), "user-agent": "e2e-nodes/1.0" },
      });
      expect(await r.text()).toBe(`good ${ip}`);
      sent.set(host, [...(sent.get(host) ?? []), ip]);
      updates += 1;
    };

    // A first update, delivered by whichever node holds the lease; the status names it.
    await send(nodes[0]!, HOSTS[0]!, "81.2.69.1");
    const first = await until("the first delivery", async () => {
      const s = await status();
      return s.pending === 0 && s.lease !== null ? s : undefined;
    });
    const holder = nodes.find((n) => first.lease?.owner.startsWith(`${hostname()}/${n.proc.pid}/`));
    const survivor = nodes.find((n) => n !== holder);
    expect(holder).toBeDefined();

    // The vendor stops answering: the holder's next delivery hangs; then it is killed.
    proxy.state.hold = true;
    for (let i = 0; i < 6; i++) await send(nodes[i % 2]!, HOSTS[i % HOSTS.length]!, `81.2.70.${i + 1}`);
    await until("a delivery in flight", () => (proxy.state.held.length > 0 ? true : undefined));
    expect(await holder!.stop("SIGKILL")).toBe("SIGKILL");
    proxy.state.hold = false;
    for (const res of proxy.state.held.splice(0)) res.destroy();
    expect((await status()).lease?.owner).toBe(first.lease?.owner);

    // More updates to the survivor; it delivers everything once the dead node's lease expired.
    for (let i = 0; i < 6; i++) await send(survivor!, HOSTS[i % HOSTS.length]!, `81.2.71.${i + 1}`);
    const done = await until("every update delivered by the survivor", async () => {
      const s = await status();
      return s.pending === 0 ? s : undefined;
    });
    expect(done.delivered).toBe(updates);
    expect(done.lastError).toBeNull();
    expect(done.lease?.owner.startsWith(`${hostname()}/${survivor!.proc.pid}/`)).toBe(true);

    const seen = writesSeen();
    for (const host of HOSTS) {
      const values = sent.get(host) ?? [];
      expect(fake.zones.find(ZONE, host, "A").map((r) => r.content)).toEqual([values.at(-1)]);
      const order = (seen.get(host) ?? []).map((v) => values.indexOf(v));
      expect(
        order.every((n) => n >= 0),
        `${host}: ${String(seen.get(host))}`,
      ).toBe(true);
      // None twice, none out of order (coalescing may skip values).
      expect([...new Set(order)].sort((x, y) => x - y)).toEqual(order);
    }
    expect(await survivor!.stop("SIGTERM")).toBe(0);
    for (const d of dirs) d.remove();
  }, 180_000);
});
