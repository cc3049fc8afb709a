// Faults an operator meets with the database, against the real program: a second server on the same
// data, the database file or its WAL deleted under a running server, a 0-byte or read-only database
// at start, and a large store changed by an admin command under a tight heap. Hostile inputs: rm of
// beacon.db and of beacon.db-wal while updates flow, kill -9 after that, `touch beacon.db`, mode 0444
// for an unprivileged server (setpriv), chattr +i, a second `beacon serve`, and 40,000 hosts under
// --max-old-space-size=104 (measured: the whole-store reload this replaces died there; the start
// itself needs about 90 MiB).

import { execFileSync, spawn } from "node:child_process";
import { chmodSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Resolver } from "node:dns/promises";
import { join } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

import { faultAvailable, NOBODY, probeSetpriv } from "../../src/store/sqlite/testing/faults.js";
import {
  basic,
  createDatabase,
  DEMO_ZONE,
  MAIN,
  runCli,
  seedHosts,
  startBeacon,
  tempDir,
  type Beacon,
} from "./support/beacon.js";

const HOST = `home.${DEMO_ZONE}`;

/** `beacon serve` that is expected to refuse: resolves with its exit code and stderr. */
function serveRefused(
  dataDir: string,
  wrapper: readonly string[] = [],
): Promise<{ code: number | string; stderr: string }> {
  const [cmd, ...pre] = [...wrapper, process.execPath];
  const args = [
    ...pre,
    MAIN,
    "--data-dir",
    dataDir,
    "serve",
    "--http-listen",
    "127.0.0.1:0",
    "--dns-listen",
    "127.0.0.1:0",
  ];
  const proc = spawn(cmd, args, {
    env: { ...process.env, BEACON_CONFIG: "" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, stderr });
    }),
  );
}

const update = (beacon: Beacon, token: string, ip: string) =>
  fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=${ip}`, {
    headers: { authorization: basic(HOST, token), "user-agent": "e2e/1.0" },
  }).then((r) => r.text());

/** The restore the refusal describes: the lost file's -wal and -shm go, the rescued copy goes in place. */
function restoreRescued(dir: string): void {
  rmSync(join(dir, "beacon.db-wal"), { force: true });
  rmSync(join(dir, "beacon.db-shm"), { force: true });
  const [rescued] = readdirSync(dir).filter((n) => n.startsWith("beacon.db.rescued-"));
  renameSync(join(dir, rescued!), join(dir, "beacon.db"));
}

const shownA = async (dataDir: string): Promise<string[] | undefined> => {
  const r = await runCli(dataDir, ["host", "show", HOST, "--json"]);
  if (r.code !== 0) throw new Error(`host show failed: ${r.stderr}`);
  const shown = JSON.parse(r.stdout) as { rrsets: { type: string; values: string[] }[] };
  return shown.rrsets.find((s) => s.type === "A")?.values;
};

describe("the database under an operator's faults", () => {
  const dirs: { remove(): void }[] = [];
  const fresh = () => {
    const d = tempDir("beacon-faults-");
    dirs.push(d);
    return d.path;
  };
  afterAll(() => dirs.forEach((d) => d.remove()));

  it("a second server on the same data refuses, naming the first; kill -9 frees the data", async () => {
    const dir = fresh();
    const first = await startBeacon({ dataDir: dir });
    try {
      const second = await serveRefused(dir);
      expect(second.code).toBe(4);
      expect(second.stderr).toContain(`another Beacon server (pid ${first.proc.pid}`);
      expect(second.stderr).toContain("[store_in_use]");
      expect(second.stderr).not.toContain("    at "); // one line, no stack
      expect((await runCli(dir, ["zone", "list"])).code).toBe(0); // admin commands still work
    } finally {
      expect(await first.stop("SIGKILL")).toBe("SIGKILL");
    }
    const again = await startBeacon({ dataDir: dir });
    expect(await again.stop()).toBe(0);
  });

  it("the database file deleted under a running server: updates refused, said loudly, everything rescued", async () => {
    const dir = fresh();
    const token = (await seedHosts(dir, [HOST])).get(HOST)!;
    const beacon = await startBeacon({ dataDir: dir });
    try {
      expect(await update(beacon, token, "81.2.69.1")).toBe("good 81.2.69.1");
      rmSync(join(dir, "beacon.db"));
      expect(await update(beacon, token, "81.2.69.2")).toBe("911");
      expect(await update(beacon, token, "81.2.69.3")).toBe("911");
      const health = await fetch(`${beacon.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        code: "store_unavailable",
        detail: expect.stringContaining(
          `${join(dir, "beacon.db")} was deleted while the server was running`,
        ) as unknown,
      });
      expect(await (await fetch(`${beacon.url}/metrics`)).text()).toMatch(/^beacon_store_writable 0$/m);
      expect(beacon.stderr()).toContain("DATABASE FILE LOST");
    } finally {
      expect(await beacon.stop()).toBe(0);
    }
    // A restart must not start afresh where the database was.
    const refused = await serveRefused(dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${join(dir, "beacon.db")} is missing, but ${dir} held a database`);
    expect(refused.stderr).toContain("beacon.db.rescued-");
    expect(refused.stderr).toContain("remove beacon.db-wal and beacon.db-shm (they belong to the lost file)");
    // Putting the rescued copy back brings everything back: the acknowledged update, and the one
    // that had reached the lost file when it was found missing (refused, so clients retry it).
    restoreRescued(dir);
    expect(await shownA(dir)).toEqual(["81.2.69.2"]);
    const history = await runCli(dir, ["history", HOST, "--json"]);
    expect((JSON.parse(history.stdout) as { newValues?: string[] }[]).map((e) => e.newValues?.[0])).toContain(
      "81.2.69.1",
    );
  });

  it("its WAL deleted, then kill -9: no acknowledged update is lost, and the stale file is not served", async () => {
    const dir = fresh();
    const token = (await seedHosts(dir, [HOST])).get(HOST)!;
    const beacon = await startBeacon({ dataDir: dir });
    const acknowledged: string[] = [];
    try {
      for (let i = 1; i <= 20; i++) {
        const ip = `81.2.70.${i}`;
        expect(await update(beacon, token, ip)).toBe(`good ${ip}`);
        acknowledged.push(ip);
      }
      rmSync(join(dir, "beacon.db-wal"));
      expect(await update(beacon, token, "81.2.70.99")).toBe("911");
    } finally {
      expect(await beacon.stop("SIGKILL")).toBe("SIGKILL");
    }
    const refused = await serveRefused(dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/beacon\.db\.rescued-\S+ holds what a server saved when it lost/);
    restoreRescued(dir);
    const history = await runCli(dir, ["history", HOST, "--json", "--limit", "100"]);
    const values = (JSON.parse(history.stdout) as { newValues?: string[] }[]).map((e) => e.newValues?.[0]);
    for (const ip of acknowledged) expect(values).toContain(ip);
    const again = await startBeacon({ dataDir: dir });
    expect(await again.stop()).toBe(0);
  });

  it("a 0-byte database is refused at start, and left as it was", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "beacon.db"), "");
    const refused = await serveRefused(dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${join(dir, "beacon.db")} is empty (0 bytes)`);
    expect(statSync(join(dir, "beacon.db")).size).toBe(0);
  });

  const unprivileged = faultAvailable("run the server as an unprivileged user (setpriv)", probeSetpriv);

  it.runIf(unprivileged)("a database the server may not write (mode 0444) is refused at start", async () => {
    const dir = fresh();
    await createDatabase(dir);
    chmodSync(dir, 0o777);
    chmodSync(join(dir, "beacon.db"), 0o444);
    const asNobody = ["setpriv", `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, "--clear-groups"];
    const refused = await serveRefused(dir, asNobody);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("attempt to write a readonly database");
    expect(refused.stderr).toContain("[store_read_only]");
  });

  const immutable = faultAvailable("make a file immutable (chattr +i)", () => {
    const probe = join(fresh(), "probe");
    writeFileSync(probe, "");
    execFileSync("chattr", ["+i", probe], { stdio: "pipe" });
    execFileSync("chattr", ["-i", probe], { stdio: "pipe" });
  });

  it.runIf(immutable)("an immutable database (chattr +i) is refused at start, even for root", async () => {
    const dir = fresh();
    await createDatabase(dir);
    execFileSync("chattr", ["+i", join(dir, "beacon.db")]);
    try {
      const refused = await serveRefused(dir);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("[store_read_only]");
    } finally {
      execFileSync("chattr", ["-i", join(dir, "beacon.db")]);
    }
  });

  it("40,000 hosts under a 104 MiB heap: an admin command's change is applied without reloading everything", async () => {
    const dir = fresh();
    await createDatabase(dir);
    const raw = new BetterSqlite3(join(dir, "beacon.db"));
    raw.exec("begin");
    raw.exec(`insert into zones values ('${DEMO_ZONE}', 1, 60, 'ns1.${DEMO_ZONE}', 'hostmaster.${DEMO_ZONE}',
      3600, 600, 86400, 60, '["ns1.${DEMO_ZONE}"]', 0)`);
    const host = raw.prepare(
      `insert into hosts (id, fqdn, zone, ttl, description, created_at) values (?, ?, '${DEMO_ZONE}', null, '', 0)`,
    );
    const set = raw.prepare("insert into rrsets values (?, ?, 60, ?, 0)");
    for (let i = 0; i < 40_000; i++) {
      const fqdn = `h${i}.${DEMO_ZONE}`;
      host.run(i + 1, fqdn);
      set.run(fqdn, "A", JSON.stringify([`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`]));
      set.run(fqdn, "AAAA", JSON.stringify([`2001:db8::${i.toString(16)}`]));
    }
    raw.exec("update counters set value = 40000 where name = 'host_id'");
    raw.exec("commit");
    raw.close();
    const beacon = await startBeacon({ dataDir: dir, env: { NODE_OPTIONS: "--max-old-space-size=104" } });
    try {
      const resolver = new Resolver({ timeout: 2_000, tries: 1 });
      resolver.setServers([`127.0.0.1:${beacon.dnsPort}`]);
      const gone = `h39999.${DEMO_ZONE}`;
      expect(await resolver.resolve4(gone)).toEqual(["10.0.156.63"]);
      expect((await runCli(dir, ["host", "rm", gone])).code).toBe(0);
      // The server applies it within about a second: the name no longer exists (ENOTFOUND).
      let code = "answer";
      for (let i = 0; i < 50 && code === "answer"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        code = await resolver.resolve4(gone).then(
          () => "answer",
          (e: { code: string }) => e.code,
        );
      }
      expect(code).toBe("ENOTFOUND");
      expect(await resolver.resolve4(`h39998.${DEMO_ZONE}`)).toEqual(["10.0.156.62"]);
      expect(beacon.proc.exitCode).toBeNull();
      expect(beacon.stderr()).toMatch(
        /"hosts":1,"zones":1,"msg":"store changed by another process; applied"/,
      );
    } finally {
      expect(await beacon.stop()).toBe(0);
    }
  });
});
