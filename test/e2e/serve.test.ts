// The real `beacon serve` end to end: updates over HTTP, answers over UDP and TCP from dig and from
// Node's own resolver, and CLI edits reaching a running server.

import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHost, basic, runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig, type DigAnswer } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";

const ZONE = "dyn.beacon.test";
const HOST = `home.${ZONE}`;

describe("beacon serve end to end", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let token: string;

  beforeAll(async () => {
    // The host is created before the server starts, and one more later while it runs.
    const first = await startBeacon({ dataDir: dir.path });
    expect(first.stdout()).toContain(`Created the demo zone ${ZONE}`);
    expect(await first.stop()).toBe(0);
    token = await addHost(dir.path, HOST);
    beacon = await startBeacon({ dataDir: dir.path });
  });

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  const update = (query: string, auth = basic(HOST, token)) =>
    fetch(`${beacon.url}/nic/update?${query}`, { headers: { authorization: auth, "user-agent": "e2e/1.0" } });

  it("prints next steps only on the first start", () => {
    expect(beacon.stdout()).not.toContain("Created the demo zone");
    expect(beacon.stdout()).toContain("Beacon is running.");
  });

  it("answers /healthz and /ip over the real socket", async () => {
    const health = await fetch(`${beacon.url}/healthz`);
    expect(health.status).toBe(200);
    const ip = await fetch(`${beacon.url}/ip`);
    expect((await ip.text()).trim()).toBe("127.0.0.1");
  });

  it("a dyndns2 update is visible to the next query, via UDP and TCP", async () => {
    if (!peerAvailable("dig", "bind9-dnsutils")) return;
    const soaBefore = await dig(beacon.dnsPort, [ZONE, "SOA", "+short"]);
    const r = await update(`hostname=${HOST}&myip=1.2.3.4,2a02:1234::1`);
    expect(await r.text()).toBe("good 1.2.3.4,2a02:1234::1");
    const udp = await dig(beacon.dnsPort, [HOST, "A"]);
    expect(udp.status).toBe("NOERROR");
    expect(udp.flags).toContain("aa");
    expect(udp.flags).not.toContain("ra");
    expect(udp.answers.join("\n")).toMatch(/home\.dyn\.beacon\.test\.\s+60\s+IN\s+A\s+1\.2\.3\.4/);
    const tcp = await dig(beacon.dnsPort, [HOST, "AAAA", "+tcp"]);
    expect(tcp.answers.join("\n")).toMatch(/IN\s+AAAA\s+2a02:1234::1/);

    expect(await (await update(`hostname=${HOST}&myip=5.6.7.8`)).text()).toBe("good 5.6.7.8");
    const after = await dig(beacon.dnsPort, [HOST, "A", "+short"]);
    expect(after.raw.trim().split("\n").at(-1)).toBe("5.6.7.8");
    const soaAfter = await dig(beacon.dnsPort, [ZONE, "SOA", "+short"]);
    const serial = (s: DigAnswer) => Number(s.raw.trim().split(/\s+/)[2]);
    expect(serial(soaAfter)).toBeGreaterThan(serial(soaBefore));
  });

  it("Node's resolver gets the same answers", async () => {
    expect(await (await update(`hostname=${HOST}&myip=9.9.9.9`)).text()).toBe("good 9.9.9.9");
    const resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${beacon.dnsPort}`]);
    expect(await resolver.resolve4(HOST)).toEqual(["9.9.9.9"]);
    expect(await resolver.resolve6(HOST)).toEqual(["2a02:1234::1"]);
    await expect(resolver.resolve4(`nothere.${ZONE}`)).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(resolver.resolveTxt(HOST)).rejects.toMatchObject({ code: "ENODATA" });
    const soa = await resolver.resolveSoa(ZONE);
    expect(soa.nsname).toBe(`ns1.${ZONE}`);
  });

  it("NXDOMAIN, NODATA and REFUSED as an authoritative server answers them", async () => {
    if (!peerAvailable("dig", "bind9-dnsutils")) return;
    const nx = await dig(beacon.dnsPort, [`missing.${ZONE}`, "A"]);
    expect(nx.status).toBe("NXDOMAIN");
    expect(nx.authority.join("\n")).toMatch(/IN\s+SOA\s+ns1\.dyn\.beacon\.test\./);
    const nodata = await dig(beacon.dnsPort, [HOST, "TXT"]);
    expect(nodata.status).toBe("NOERROR");
    expect(nodata.answers).toEqual([]);
    expect(nodata.authority.join("\n")).toMatch(/SOA/);
    const outside = await dig(beacon.dnsPort, ["example.com", "A"]);
    expect(outside.status).toBe("REFUSED");
    expect(outside.flags).not.toContain("aa");
    const mixed = await dig(beacon.dnsPort, ["HoMe.DyN.bEaCoN.tEsT", "A"]);
    expect(mixed.raw).toMatch(/;HoMe\.DyN\.bEaCoN\.tEsT\.\s+IN\s+A/);
    // the question is echoed as asked; answers are owned in the data's case, as BIND 9.18 answers
    expect(mixed.answers.join("\n")).toMatch(/^home\.dyn\.beacon\.test\.\s+\d+\s+IN\s+A\s+9\.9\.9\.9/);
  });

  it("a host added with the CLI while the server runs is served without a restart", async () => {
    const other = `office.${ZONE}`;
    if (!peerAvailable("dig", "bind9-dnsutils")) return;
    expect((await dig(beacon.dnsPort, [other, "A"])).status).toBe("NXDOMAIN");
    const serial = async () => Number((await dig(beacon.dnsPort, [ZONE, "SOA", "+short"])).raw.split(" ")[2]);
    const before = await serial();
    const otherToken = await addHost(dir.path, other);
    // The server notices the other process's commit by itself (it polls about once a second): the
    // zone's serial advances. The name itself stays NXDOMAIN until it has a record. Bounded wait.
    let now = before;
    for (let i = 0; i < 50 && now === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await serial();
    }
    expect(now).toBeGreaterThan(before);
    expect((await dig(beacon.dnsPort, [other, "A"])).status).toBe("NXDOMAIN");
    const r = await fetch(`${beacon.url}/nic/update?hostname=${other}&myip=4.4.4.4`, {
      headers: { authorization: `Bearer ${otherToken}`, "user-agent": "e2e/1.0" },
    });
    expect(await r.text()).toBe("good 4.4.4.4");
    const answer = await dig(beacon.dnsPort, [other, "A", "+short"]);
    expect(answer.raw.trim()).toBe("4.4.4.4");
    const listed = await runCli(dir.path, ["host", "list", "--json"]);
    expect((JSON.parse(listed.stdout) as { fqdn: string }[]).map((h) => h.fqdn)).toEqual([HOST, other]);
  });

  it("history records each change with its client", async () => {
    const r = await runCli(dir.path, ["history", HOST, "--json"]);
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as {
      type: string;
      outcome: string;
      newValues?: string[];
      userAgent?: string;
    }[];
    const first = entries.find((e) => e.type === "A" && e.outcome === "good");
    expect(first?.newValues).toEqual(["9.9.9.9"]);
    expect(first?.userAgent).toBe("e2e/1.0");
  });

  it("beacon history shows a refused update as refused, and repeated nochg as one entry ×N", async () => {
    expect(await (await update(`hostname=${HOST}&myip=192.168.1.1`)).text()).toBe("dnserr");
    for (let i = 0; i < 3; i++)
      expect(await (await update(`hostname=${HOST}&myip=9.9.9.9`)).text()).toBe("nochg 9.9.9.9");
    const table = await runCli(dir.path, ["history", HOST]);
    expect(table.stdout).toMatch(/×3, last \S+\s+A\s+nochg\s+9\.9\.9\.9\s+9\.9\.9\.9/);
    expect(table.stdout).toMatch(/refused \(ip_not_global\)\s+9\.9\.9\.9\s+192\.168\.1\.1 \(not applied\)/);
    const json = JSON.parse((await runCli(dir.path, ["history", HOST, "--json"])).stdout) as {
      outcome: string;
      refused: boolean;
      newValues?: string[];
      count: number;
    }[];
    expect(json[0]).toMatchObject({ outcome: "nochg", refused: false, count: 3 });
    expect(json[1]).toMatchObject({ outcome: "ip_not_global", refused: true, newValues: ["192.168.1.1"] });
  });

  it("a host deleted and added again: the old token is refused, the new host's history starts empty", async () => {
    expect((await runCli(dir.path, ["host", "rm", HOST])).code).toBe(0);
    const fresh = await addHost(dir.path, HOST);
    const old = await update(`hostname=${HOST}&myip=9.9.9.9`);
    expect([old.status, await old.text()]).toEqual([401, "badauth"]);
    const tokens = JSON.parse((await runCli(dir.path, ["token", "list", "--json"])).stdout) as {
      revokedAt?: number;
    }[];
    expect(tokens.filter((t) => t.revokedAt !== undefined)).toHaveLength(1);
    expect(JSON.parse((await runCli(dir.path, ["history", HOST, "--json"])).stdout)).toEqual([]);
    const all = JSON.parse(
      (await runCli(dir.path, ["history", "--all", HOST, "--json"])).stdout,
    ) as unknown[];
    expect(all.length).toBeGreaterThan(0);
    expect(await (await update(`hostname=${HOST}&myip=9.9.9.9`, basic(HOST, fresh))).text()).toBe(
      "good 9.9.9.9",
    );
  });
});
