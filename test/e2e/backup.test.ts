// `beacon backup` while the real server takes a stream of dyndns2 updates, and `beacon restore` into a
// stopped server's state directory, which then answers DNS (dig) from the restored database.
// Bad inputs: destination exists, destination directory missing, a file that is not a database, a
// truncated copy, a database from a newer Beacon, restore while a server runs.

import { copyFileSync, existsSync, readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

import {
  basic,
  createDatabase,
  DEMO_ZONE,
  runCli,
  seedHosts,
  startBeacon,
  tempDir,
  type Beacon,
} from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";

/** Updated only before the backup: their last address is exactly what the copy must hold. */
const QUIET = [`q0.${DEMO_ZONE}`, `q1.${DEMO_ZONE}`];
/** Updated all along, the backup included. */
const BUSY = [`b0.${DEMO_ZONE}`, `b1.${DEMO_ZONE}`];
/** Bounds of the update stream: count and time. */
const MAX_STREAM = 2000;
const STREAM_MS = 20_000;

interface Acked {
  readonly host: string;
  readonly ip: string;
}

async function update(beacon: Beacon, token: string, host: string, ip: string): Promise<void> {
  const r = await fetch(`${beacon.url}/nic/update?hostname=${host}&myip=${ip}`, {
    headers: { authorization: basic(host, token), "user-agent": "e2e-backup/1.0" },
  });
  expect(await r.text()).toBe(`good ${ip}`);
}

function integrity(path: string): unknown {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.pragma("integrity_check", { simple: true });
  } finally {
    db.close();
  }
}

describe("beacon backup and restore", () => {
  const dir = tempDir("beacon-e2e-backup-");
  afterAll(() => dir.remove());
  const live = join(dir.path, "live");
  const copy = join(dir.path, "copy.db");

  it("backs up while updates stream in, and restores into a stopped server that answers for them", async () => {
    const tokens = await seedHosts(live, [...QUIET, ...BUSY]);
    const token = (h: string) => tokens.get(h) ?? "";
    const beacon = await startBeacon({ dataDir: live });
    const acked: Acked[] = [];
    let stop = false;
    let stream: Promise<void> = Promise.resolve();
    let before: Acked[] = [];
    try {
      for (const [i, host] of QUIET.entries()) {
        await update(beacon, token(host), host, `81.2.9.${i + 1}`);
        acked.push({ host, ip: `81.2.9.${i + 1}` });
      }
      const deadline = Date.now() + STREAM_MS;
      stream = (async () => {
        for (let i = 0; i < MAX_STREAM && !stop && Date.now() < deadline; i++) {
          const host = BUSY[i % BUSY.length] ?? "";
          const ip = `81.3.${Math.floor(i / 250)}.${(i % 250) + 1}`;
          await update(beacon, token(host), host, ip);
          acked.push({ host, ip });
        }
      })();
      while (acked.length < QUIET.length + 10 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      before = [...acked];
      const backup = await runCli(live, ["backup", copy, "--json"]);
      const streamedDuring = acked.length - before.length;
      stop = true;
      await stream;
      expect(backup.stderr).toBe("");
      expect(backup.code).toBe(0);
      const summary = JSON.parse(backup.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({
        path: copy,
        bytes: statSync(copy).size,
        migration: expect.any(String) as unknown,
      });
      expect(streamedDuring).toBeGreaterThan(0);

      // Restoring under the running server is refused, and changes nothing.
      const files = readdirSync(live).sort();
      const refused = await runCli(live, ["restore", copy]);
      expect([refused.code, refused.stderr]).toEqual([
        4,
        expect.stringContaining("[store_in_use]") as unknown,
      ]);
      expect(readdirSync(live).sort()).toEqual(files);
    } finally {
      stop = true;
      await stream.catch(() => undefined);
      expect(await beacon.stop("SIGTERM")).toBe(0);
    }
    expect(integrity(copy)).toBe("ok");
    expect(statSync(copy).mode & 0o777).toBe(0o600);

    // A stopped server's state directory, with a database of its own (migrate leaves it as serve does).
    const other = join(dir.path, "other");
    await createDatabase(other);
    const restored = await runCli(other, ["restore", copy, "--json"]);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({
      movedAside: expect.stringContaining("before-restore-") as unknown,
    });

    const again = await startBeacon({ dataDir: other });
    try {
      if (peerAvailable("dig", "bind9-dnsutils"))
        for (const [i, host] of QUIET.entries()) {
          const answer = await dig(again.dnsPort, [host, "A"]);
          expect(answer.answers.join("\n")).toContain(`81.2.9.${i + 1}`);
        }
      // Every update acknowledged before the backup began is in the restored history.
      for (const host of BUSY) {
        const r = await fetch(`${again.url}/api/v1/hosts/${host}/history?limit=1000`, {
          headers: { authorization: `Bearer ${token(host)}` },
        });
        const history = JSON.stringify(await r.json());
        for (const { ip } of before.filter((a) => a.host === host)) expect(history).toContain(`"${ip}"`);
      }
    } finally {
      expect(await again.stop("SIGTERM")).toBe(0);
    }
  }, 120_000);

  it("refuses bad destinations and bad backups with their codes", async () => {
    const bad = join(dir.path, "bad");
    const cases: [string, string[], number, string][] = [
      ["destination exists", ["backup", copy], 4, "backup_exists"],
      ["destination directory missing", ["backup", join(dir.path, "no", "x.db")], 3, "backup_dir_not_found"],
      ["no backup file", ["restore", join(dir.path, "none.db")], 3, "backup_not_found"],
    ];
    writeFileSync(`${bad}.txt`, "not a database\n".repeat(100));
    cases.push(["not a database", ["restore", `${bad}.txt`], 1, "backup_not_database"]);
    copyFileSync(copy, `${bad}.cut`);
    truncateSync(`${bad}.cut`, Math.floor(statSync(copy).size / 2));
    cases.push(["a truncated copy", ["restore", `${bad}.cut`], 1, "backup_damaged"]);
    copyFileSync(copy, `${bad}.new`);
    const raw = new BetterSqlite3(`${bad}.new`);
    raw.prepare("insert into kysely_migration values ('9999_from_the_future', '')").run();
    raw.close();
    cases.push(["from a newer Beacon", ["restore", `${bad}.new`], 1, "backup_too_new"]);

    const files = readdirSync(live).sort();
    for (const [what, args, code, error] of cases) {
      const r = await runCli(live, args);
      expect([what, r.code, r.stderr]).toEqual([
        what,
        code,
        expect.stringContaining(`[${error}]`) as unknown,
      ]);
    }
    expect(readdirSync(live).sort()).toEqual(files);
    expect(existsSync(join(dir.path, "no"))).toBe(false);
    expect(integrity(copy)).toBe("ok");
  }, 60_000);
});
