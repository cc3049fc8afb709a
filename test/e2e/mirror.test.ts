// Zone mirroring end to end: the real `beacon serve` mirrors a zone to the Cloudflare fake. While the
// vendor is down, updates keep coming and the server is killed with SIGKILL; after a restart and the
// vendor's recovery every host ends at its last value, each name's writes arrive in update order
// (coalescing may skip values, never reorder them), and nothing is lost.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startFakeCloudflare, type FakeCloudflare } from "../../src/providers/testing/fakes/cloudflare.js";
import { basic, DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const ZONE = DEMO_ZONE;
const CF_TOKEN = "e2e-mirror-token_0123456789";
const HOSTS = ["h0", "h1", "h2", "h3", "h4"].map((h) => `${h}.${ZONE}`);
const WAIT_MS = 60_000;

interface StatusView {
  id: string;
  pending: number;
  delivered: number;
  attempts: number;
  lastError: { code: string; message: string } | null;
  lastSuccessAt: string | null;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("mirroring a zone to a provider", () => {
  const dir = tempDir();
  let fake: FakeCloudflare;
  let tokens: Map<string, string>;
  let beacon: Beacon | undefined;
  /** Indexes into fake.requests that got the outage reply: [from, to). */
  const outages: [number, number][] = [];

  beforeAll(async () => {
    fake = await startFakeCloudflare({ token: CF_TOKEN, zones: [ZONE] });
    tokens = await seedHosts(dir.path, HOSTS);
  });
  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    await fake.close();
    dir.remove();
  });

  async function status(): Promise<StatusView> {
    const r = await runCli(dir.path, ["mirror", "status", "--json"]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as StatusView[];
    expect(list.map((s) => s.id)).toEqual(["cf"]);
    return list[0] as StatusView;
  }

  async function update(host: string, ip: string): Promise<void> {
    if (beacon === undefined) throw new Error("no server");
    const r = await fetch(`${beacon.url}/nic/update?hostname=${host}&myip=${ip}`, {
      headers: { authorization: basic(host, tokens.get(host) ?? ""), "user-agent": "e2e-mirror/1.0" },
    });
    expect(await r.text()).toBe(`good ${ip}`);
  }

  /** The A content the fake holds for `host` (undefined: none). */
  function atVendor(host: string): string | undefined {
    const recs = fake.zones.find(ZONE, host, "A");
    return recs.length === 1 ? recs[0]?.content : recs.length === 0 ? undefined : `${recs.length} records`;
  }

  /** The A values the vendor accepted for each name, in the order it accepted them. */
  function writesSeen(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    fake.requests.forEach((req, i) => {
      if (outages.some(([from, to]) => i >= from && i < to)) return;
      if (!["POST", "PATCH", "PUT"].includes(req.method) || !req.path.includes("/dns_records")) return;
      const body = JSON.parse(req.body) as { name?: string; content?: string; type?: string };
      if (body.content === undefined || (body.type !== undefined && body.type !== "A")) return;
      const id = /\/dns_records\/([^/]+)$/.exec(req.path)?.[1];
      const name = body.name ?? (id === undefined ? undefined : fake.zones.byId(ZONE, id)?.name);
      if (name === undefined) return;
      out.set(name, [...(out.get(name) ?? []), body.content]);
    });
    return out;
  }

  it("delivers updates, survives a vendor outage and a kill -9, and loses or reorders nothing", async () => {
    const secret = join(dir.path, "cf-token");
    writeFileSync(secret, `${CF_TOKEN}\n`);
    const add = await runCli(dir.path, [
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
      `endpoint=${fake.url}/client/v4`,
    ]);
    expect(add.stderr).toBe("");
    expect(add.code).toBe(0);
    // The stored settings keep the file reference, never the secret.
    const list = await runCli(dir.path, ["mirror", "list", "--json"]);
    expect(list.stdout).toContain(secret);
    expect(list.stdout).not.toContain(CF_TOKEN);

    beacon = await startBeacon({ dataDir: dir.path });
    const sent = new Map<string, string[]>();
    const send = async (host: string, ip: string) => {
      await update(host, ip);
      sent.set(host, [...(sent.get(host) ?? []), ip]);
    };

    // Healthy vendor: an update reaches it.
    await send(HOSTS[0] ?? "", "81.2.69.1");
    await until("the first update at the vendor", () =>
      atVendor(HOSTS[0] ?? "") === "81.2.69.1" ? true : undefined,
    );
    expect(fake.requests.every((r) => r.headers["authorization"] === `Bearer ${CF_TOKEN}`)).toBe(true);

    // Vendor down: 25 updates to five hosts, h0 and h1 several times each.
    outages.push([fake.requests.length, Number.POSITIVE_INFINITY]);
    fake.failAll({
      status: 503,
      headers: { "content-type": "text/html" },
      body: "<html>503 Service Unavailable</html>",
    });
    for (let i = 0; i < 25; i++) {
      const h = i % 2 === 0 ? 0 : i % 3 === 0 ? 1 : i % 5;
      await send(HOSTS[h] ?? "", `81.2.${70 + h}.${i + 1}`);
    }
    const failing = await until("the outage in mirror status", async () => {
      const s = await status();
      return s.lastError !== null && s.pending > 0 ? s : undefined;
    });
    expect(failing.lastError?.code).toBe("provider_unavailable");
    expect(failing.lastError?.message).toContain("503");

    // kill -9 in the middle of it, restart on the same data directory.
    expect(await beacon.stop("SIGKILL")).toBe("SIGKILL");
    beacon = await startBeacon({ dataDir: dir.path });
    expect((await status()).pending).toBeGreaterThan(0);
    // More updates after the restart, still during the outage.
    await send(HOSTS[2] ?? "", "81.2.72.100");
    await send(HOSTS[0] ?? "", "81.2.70.100");

    // The vendor recovers.
    const outage = outages[outages.length - 1];
    if (outage !== undefined) outage[1] = fake.requests.length;
    fake.failAll(undefined);

    const done = await until("every change delivered", async () => {
      const s = await status();
      return s.pending === 0 && s.lastError === null ? s : undefined;
    });
    expect(done.attempts).toBe(0);
    expect(done.lastSuccessAt).not.toBeNull();

    const seen = writesSeen();
    for (const host of HOSTS) {
      const values = sent.get(host) ?? [];
      // Every host ends with its last value, as one record.
      expect(atVendor(host), host).toBe(values[values.length - 1]);
      // What the vendor accepted for the name is in update order (a subsequence of what was sent).
      expect(seen.get(host)?.at(-1), host).toBe(values[values.length - 1]);
      const order = (seen.get(host) ?? []).map((v) => values.indexOf(v));
      expect(
        order.every((n) => n >= 0),
        `${host}: ${String(seen.get(host))}`,
      ).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(new Set(order).size).toBe(order.length);
    }
    expect(await beacon.stop("SIGTERM")).toBe(0);
    beacon = undefined;
  }, 120_000);
});
