// The catalog zone on two `beacon serve` nodes sharing one PostgreSQL database (issue 15): both publish
// the same catalog under the same serial, whichever node (or admin command) changed the zone list; the
// serial grows with every change of the list, is not moved by other changes, and a restarted node
// publishes the same one again. Node B answers UDP with worker processes (dns.workers), which pass the
// catalog's questions to the server process that holds it. Skips loudly without PostgreSQL's binaries or dig; fails under
// BEACON_REQUIRE_PEERS=1.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster } from "../../src/store/postgres/testing/cluster.js";
import { basic, runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";

const CATALOG = "catalog.beacon.invalid";
const KEY_NAME = "xfr.beacon.test";
const DEADLINE_MS = 15_000;

const hasDig = peerAvailable("dig", "bind9-dnsutils");
const cluster = hasDig ? await startCluster() : undefined;

/** dig's output for `args` against 127.0.0.1:port, records only ("" when dig fails outright). */
const digOut = (port: number, args: readonly string[]): Promise<string> =>
  dig(port, ["+noall", "+answer", ...args]).then(
    (a) => a.raw,
    () => "",
  );

describe.skipIf(cluster === undefined)("the catalog zone on two nodes sharing PostgreSQL", () => {
  const dirA = tempDir();
  const dirB = tempDir();
  let env: Record<string, string>;
  let a: Beacon;
  let b: Beacon;
  let y = "";

  /** The catalog as a node transfers it: its serial and its records without the SOA, sorted. */
  const catalogOf = async (node: Beacon) => {
    const lines = (await digOut(node.dnsPort, [CATALOG, "AXFR", "-y", y]))
      .split("\n")
      .filter((l) => l.trim());
    const soa = lines.find((l) => /\sSOA\s/.test(l));
    return {
      serial: Number(soa?.split(/\s+/)[6]),
      records: [...new Set(lines.filter((l) => !/\sSOA\s/.test(l)))].sort(),
    };
  };
  /** Polls until both nodes transfer the same catalog listing `want` (zone names); resolves with it. */
  const bothList = async (want: readonly string[]) => {
    const until = Date.now() + DEADLINE_MS;
    const lists = (c: Awaited<ReturnType<typeof catalogOf>>) =>
      c.records.flatMap((r) => (/\sPTR\s/.test(r) ? [r.split(/\s+/)[4]!.replace(/\.$/, "")] : [])).sort();
    for (;;) {
      const [ca, cb] = await Promise.all([catalogOf(a), catalogOf(b)]);
      const same = JSON.stringify(ca) === JSON.stringify(cb);
      if ((same && JSON.stringify(lists(ca)) === JSON.stringify([...want].sort())) || Date.now() > until) {
        expect(cb).toEqual(ca);
        expect(lists(ca)).toEqual([...want].sort());
        return ca;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const startNodeB = () => startBeacon({ dataDir: dirB.path, env: { ...env, BEACON_DNS_WORKERS: "2" } });

  beforeAll(async () => {
    await cluster!.createDatabase("beacon");
    env = {
      BEACON_STORE_POSTGRES_URL: cluster!.url("beacon"),
      BEACON_DNS_TRANSFER_ALLOW: "127.0.0.1",
      BEACON_DNS_TRANSFER_KEYS: KEY_NAME,
      BEACON_DNS_TRANSFER_CATALOG: CATALOG,
    };
    expect((await runCli(dirA.path, ["migrate"], env)).code).toBe(0);
    expect((await runCli(dirA.path, ["zone", "add", "one.beacon.test"], env)).code).toBe(0);
    const added = await runCli(
      dirA.path,
      ["key", "add", KEY_NAME, "--name-scope", "one.beacon.test", "--json"],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    const k = JSON.parse(added.stdout) as { name: string; algorithm: string; secret: string };
    y = `${k.algorithm}:${k.name}:${k.secret}`;
    [a, b] = await Promise.all([startBeacon({ dataDir: dirA.path, env }), startNodeB()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop("SIGKILL"), b?.stop("SIGKILL")]);
    dirA.remove();
    dirB.remove();
    await cluster?.stop();
  });

  it("both nodes publish the same catalog under the same serial at start", async () => {
    const start = await bothList(["one.beacon.test"]);
    expect(start.serial).toBeGreaterThan(0);
    // unsigned, over UDP: B's workers pass the question on; every other question is refused
    for (const node of [a, b]) {
      const soa = await digOut(node.dnsPort, [CATALOG, "SOA", "+noall", "+answer", "+comments"]);
      expect(soa).toMatch(/flags:[^;]*\baa\b/);
      expect(soa).toMatch(
        new RegExp(`^${CATALOG}\\.\\s+0\\s+IN\\s+SOA\\s+invalid\\. invalid\\. ${start.serial} `, "m"),
      );
      expect(await digOut(node.dnsPort, [`version.${CATALOG}`, "TXT", "+comments"])).toMatch(
        /status: REFUSED/,
      );
    }
  });

  it("a zone created by an admin command, then one deleted: each a larger serial, the same on both", async () => {
    const before = await bothList(["one.beacon.test"]);
    expect((await runCli(dirB.path, ["zone", "add", "two.beacon.test"], env)).code).toBe(0);
    const added = await bothList(["one.beacon.test", "two.beacon.test"]);
    expect(added.serial).toBeGreaterThan(before.serial);
    expect((await runCli(dirA.path, ["zone", "rm", "one.beacon.test", "--force"], env)).code).toBe(0);
    const removed = await bothList(["two.beacon.test"]);
    expect(removed.serial).toBeGreaterThan(added.serial);
  });

  it("other changes leave the serial alone; a restarted node publishes the same catalog and serial", async () => {
    const before = await bothList(["two.beacon.test"]);
    const host = await runCli(dirA.path, ["host", "add", "h.two.beacon.test", "--json"], env);
    expect(host.code, host.stderr).toBe(0);
    const token = (JSON.parse(host.stdout) as { token: string }).token;
    expect((await runCli(dirA.path, ["zone", "set", "two.beacon.test", "--refresh", "2h"], env)).code).toBe(
      0,
    );
    const until = Date.now() + DEADLINE_MS;
    let reply = "";
    while (!reply.startsWith("good") && Date.now() < until) {
      reply = await fetch(`${a.url}/nic/update?hostname=h.two.beacon.test&myip=81.2.69.170`, {
        headers: { authorization: basic("h.two.beacon.test", token), "user-agent": "e2e/1.0" },
      }).then((r) => r.text());
      if (!reply.startsWith("good")) await new Promise((r) => setTimeout(r, 100));
    }
    expect(reply).toBe("good 81.2.69.170");
    await b.stop();
    b = await startNodeB();
    expect(await bothList(["two.beacon.test"])).toEqual(before);
  });
});
