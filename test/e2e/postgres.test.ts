// `beacon` on PostgreSQL end to end (issue 15, choosing the store): `beacon migrate` on a fresh
// database, two `beacon serve` nodes on one database (an update acknowledged by A is answered by B
// over DNS: B is woken by A's commit, the poll as backstop; B reads the URL from a file), nodes whose
// listening connections are cut catching up and reconnecting, an admin command against the same
// database, and the refusals at start: PostgreSQL unreachable, a schema newer than this Beacon. The
// URL carries a password (the throwaway cluster trusts loopback, so it is never checked) that must
// appear in no output. Skips loudly without PostgreSQL's binaries; fails under BEACON_REQUIRE_PEERS=1.

import { execFile } from "node:child_process";
import { Resolver } from "node:dns/promises";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signTsig, TSIG_ERROR, verifyTsig, type TsigKey } from "../../src/dns/tsig/tsig.js";
import { encodeUpdate } from "../../src/dns/wire/update.js";
import { startCluster } from "../../src/store/postgres/testing/cluster.js";
import {
  basic,
  runCli,
  runCliIn,
  startBeacon,
  tempDir,
  type Beacon,
  type CliResult,
} from "./support/beacon.js";
import { udpExchange } from "./support/udp.js";
import { DEADLINE_MS, sleep, waitForAnswer } from "./support/pg-nodes.js";
import { peerAvailable } from "./support/peers.js";

const SECRET = "pg-Secret-4e2e";
const ZONE = "dyn.beacon.test";
const HOST = `home.${ZONE}`;

const cluster = await startCluster();

/** The cluster's URL of `db` with a password added. */
function secretUrl(db: string): string {
  return cluster!.url(db).replace("postgres://postgres@", `postgres://postgres:${SECRET}@`);
}

function expectNoSecret(...texts: string[]): void {
  for (const t of texts) expect(t).not.toContain(SECRET);
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a !== null ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/** The zone's serial as `dnsPort` answers it. */
async function soaSerial(dnsPort: number): Promise<number> {
  const resolver = new Resolver({ timeout: 1_000, tries: 2 });
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  return (await resolver.resolveSoa(ZONE)).serial;
}

/** `dig IXFR=serial` of the zone against `dnsPort`: the records, as dig prints them. */
function ixfr(dnsPort: number, serial: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      "dig",
      [
        "@127.0.0.1",
        "-p",
        String(dnsPort),
        "+norec",
        "+time=3",
        "+tries=1",
        "+noall",
        "+answer",
        ZONE,
        `IXFR=${serial}`,
      ],
      { timeout: 15_000 },
      (error, stdout) => {
        if (error !== null && stdout === "") return reject(new Error(`dig failed: ${error.message}`));
        resolve(stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith(";")));
      },
    );
  });
}

/** `beacon serve` that is expected to exit at start (ports 0, so nothing else can be in the way). */
function serveOnce(env: Record<string, string>): Promise<CliResult> {
  const dir = tempDir();
  return runCliIn(
    undefined,
    ["--data-dir", dir.path, "serve", "--http-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0"],
    env,
  ).finally(() => dir.remove());
}

describe.skipIf(cluster === undefined)("beacon on PostgreSQL", () => {
  const dirA = tempDir();
  const dirB = tempDir();
  let env: Record<string, string>;
  let where: string;
  let a: Beacon | undefined;
  let b: Beacon | undefined;
  /** HOST's token, from the test that adds it. */
  let hostToken = "";

  beforeAll(async () => {
    await cluster!.createDatabase("beacon");
    env = { BEACON_STORE_POSTGRES_URL: secretUrl("beacon") };
    where = `127.0.0.1:${cluster!.port}/beacon`;
  });

  afterAll(async () => {
    await Promise.all([a?.stop("SIGKILL"), b?.stop("SIGKILL")]);
    dirA.remove();
    dirB.remove();
    await cluster?.stop();
  });

  it("beacon migrate applies the migrations to a fresh database, then finds nothing to do", async () => {
    const first = await runCli(dirA.path, ["migrate"], env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`database postgres ${where}: migrated`);
    expect(first.stdout).toMatch(/applied 0001_/);
    const again = await runCli(dirA.path, ["migrate", "--json"], env);
    expect(JSON.parse(again.stdout)).toEqual({ database: `postgres ${where}`, applied: [] });
    expectNoSecret(first.stdout, first.stderr, again.stdout, again.stderr);
    // No SQLite file was made on the side.
    const sqlite = await runCli(dirA.path, ["host", "list"], { BEACON_STORE_POSTGRES_URL: "" });
    expect(sqlite.code).not.toBe(0);
    expect(sqlite.stderr).toContain("no Beacon database at");
  });

  it("two nodes on one database: an update acknowledged by A is answered by B, and back", async () => {
    const zone = await runCli(dirA.path, ["zone", "add", ZONE], env);
    expect(zone.code, zone.stderr).toBe(0);
    const added = await runCli(dirA.path, ["host", "add", HOST, "--json"], env);
    expect(added.code, added.stderr).toBe(0);
    const token = (JSON.parse(added.stdout) as { token: string }).token;
    hostToken = token;
    const urlFile = join(dirB.path, "postgres-url");
    writeFileSync(urlFile, `${env["BEACON_STORE_POSTGRES_URL"]}\n`, { mode: 0o600 });

    [a, b] = await Promise.all([
      startBeacon({ dataDir: dirA.path, env }),
      // B reads the URL from a file (store.postgres_url_file), as a mounted secret.
      startBeacon({ dataDir: dirB.path, env: { BEACON_STORE_POSTGRES_URL_FILE: urlFile } }),
    ]);
    for (const node of [a, b]) {
      const ready = node
        .stderr()
        .split("\n")
        .find((l) => l.includes('"beacon ready"'));
      expect(JSON.parse(ready!)).toMatchObject({ store: `postgres ${where}` });
    }

    const update = (node: Beacon, ip: string) =>
      fetch(`${node.url}/nic/update?hostname=${HOST}&myip=${ip}`, {
        headers: { authorization: basic(HOST, token), "user-agent": "e2e/1.0" },
      }).then((r) => r.text());

    expect(await update(a, "1.2.3.4")).toBe("good 1.2.3.4");
    expect(await waitForAnswer(b.dnsPort, HOST, "1.2.3.4")).toEqual(["1.2.3.4"]);
    expect(await update(b, "5.6.7.8")).toBe("good 5.6.7.8");
    expect(await waitForAnswer(a.dnsPort, HOST, "5.6.7.8")).toEqual(["5.6.7.8"]);
    expectNoSecret(a.stdout(), a.stderr(), b.stdout(), b.stderr());
  });

  it("an admin command reads the same database", async () => {
    const listed = await runCli(dirB.path, ["host", "list", "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(HOST);
    expect(listed.stdout).toContain("5.6.7.8");
    expectNoSecret(listed.stdout, listed.stderr);
  });

  it("nodes whose listening connections are cut (not the processes) reconnect and still answer the other node's updates", async () => {
    const listeners = async () =>
      (
        await cluster!.query<{ pid: number }>(
          "select pid from pg_stat_activity where application_name = 'beacon-listen' and datname = 'beacon'",
        )
      ).map((r) => r.pid);
    const waitForListeners = async (not: number[]): Promise<number[]> => {
      const until = Date.now() + DEADLINE_MS;
      let pids = await listeners();
      while ((pids.length !== 2 || pids.some((p) => not.includes(p))) && Date.now() < until) {
        await sleep(50);
        pids = await listeners();
      }
      return pids;
    };
    const before = await waitForListeners([]);
    expect(before).toHaveLength(2);
    const update = (ip: string) =>
      fetch(`${a!.url}/nic/update?hostname=${HOST}&myip=${ip}`, {
        headers: { authorization: basic(HOST, hostToken), "user-agent": "e2e/1.0" },
      }).then((r) => r.text());
    await cluster!.query("select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1)", [
      before,
    ]);
    // Committed while B's listener may be away: its notification is lost, the catch-up finds it.
    expect(await update("9.9.9.1")).toBe("good 9.9.9.1");
    expect(await waitForAnswer(b!.dnsPort, HOST, "9.9.9.1")).toEqual(["9.9.9.1"]);
    const after = await waitForListeners(before);
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect(await update("9.9.9.2")).toBe("good 9.9.9.2");
    expect(await waitForAnswer(b!.dnsPort, HOST, "9.9.9.2")).toEqual(["9.9.9.2"]);
  });

  it("a signed UPDATE applied by A and replayed to B inside its window: B refuses it (NOTAUTH/BADTIME)", async () => {
    const added = await runCli(dirA.path, ["key", "add", "e2e.key", "--subtree", ZONE, "--json"], env);
    expect(added.code, added.stderr).toBe(0);
    const k = JSON.parse(added.stdout) as { name: string; algorithm: TsigKey["algorithm"]; secret: string };
    const key: TsigKey = { name: k.name, algorithm: k.algorithm, secret: Buffer.from(k.secret, "base64") };
    // The key change alone wakes both nodes (0012_settings_wakeups), which read their keys again.
    let id = 0x3000;
    const signedSetA = (ip: string) =>
      signTsig(
        encodeUpdate({
          id: ++id,
          zone: ZONE,
          updates: [
            { kind: "delete-rrset", name: HOST, type: "A" },
            { kind: "add", name: HOST, type: "A", ttl: 60, value: ip },
          ],
        }),
        { key, timeSigned: Math.floor(Date.now() / 1000) },
      );
    /** Sends fresh signed updates to `node` until it knows the key (it polls the store); the last rcode. */
    const untilKnown = async (node: Beacon, ip: string): Promise<number> => {
      const until = Date.now() + DEADLINE_MS;
      let rcode = -1;
      do {
        rcode = (await udpExchange(node.dnsPort, signedSetA(ip).message))[3]! & 0x0f;
        if (rcode !== 9) break; // NOTAUTH: BADKEY until the node has read the new key
        await new Promise((r) => setTimeout(r, 100));
      } while (Date.now() < until);
      return rcode;
    };
    expect(await untilKnown(b!, "9.9.9.3")).toBe(0);
    expect(await untilKnown(a!, "9.9.9.4")).toBe(0);
    const captured = signedSetA("9.9.9.5");
    expect((await udpExchange(a!.dnsPort, captured.message))[3]! & 0x0f).toBe(0);
    expect((await udpExchange(a!.dnsPort, signedSetA("9.9.9.6").message))[3]! & 0x0f).toBe(0);
    const replayed = await udpExchange(b!.dnsPort, captured.message);
    expect(replayed[3]! & 0x0f).toBe(9); // NOTAUTH
    const v = verifyTsig(replayed, {
      findKey: () => key,
      now: Math.floor(Date.now() / 1000),
      requestMac: captured.mac,
    });
    expect(v.status === "ok" && v.record.error).toBe(TSIG_ERROR.BADTIME);
    expect(await waitForAnswer(b!.dnsPort, HOST, "9.9.9.6")).toEqual(["9.9.9.6"]);
    expect(b!.stderr()).toMatch(/"answer":"NOTAUTH\/BADTIME".*"reason":"replay/);
  });

  it.skipIf(!peerAvailable("dig", "bind9-dnsutils"))(
    "every node serves the same IXFR from a serial before their restart: the diffs come from the shared change log",
    async () => {
      const update = (ip: string) =>
        fetch(`${a!.url}/nic/update?hostname=${HOST}&myip=${ip}`, {
          headers: { authorization: basic(HOST, hostToken), "user-agent": "e2e/1.0" },
        }).then((r) => r.text());
      const s0 = await soaSerial(a!.dnsPort);
      expect(await update("9.9.8.3")).toBe("good 9.9.8.3");
      const s1 = await soaSerial(a!.dnsPort);
      await Promise.all([a!.stop(), b!.stop()]);
      const transfers = { ...env, BEACON_DNS_TRANSFER_ALLOW: "127.0.0.1" };
      [a, b] = await Promise.all([
        startBeacon({ dataDir: dirA.path, env: transfers }),
        startBeacon({ dataDir: dirB.path, env: transfers }),
      ]);
      const shape = (lines: string[]) =>
        lines.map((l) => {
          const f = l.split(/\s+/);
          return f[3] === "SOA" ? `SOA ${f[6]}` : `${f[0]} ${f[3]} ${f[4]}`;
        });
      const fromS0 = shape(await ixfr(a.dnsPort, s0));
      expect(fromS0).toEqual([
        `SOA ${s1}`,
        `SOA ${s0}`,
        `${HOST}. A 9.9.9.6`,
        `SOA ${s1}`,
        `${HOST}. A 9.9.8.3`,
        `SOA ${s1}`,
      ]);
      expect(shape(await ixfr(b.dnsPort, s0))).toEqual(fromS0);
      // One more change, made on A, applied by B from the log: from s0 (log) and from s1 alike on both.
      expect(await update("9.9.8.4")).toBe("good 9.9.8.4");
      expect(await waitForAnswer(b.dnsPort, HOST, "9.9.8.4")).toEqual(["9.9.8.4"]);
      for (const from of [s0, s1]) {
        const onA = await ixfr(a.dnsPort, from);
        expect(onA.filter((l) => /\sA\s/.test(l)).at(-1)).toMatch(/\s9\.9\.8\.4$/);
        expect(await ixfr(b.dnsPort, from)).toEqual(onA);
      }
      for (const node of [a, b]) expect(node.stderr()).toContain('"kind":"IXFR (change log)"');
      expect(a.stderr() + b.stderr()).not.toContain("full zone");
    },
  );

  it("PostgreSQL unreachable at start: a clear error naming host and port, without the password", async () => {
    const port = await closedPort();
    const r = await serveOnce({
      BEACON_STORE_POSTGRES_URL: `postgres://beacon:${SECRET}@127.0.0.1:${port}/beacon`,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`127.0.0.1:${port}/beacon`);
    expect(r.stderr).toContain("store_unavailable");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expectNoSecret(r.stdout, r.stderr);
  });

  it("a schema newer than this Beacon is refused at start with the migration runner's message", async () => {
    await cluster!.createDatabase("future");
    const futureEnv = { BEACON_STORE_POSTGRES_URL: secretUrl("future") };
    expect((await runCli(dirA.path, ["migrate"], futureEnv)).code).toBe(0);
    await cluster!.query(
      "insert into kysely_migration (name, timestamp) values ('9999_from_the_future', 'x')",
      [],
      "future",
    );
    const r = await serveOnce(futureEnv);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("written by a newer Beacon (it has migration 9999_from_the_future");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expectNoSecret(r.stdout, r.stderr);
  });
});
