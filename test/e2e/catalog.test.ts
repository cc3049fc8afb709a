// Catalog zone end to end: the real `beacon serve` publishes an RFC 9432 catalog (dns.transfer.catalog);
// real BIND 9 and Knot are configured with the catalog ONLY (no member zone in their configs, the
// snippets of docs/secondaries.md). A zone created with the CLI appears on both through the catalog; a
// host updated in it follows by IXFR; the zone deleted, both drop it. Times are printed, never asserted.

import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsPeer, PeerKey } from "../../src/providers/testing/peers/dns-peer.js";
import {
  startBindCatalogSecondary,
  startKnotCatalogSecondary,
} from "../../src/providers/testing/peers/secondary.js";
import { basic, DEMO_ZONE, runCli, seedHosts, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";
import { addTransferKey, startPrimaryWithSecondaries } from "./support/secondaries.js";

const CATALOG = "catalog.beacon.invalid";
const ZONE = "fresh.beacon.test";
const HOST = `home.${ZONE}`;
const KEY_NAME = "xfr.beacon.test";
/** Polling deadline for a secondary to follow (generous for loaded CI machines; times are printed). */
const FOLLOW_MS = 30_000;

const available =
  peerAvailable("dig", "bind9-dnsutils") &&
  peerAvailable("nsupdate", "bind9-dnsutils") &&
  peerAvailable("named", "bind9") &&
  peerAvailable("knotd", "knot");

/** dig's full output for `args` against 127.0.0.1:port ("" when dig fails outright). */
const digOut = (port: number, args: readonly string[]): Promise<string> =>
  dig(port, args).then(
    (a) => a.raw,
    () => "",
  );

/** nsupdate with `script` on stdin; its exit code and output. */
function nsupdate(args: readonly string[], script: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("nsupdate", args, { stdio: ["pipe", "pipe", "pipe"], timeout: 20_000 });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("close", (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end(script);
  });
}

/** Whether the server answers the zone's SOA authoritatively (it serves the zone). */
async function serves(port: number, zone: string): Promise<boolean> {
  const a = await dig(port, [zone, "SOA"]).catch(() => undefined);
  return a?.status === "NOERROR" && a.flags.includes("aa") && a.answers.some((l) => /\sIN\s+SOA\s/.test(l));
}

/** Polls `check` every 100 ms until it holds or `ms` pass; how long it took, or undefined. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await check()) ? Date.now() - start : undefined;
}

describe.skipIf(!available)("BIND 9 and Knot follow Beacon's catalog zone", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let bind: DnsPeer;
  let knot: DnsPeer;
  let key: PeerKey;
  let dnsPort: number;
  const env = () => ({
    BEACON_DNS_TRANSFER_ALLOW: "127.0.0.1",
    BEACON_DNS_TRANSFER_KEYS: KEY_NAME,
    BEACON_DNS_TRANSFER_CATALOG: CATALOG,
  });

  beforeAll(async () => {
    await seedHosts(dir.path, []);
    key = await addTransferKey(dir.path, KEY_NAME, DEMO_ZONE);
    ({
      beacon,
      dnsPort,
      peers: [bind, knot],
    } = await startPrimaryWithSecondaries({
      dataDir: dir.path,
      env: env(),
      secondaries: (port) =>
        Promise.all([
          startBindCatalogSecondary({ catalog: CATALOG, zone: DEMO_ZONE, port, key }),
          startKnotCatalogSecondary({ catalog: CATALOG, zone: DEMO_ZONE, port, key }),
        ]),
    }));
  }, 120_000);

  /** Beacon's log lines of the transfers of `zone` of that kind ("AXFR", "IXFR", "IXFR (full zone)", …). */
  const transfersOf = (zone: string, kind: string) =>
    beacon
      .stderr()
      .split("\n")
      .filter(
        (l) =>
          l.includes('"msg":"zone transfer"') &&
          l.includes(`"zone":"${zone}"`) &&
          l.includes(`"kind":"${kind}"`),
      );

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    await Promise.all([bind?.stop(), knot?.stop()]);
    dir.remove();
  });

  it("serves the catalog's SOA and refuses every other question in it; transfers it only signed", async () => {
    expect(await serves(dnsPort, CATALOG)).toBe(true);
    expect(await digOut(dnsPort, [`version.${CATALOG}`, "TXT"])).toMatch(/status: REFUSED/);
    expect(await digOut(dnsPort, [CATALOG, "AXFR"])).not.toMatch(/\sPTR\s/);
    const axfr = await digOut(dnsPort, [CATALOG, "AXFR", "-y", `${key.algorithm}:${key.name}:${key.secret}`]);
    expect(axfr).toMatch(new RegExp(`version\\.${CATALOG}\\.\\s+0\\s+IN\\s+TXT\\s+"2"`));
    expect(axfr).toMatch(
      new RegExp(`^[0-9a-f]{16}\\.zones\\.${CATALOG}\\.\\s+0\\s+IN\\s+PTR\\s+${DEMO_ZONE}\\.`, "m"),
    );
    expect(axfr).toMatch(new RegExp(`^${CATALOG}\\.\\s+0\\s+IN\\s+NS\\s+invalid\\.`, "m"));
  });

  it("refuses an RFC 2136 UPDATE to the catalog, signed or not: it is Beacon's own", async () => {
    const script = [
      `server 127.0.0.1 ${dnsPort}`,
      `zone ${CATALOG}`,
      `update add 0123456789abcdef.zones.${CATALOG} 0 PTR evil.example.`,
      "send",
      "",
    ].join("\n");
    for (const args of [[], ["-y", `${key.algorithm}:${key.name}:${key.secret}`]]) {
      const r = await nsupdate(args, script);
      expect(r.code, r.out).not.toBe(0);
      expect(r.out).toMatch(/NOTAUTH|REFUSED/);
    }
    const axfr = await digOut(dnsPort, [CATALOG, "AXFR", "-y", `${key.algorithm}:${key.name}:${key.secret}`]);
    expect(axfr).toMatch(/\sPTR\s/);
    expect(axfr).not.toContain("evil.example");
  });

  it("both serve the zone the catalog lists at start, with nothing of it in their configs", async () => {
    const [b, k] = await Promise.all([
      within(FOLLOW_MS, () => serves(bind.port, DEMO_ZONE)),
      within(FOLLOW_MS, () => serves(knot.port, DEMO_ZONE)),
    ]);
    expect(b, bind.log()).toBeDefined();
    expect(k, knot.log()).toBeDefined();
  });

  it("a zone created with the CLI appears on both; a host updated in it follows by IXFR", async () => {
    const created = await runCli(dir.path, ["zone", "add", ZONE]);
    expect(created.code, created.stderr).toBe(0);
    const [b, k] = await Promise.all([
      within(FOLLOW_MS, () => serves(bind.port, ZONE)),
      within(FOLLOW_MS, () => serves(knot.port, ZONE)),
    ]);
    console.log(`new zone served after the CLI returned: BIND ${b} ms, Knot ${k} ms`);
    expect(b, `${bind.log()}\n${beacon.stderr()}`).toBeDefined();
    expect(k, `${knot.log()}\n${beacon.stderr()}`).toBeDefined();

    // they were told: one NOTIFY of the catalog's new serial acknowledged by each
    const soa = await dig(dnsPort, [CATALOG, "SOA"]);
    const serial = Number(soa.answers[0]?.split(/\s+/)[6]);
    const acked = beacon
      .stderr()
      .split("\n")
      .filter(
        (l) =>
          l.includes("NOTIFY acknowledged") &&
          l.includes(`"zone":"${CATALOG}"`) &&
          l.includes(`"serial":${serial}`),
      );
    expect(acked, beacon.stderr()).toHaveLength(2);

    const host = await runCli(dir.path, ["host", "add", HOST, "--json"]);
    expect(host.code, host.stderr).toBe(0);
    const token = (JSON.parse(host.stdout) as { token: string }).token;
    let reply = "";
    // the server notices the CLI's host within about a second
    await within(FOLLOW_MS, async () => {
      const r = await fetch(`${beacon.url}/nic/update?hostname=${HOST}&myip=81.2.69.160`, {
        headers: { authorization: basic(HOST, token), "user-agent": "e2e/1.0" },
      });
      reply = await r.text();
      return reply.startsWith("good");
    });
    expect(reply).toBe("good 81.2.69.160");
    const answers = (port: number) => async () =>
      (await dig(port, [HOST, "A"]).catch(() => undefined))?.answers.some((l) =>
        /\s81\.2\.69\.160$/.test(l),
      ) === true;
    const [bA, kA] = await Promise.all([
      within(FOLLOW_MS, answers(bind.port)),
      within(FOLLOW_MS, answers(knot.port)),
    ]);
    expect(bA, bind.log()).toBeDefined();
    expect(kA, knot.log()).toBeDefined();
    // Beacon names each transfer's kind: the host's change went to the member zone as a diff.
    const ixfrs = transfersOf(ZONE, "IXFR");
    expect(ixfrs.length, beacon.stderr()).toBeGreaterThanOrEqual(1);
    // and the catalog's own change went to the secondaries as a diff too
    const catalogIxfrs = transfersOf(CATALOG, "IXFR");
    expect(catalogIxfrs.length, beacon.stderr()).toBeGreaterThanOrEqual(1);
    expect(knot.log()).toMatch(new RegExp(`\\[${ZONE.replaceAll(".", "\\.")}\\.\\] IXFR, incoming`));
  });

  it("the zone deleted, both drop it", async () => {
    const removed = await runCli(dir.path, ["zone", "rm", ZONE, "--force"]);
    expect(removed.code, removed.stderr).toBe(0);
    const [b, k] = await Promise.all([
      within(FOLLOW_MS, async () => !(await serves(bind.port, ZONE))),
      within(FOLLOW_MS, async () => !(await serves(knot.port, ZONE))),
    ]);
    console.log(`deleted zone dropped: BIND ${b} ms, Knot ${k} ms`);
    expect(b, bind.log()).toBeDefined();
    expect(k, knot.log()).toBeDefined();
    // The other zone stays (one dig may time out on a loaded machine while a secondary reconfigures
    // its catalog members: a zone really dropped fails after the deadline).
    expect(await within(FOLLOW_MS, () => serves(bind.port, DEMO_ZONE)), bind.log()).toBeDefined();
    expect(await within(FOLLOW_MS, () => serves(knot.port, DEMO_ZONE)), knot.log()).toBeDefined();
  });
});
