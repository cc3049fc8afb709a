// The update history cannot be grown without bound by a token holder: 10,000 hostile requests
// against a real SQLite file leave it under a stated size. Hostile inputs: 16 KB user agents, new
// every request (so nothing folds), 20 copies of one hostname per dyndns2 request (its maximum) and
// 100 per request at the update service, addresses alternating every request, refused addresses and
// refused TXT sets of 40 values of 1000 characters, and nochg floods. Requests go in waves of 50 of
// one kind (sharing commits, as concurrent clients do); the size is checked after every wave, so a
// store without the bounds fails at once instead of writing gigabytes. The app is wired with explicit deps
// (testing/fixture.ts): request rate limits, if any, are not in the way.

import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { HISTORY_DEFAULTS } from "../services/history.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/ports.js";
import { basic, CLIENT_V4, createFixture, OTHER_V4, type Fixture } from "./testing/fixture.js";

const REQUESTS = 10_000;
const WAVE = 50;
/** The stated bound: database file plus its WAL (docs/configuration.md, history.max_entries_per_host). */
const MAX_BYTES = 12 * 1024 * 1024;

let dir: string;
let path: string;
let store: Store;
let f: Fixture;
let token: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "beacon-history-growth-"));
  path = join(dir, "beacon.db");
  store = await openSqliteStore({ path });
  f = await createFixture({ store, hosts: ["home.example.com", "office.example.com"] });
  token = await f.token(["home.example.com", "office.example.com"], { types: ["A", "AAAA", "TXT"] });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function bytesOnDisk(): Promise<number> {
  const size = async (p: string) => (await stat(p).catch(() => ({ size: 0 }))).size;
  return (await size(path)) + (await size(`${path}-wal`));
}

/** A 16 KB user agent that differs in every request. */
const agent = (i: number) => `${i}/`.padEnd(16_384, "x");
const FLOOD_AGENT = "flood/".padEnd(16_384, "y");

/** Request `i`; every request of a wave is of the same kind, so a nochg flood is 50 in a row. */
function hostile(i: number): Promise<unknown> {
  const kind = Math.floor(i / WAVE) % 5;
  const dup = (n: number) =>
    Array.from({ length: n }, (_, k) => (k % 2 ? "home.example.com" : "HOME.Example.com.")).join(",");
  if (kind === 0) {
    // Alternating addresses: every request is a change.
    const ip = i % 2 ? CLIENT_V4 : OTHER_V4;
    return f.request(`/nic/update?hostname=${dup(20)}&myip=${ip}`, {
      headers: basic("home.example.com", token, { "user-agent": agent(i) }),
    });
  }
  if (kind === 1) {
    // A nochg flood: the same request again and again.
    return f.request(`/nic/update?hostname=${dup(20)}&myip=${OTHER_V4}`, {
      headers: basic("home.example.com", token, { "user-agent": FLOOD_AGENT }),
    });
  }
  if (kind === 2) {
    // Refused addresses, a different one each time.
    return f.request(`/nic/update?hostname=${dup(20)}&myip=10.0.${(i >> 8) & 255}.${i & 255}`, {
      headers: basic("home.example.com", token, { "user-agent": agent(i) }),
    });
  }
  if (kind === 3) {
    // A refused TXT set far over the limits (40 values of 1000 characters).
    const values = Array.from({ length: 40 }, (_, k) => `${i}.${k}`.padEnd(1000, "v"));
    return f.request("/api/v1/hosts/office.example.com/records/TXT", {
      method: "PUT",
      headers: {
        authorization: `Bearer ${token}`,
        "user-agent": agent(i),
        "content-type": "application/json",
      },
      body: JSON.stringify({ values }),
    });
  }
  // 100 copies of one name at the update service, whatever the protocol.
  return f.updates.update({
    token: undefined,
    hosts: dup(100).split(","),
    sets: { AAAA: { values: [`2a02:8070:a1b2::${(i % 2) + 1}`] } },
    source: { ip: CLIENT_V4, userAgent: agent(i), protocol: "rfc2136", tokenId: `tsig:${"k".repeat(300)}` },
  });
}

it(
  `keeps the SQLite file and WAL under ${MAX_BYTES / 1024 / 1024} MiB after ${REQUESTS} hostile requests`,
  { timeout: 600_000 },
  async () => {
    for (let i = 0; i < REQUESTS; i += WAVE) {
      await Promise.all(Array.from({ length: WAVE }, (_, k) => hostile(i + k)));
      expect(await bytesOnDisk()).toBeLessThan(MAX_BYTES);
    }
    // Each host holds at most its retention; the flood is counted, not stored.
    const home = await store.getHost("home.example.com");
    const entries = await store.listHistory("home.example.com", {
      limit: 10 * HISTORY_DEFAULTS.maxEntriesPerHost,
    });
    expect(entries).toHaveLength(HISTORY_DEFAULTS.maxEntriesPerHost);
    expect(entries.every((e) => e.hostId === home?.id && (e.userAgent?.length ?? 0) <= 256)).toBe(true);
    const flood = entries.find((e) => e.userAgent?.startsWith("flood/") === true && e.outcome === "nochg");
    expect(flood?.count).toBeGreaterThanOrEqual(WAVE - 1);
    const office = await store.listHistory("office.example.com", { limit: 10_000 });
    expect(office.length).toBeLessThanOrEqual(HISTORY_DEFAULTS.maxEntriesPerHost);
    expect(office.every((e) => (e.newValues?.length ?? 0) <= 16)).toBe(true);
  },
);
