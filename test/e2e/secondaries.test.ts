// Hidden primary end to end: the real `beacon serve` as the primary of a zone, real BIND 9 and Knot as
// its secondaries (TSIG-signed transfers, NOTIFY from Beacon). After an HTTP update both secondaries
// answer the new address; an IXFR from the old serial carries only the change. How long the
// secondaries took after the update is printed, never asserted.

import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsPeer, PeerKey } from "../../src/providers/testing/peers/dns-peer.js";
import { startBindSecondary, startKnotSecondary } from "../../src/providers/testing/peers/secondary.js";
import { addHost, basic, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";
import { addTransferKey, startPrimaryWithSecondaries } from "./support/secondaries.js";

const ZONE = "dyn.beacon.test";
const HOST = `home.${ZONE}`;
const KEY_NAME = "xfr.beacon.test";
/** Polling deadline for a secondary to catch up (generous for loaded CI machines; the time is reported). */
const CATCH_UP_MS = 20_000;

const available =
  peerAvailable("dig", "bind9-dnsutils") && peerAvailable("named", "bind9") && peerAvailable("knotd", "knot");

/** dig output lines (records only) for `args` against 127.0.0.1:port. */
function digLines(port: number, args: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      "dig",
      ["@127.0.0.1", "-p", String(port), "+norec", "+time=2", "+tries=1", "+noall", "+answer", ...args],
      { timeout: 15_000 },
      (error, stdout) => {
        if (error !== null && stdout === "") return reject(new Error(`dig failed: ${error.message}`));
        resolve(stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith(";")));
      },
    );
  });
}

function digRaw(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      "dig",
      ["@127.0.0.1", "-p", String(port), "+norec", "+time=2", "+tries=1", ...args],
      { timeout: 15_000 },
      (_error, stdout) => resolve(stdout),
    );
  });
}

async function serial(port: number): Promise<number> {
  const lines = await digLines(port, [ZONE, "SOA"]);
  return Number(lines[0]?.split(/\s+/)[6]);
}

async function waitFor(port: number, name: string, want: string, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    const lines = await digLines(port, [name, "A"]).catch(() => []);
    if (lines.some((l) => l.endsWith(`\t${want}`))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe.skipIf(!available)("BIND 9 and Knot as secondaries of a Beacon zone", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let bind: DnsPeer;
  let knot: DnsPeer;
  let key: PeerKey;
  let token: string;
  let dnsPort: number;
  const transferEnv = () => ({
    BEACON_DNS_TRANSFER_ALLOW: "127.0.0.1",
    BEACON_DNS_TRANSFER_KEYS: KEY_NAME,
  });

  beforeAll(async () => {
    token = (await seedHosts(dir.path, [HOST])).get(HOST)!;
    key = await addTransferKey(dir.path, KEY_NAME, ZONE);
    ({
      beacon,
      dnsPort,
      peers: [bind, knot],
    } = await startPrimaryWithSecondaries({
      dataDir: dir.path,
      env: { ...transferEnv(), BEACON_LOG_LEVEL: "debug" },
      secondaries: (port) =>
        Promise.all([
          startBindSecondary({ zone: ZONE, port, key }),
          startKnotSecondary({ zone: ZONE, port, key }),
        ]),
    }));
  }, 120_000);

  /** Beacon on the secondaries' primary port; without `notify`, the secondaries hear of no change. */
  function startPrimary(notify = true): Promise<Beacon> {
    return startBeacon({
      dataDir: dir.path,
      args: ["--dns-listen", `127.0.0.1:${dnsPort}`],
      env: {
        ...transferEnv(),
        ...(notify ? { BEACON_DNS_TRANSFER_NOTIFY: `127.0.0.1:${bind.port},127.0.0.1:${knot.port}` } : {}),
        BEACON_LOG_LEVEL: "debug",
      },
    });
  }

  async function update(ip: string): Promise<void> {
    const r = await fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=${ip}`, {
      headers: { authorization: basic(HOST, token), "user-agent": "e2e/1.0" },
    });
    expect(await r.text()).toBe(`good ${ip}`);
  }

  /** An IXFR's records as "SOA serial" or "name type data". */
  async function ixfrShape(from: number): Promise<string[]> {
    const lines = await digLines(dnsPort, [
      ZONE,
      `IXFR=${from}`,
      "-y",
      `${key.algorithm}:${key.name}:${key.secret}`,
    ]);
    return lines.map((l) => {
      const f = l.split(/\s+/);
      return f[3] === "SOA" ? `SOA ${f[6]}` : `${f[0]} ${f[3]} ${f[4]}`;
    });
  }

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    await Promise.all([bind?.stop(), knot?.stop()]);
    dir.remove();
  });

  it("both loaded the zone from Beacon by a signed transfer", async () => {
    const primary = await serial(dnsPort);
    expect(primary).toBeGreaterThan(0);
    expect(await serial(bind.port)).toBe(primary);
    expect(await serial(knot.port)).toBe(primary);
    const ns = await digLines(knot.port, [ZONE, "NS"]);
    expect(ns.join("\n")).toMatch(/IN\s+NS\s+ns1\.dyn\.beacon\.test\./);
  });

  it("after an HTTP update both answer the new address (NOTIFY, then IXFR); an IXFR carries only the change", async () => {
    const before = await serial(dnsPort);
    const r = await fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=81.2.69.142`, {
      headers: { authorization: basic(HOST, token), "user-agent": "e2e/1.0" },
    });
    expect(await r.text()).toBe("good 81.2.69.142");
    const updated = Date.now();
    const deadline = updated + CATCH_UP_MS;
    const [bindOk, knotOk] = await Promise.all([
      waitFor(bind.port, HOST, "81.2.69.142", deadline).then((ok) => [ok, Date.now() - updated] as const),
      waitFor(knot.port, HOST, "81.2.69.142", deadline).then((ok) => [ok, Date.now() - updated] as const),
    ]);
    console.log(
      `secondaries caught up after the HTTP reply: BIND ${bindOk[1]} ms, Knot ${knotOk[1]} ms ` +
        "(NOTIFY is sent in the same tick as the reply)",
    );
    expect(bindOk[0], bind.log()).toBe(true);
    expect(knotOk[0], knot.log()).toBe(true);
    const after = await serial(dnsPort);
    expect(after).toBeGreaterThan(before);
    expect(beacon.stderr()).toContain("NOTIFY acknowledged");

    const ixfr = await digLines(dnsPort, [
      ZONE,
      `IXFR=${before}`,
      "-y",
      `${key.algorithm}:${key.name}:${key.secret}`,
    ]);
    const shape = ixfr.map((l) => {
      const f = l.split(/\s+/);
      return f[3] === "SOA" ? `SOA ${f[6]}` : `${f[0]} ${f[3]} ${f[4]}`;
    });
    expect(shape).toEqual([
      `SOA ${after}`,
      `SOA ${before}`,
      `SOA ${after}`,
      `${HOST}. A 81.2.69.142`,
      `SOA ${after}`,
    ]);
  });

  it("a second change reaches both by IXFR with the old address removed", async () => {
    const before = await serial(dnsPort);
    const r = await fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=81.2.69.143`, {
      headers: { authorization: basic(HOST, token), "user-agent": "e2e/1.0" },
    });
    expect(await r.text()).toBe("good 81.2.69.143");
    const deadline = Date.now() + CATCH_UP_MS;
    expect(await waitFor(bind.port, HOST, "81.2.69.143", deadline), bind.log()).toBe(true);
    expect(await waitFor(knot.port, HOST, "81.2.69.143", deadline), knot.log()).toBe(true);
    expect(await digLines(bind.port, [HOST, "A"])).toHaveLength(1);
    const ixfr = await digLines(dnsPort, [
      ZONE,
      `IXFR=${before}`,
      "-y",
      `${key.algorithm}:${key.name}:${key.secret}`,
    ]);
    expect(ixfr.filter((l) => /\sA\s/.test(l)).map((l) => l.split(/\s+/)[4])).toEqual([
      "81.2.69.142",
      "81.2.69.143",
    ]);
    // Knot names the transfer kind in its log; BIND only counts records.
    expect(knot.log()).toMatch(/IXFR, incoming, remote 127\.0\.0\.1@\d+, finished/);
  });

  it("beacon zone set from another process: new serial, NOTIFY, both secondaries serve the new SOA values", async () => {
    const before = await serial(dnsPort);
    const set = await runCli(dir.path, [
      "zone",
      "set",
      ZONE,
      "--refresh",
      "4h",
      "--retry",
      "1h",
      "--expire",
      "21d",
      "--minimum",
      "300",
      "--contact",
      "dns-admin@example.org",
      "--json",
    ]);
    expect(set.code, set.stderr).toBe(0);
    const want = `ns1.${ZONE}. dns-admin.example.org.`;
    const soaOf = async (port: number) =>
      (await digLines(port, [ZONE, "SOA"]))[0]?.split(/\s+/).slice(4).join(" ");
    const deadline = Date.now() + CATCH_UP_MS;
    const seen = async (port: number) => {
      while (Date.now() < deadline) {
        const soa = await soaOf(port).catch(() => undefined);
        if (soa?.startsWith(want)) return soa;
        await new Promise((r) => setTimeout(r, 50));
      }
      return soaOf(port);
    };
    const [primary, bindSoa, knotSoa] = await Promise.all([seen(dnsPort), seen(bind.port), seen(knot.port)]);
    const after = await serial(dnsPort);
    expect(after).toBeGreaterThan(before);
    expect(primary).toBe(`${want} ${after} 14400 3600 1814400 300`);
    expect(bindSoa, bind.log()).toBe(primary);
    expect(knotSoa, knot.log()).toBe(primary);
    // they learnt it from NOTIFY (their refresh timer is an hour): one acknowledged per secondary
    const acked = beacon
      .stderr()
      .split("\n")
      .filter((l) => l.includes("NOTIFY acknowledged") && l.includes(`"serial":${after}`));
    expect(acked).toHaveLength(2);
  });

  it("a host without records is NXDOMAIN on Beacon and on both secondaries alike; above a host with records, NODATA", async () => {
    for (const host of [`bare.${ZONE}`, `mid.${ZONE}`])
      expect((await runCli(dir.path, ["host", "add", host, "--no-token"])).code).toBe(0);
    const leafToken = await addHost(dir.path, `leaf.mid.${ZONE}`);
    const deadline = Date.now() + CATCH_UP_MS;
    let r: Response | undefined;
    // the server notices the CLI's hosts within about a second
    while (Date.now() < deadline) {
      r = await fetch(`${beacon.url}/nic/update?hostname=leaf.mid.${ZONE}&myip=81.2.69.150`, {
        headers: { authorization: basic(`leaf.mid.${ZONE}`, leafToken), "user-agent": "e2e/1.0" },
      });
      if ((await r.clone().text()).startsWith("good")) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(await r?.text()).toBe("good 81.2.69.150");
    expect(await waitFor(bind.port, `leaf.mid.${ZONE}`, "81.2.69.150", deadline), bind.log()).toBe(true);
    expect(await waitFor(knot.port, `leaf.mid.${ZONE}`, "81.2.69.150", deadline), knot.log()).toBe(true);
    const status = async (port: number, name: string) =>
      /status: ([A-Z]+)/.exec(await digRaw(port, [name, "A"]))?.[1];
    for (const port of [dnsPort, bind.port, knot.port]) {
      expect([port, await status(port, `bare.${ZONE}`)]).toEqual([port, "NXDOMAIN"]);
      expect([port, await status(port, `mid.${ZONE}`)]).toEqual([port, "NOERROR"]);
    }
  });

  it("refuses a transfer without the key, and with an unknown key", async () => {
    const unsigned = await digRaw(dnsPort, [ZONE, "AXFR"]);
    expect(unsigned).toMatch(/Transfer failed|REFUSED/);
    expect(unsigned).not.toMatch(/\sIN\s+A\s/);
    const wrong = await digRaw(dnsPort, [ZONE, "AXFR", "-y", `hmac-sha256:nobody:${key.secret}`]);
    expect(wrong).toMatch(/NOTAUTH|BADKEY|failed/);
    expect(wrong).not.toMatch(/\sIN\s+A\s/);
  });

  it("after a restart, IXFR still sends only the difference (from the change log), to dig and to both secondaries", async () => {
    const s0 = await serial(dnsPort);
    const old = (await digLines(dnsPort, [HOST, "A"]))[0]?.split(/\s+/)[4];
    const knotIxfrs = () =>
      knot.log().match(/IXFR, incoming, remote 127\.0\.0\.1@\d+, finished/g)?.length ?? 0;
    const knotBefore = knotIxfrs();
    // Without NOTIFY the secondaries stay at s0 while Beacon changes the zone and restarts.
    await beacon.stop();
    beacon = await startPrimary(false);
    await update("81.2.69.170");
    const s1 = await serial(dnsPort);
    await beacon.stop();
    beacon = await startPrimary(false);
    expect(await serial(bind.port)).toBe(s0);
    const diff = [
      `SOA ${s1}`,
      `SOA ${s0}`,
      `${HOST}. A ${old}`,
      `SOA ${s1}`,
      `${HOST}. A 81.2.69.170`,
      `SOA ${s1}`,
    ];
    expect(await ixfrShape(s0)).toEqual(diff);
    expect(beacon.stderr()).toContain('"kind":"IXFR (change log)"');

    // Restarted with NOTIFY (none sent at start): the next update's NOTIFY makes both secondaries ask
    // for IXFR from s0, across the restart, which only the change log covers.
    await beacon.stop();
    beacon = await startPrimary();
    await update("81.2.69.171");
    const s2 = await serial(dnsPort);
    const deadline = Date.now() + CATCH_UP_MS;
    expect(await waitFor(bind.port, HOST, "81.2.69.171", deadline), bind.log()).toBe(true);
    expect(await waitFor(knot.port, HOST, "81.2.69.171", deadline), knot.log()).toBe(true);
    const kinds = beacon
      .stderr()
      .split("\n")
      .filter((l) => l.includes('"zone transfer"'))
      .map((l) => /"kind":"([^"]+)"/.exec(l)?.[1] ?? "");
    expect(kinds.filter((k) => k === "IXFR (change log)").length, kinds.join(", ")).toBeGreaterThanOrEqual(2);
    expect(
      kinds.filter((k) => k.includes("full zone") || k === "AXFR"),
      kinds.join(", "),
    ).toEqual([]);
    expect(knotIxfrs(), knot.log()).toBeGreaterThan(knotBefore);
    for (const port of [bind.port, knot.port]) {
      expect((await digLines(port, [HOST, "A"])).map((l) => l.split(/\s+/)[4])).toEqual(["81.2.69.171"]);
      expect(await serial(port)).toBe(s2);
    }
    expect(await ixfrShape(s0)).toEqual([
      `SOA ${s2}`,
      ...diff.slice(1, -1),
      `SOA ${s1}`,
      `${HOST}. A 81.2.69.170`,
      `SOA ${s2}`,
      `${HOST}. A 81.2.69.171`,
      `SOA ${s2}`,
    ]);
  });
});
