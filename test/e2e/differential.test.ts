// Differential test: the real `beacon serve` and a real BIND 9 (named) serve the same zone content, and
// the same queries (names present and absent, empty non-terminals, every type we serve and some we do
// not, odd case, no EDNS and EDNS 512/1232/4096, UDP and TCP, ANY, SOA/NS at the apex, names outside
// the zone) must get the same rcode, flags (qr aa tc rd ra), answer, authority and additional sets and
// the same EDNS presence and size. Both are asked by the same `dig`, so records compare as dig's text.
//
// Allowed differences, each asserted as narrowly as it can be, with its reason at the assertion:
// - ANY: Beacon answers RFC 8482's synthesised HINFO; BIND 9.18 (minimal-any no) lists every RRset.
// - RD=0: BIND's default `minimal-responses no-auth-recursive` adds the apex NS (authority) and their
//   glue (additional) to positive answers of non-recursive queries; Beacon answers minimally always.
// - EDNS size 512: BIND leaves out the optional glue of the apex NS answer; Beacon adds it (it fits).
// - Truncated UDP answers: both set TC; BIND may include the records that fit (a partial RRset),
//   Beacon includes none (RFC 2181 §9).
// Found by this test and fixed in the engine: answer and negative-SOA owners now take the zone data's
// case, not the question's (BIND 9.18 does; the question itself is still echoed as asked), and an
// NXDOMAIN to an SOA query carries the SOA with TTL 0 (BIND's zero-no-soa-ttl). Issue 13: the DO bit
// is copied into the reply's OPT (RFC 3225), a host without records is NXDOMAIN (it is in no AXFR,
// so BIND has no such name), and classes other than IN get BIND's rcodes (ANY/NONE FORMERR, CH/HS
// REFUSED, others NOTIMP).

import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namedOptions } from "../../src/providers/testing/peers/bind.js";
import { startDnsPeer, type DnsPeer } from "../../src/providers/testing/peers/dns-peer.js";
import { createDatabase, runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";

const ZONE = "diff.test";
const haveBind = peerAvailable("named", "bind9") && peerAvailable("dig", "bind9-dnsutils");

/** Host → TTL and record sets, set through Beacon's HTTP API and written to BIND's zone file alike. */
const HOSTS: Record<string, { ttl: number; A?: string[]; AAAA?: string[]; TXT?: string[] }> = {
  [`ns1.${ZONE}`]: { ttl: 3600, A: ["192.0.2.53"], AAAA: ["2001:db8::53"] },
  [`www.${ZONE}`]: { ttl: 60, A: ["192.0.2.1", "192.0.2.2"], AAAA: ["2001:db8::1"] },
  [`v4only.${ZONE}`]: { ttl: 120, A: ["198.51.100.7"] },
  [`a.b.c.${ZONE}`]: { ttl: 300, TXT: ["hello world"] }, // b.c and c are empty non-terminals
  [`long.${ZONE}`]: { ttl: 300, TXT: ["x".repeat(255)] },
  [`many.${ZONE}`]: { ttl: 300, TXT: Array.from({ length: 12 }, (_, i) => `${i}`.padStart(200, "m")) },
  [`odd.${ZONE}`]: { ttl: 300, TXT: ['quote " backslash \\ semi ; end', "v=spf1 -all", ""] },
  [`_acme-challenge.${ZONE}`]: { ttl: 60, TXT: ["token-one", "token-two"] },
  // Hosts without records are in no AXFR, so BIND (like every secondary) has no such names: Beacon
  // must answer NXDOMAIN for them too, and NODATA for one that has a host with records below it.
  [`bare.${ZONE}`]: { ttl: 60 },
  [`parent.${ZONE}`]: { ttl: 60 },
  [`child.parent.${ZONE}`]: { ttl: 60, A: ["192.0.2.77"] },
};

const QTYPES = ["A", "AAAA", "TXT", "SOA", "NS", "MX", "CNAME", "CAA"];
const NAMES = [
  ZONE,
  "DiFf.TeSt",
  `www.${ZONE}`,
  `WwW.dIfF.tEsT`,
  `ns1.${ZONE}`,
  `v4only.${ZONE}`,
  `a.b.c.${ZONE}`,
  `b.c.${ZONE}`,
  `c.${ZONE}`,
  `long.${ZONE}`,
  `odd.${ZONE}`,
  `_acme-challenge.${ZONE}`,
  `bare.${ZONE}`,
  `below.bare.${ZONE}`,
  `parent.${ZONE}`,
  `child.parent.${ZONE}`,
  `nope.${ZONE}`,
  `deep.below.www.${ZONE}`,
  "other.test",
  "test",
  "example.org",
];

let dir: ReturnType<typeof tempDir>;
let beacon: Beacon;
let bind: DnsPeer;

beforeAll(async () => {
  if (!haveBind) return;
  dir = tempDir();
  await createDatabase(dir.path);
  const zone = await runCli(dir.path, ["zone", "add", ZONE, "--ns", `ns1.${ZONE},ns2.elsewhere.example`]);
  if (zone.code !== 0) throw new Error(`zone add failed: ${zone.stderr}`);
  const tokens = new Map<string, string>();
  for (const [fqdn, h] of Object.entries(HOSTS)) {
    const r = await runCli(dir.path, ["host", "add", fqdn, "--ttl", String(h.ttl), "--json"]);
    if (r.code !== 0) throw new Error(`host add failed: ${r.stderr}`);
    tokens.set(fqdn, (JSON.parse(r.stdout) as { token: string }).token);
  }
  beacon = await startBeacon({
    dataDir: dir.path,
    env: { BEACON_UPDATES_ALLOW_NON_GLOBAL: "true", BEACON_DEMO_ENABLED: "false" },
  });
  for (const [fqdn, h] of Object.entries(HOSTS)) {
    const body = { ...(h.A && { A: h.A }), ...(h.AAAA && { AAAA: h.AAAA }), ...(h.TXT && { TXT: h.TXT }) };
    if (Object.keys(body).length === 0) continue;
    const res = await fetch(`${beacon.url}/api/v1/hosts/${fqdn}/records`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${tokens.get(fqdn)}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`PATCH ${fqdn}: ${res.status} ${await res.text()}`);
  }
  // BIND gets Beacon's own SOA (serial included), so SOA answers and negative answers compare exactly.
  const soa = (await digBatch(beacon.dnsPort, ["+short"], [[ZONE, "SOA"]]))[0]!.raw.trim();
  const zoneText = zoneFile(soa);
  bind = await startDnsPeer({
    program: "named",
    zone: ZONE,
    configure: async (d, port) => {
      await writeFile(path.join(d, `${ZONE}.db`), zoneText);
      const conf = path.join(d, "named.conf");
      await writeFile(conf, namedConf(d, port));
      return ["-g", "-c", conf];
    },
  });
}, 60_000);

afterAll(async () => {
  await bind?.stop();
  await beacon?.stop();
  dir?.remove();
});

function zoneFile(soa: string): string {
  const lines = [
    "$TTL 60",
    `@ 60 IN SOA ${soa}`,
    `@ 60 IN NS ns1.${ZONE}.`,
    "@ 60 IN NS ns2.elsewhere.example.",
  ];
  for (const [fqdn, h] of Object.entries(HOSTS)) {
    for (const a of h.A ?? []) lines.push(`${fqdn}. ${h.ttl} IN A ${a}`);
    for (const a of h.AAAA ?? []) lines.push(`${fqdn}. ${h.ttl} IN AAAA ${a}`);
    for (const t of h.TXT ?? [])
      lines.push(`${fqdn}. ${h.ttl} IN TXT "${t.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  }
  return `${lines.join("\n")}\n`;
}

function namedConf(d: string, port: number): string {
  return [
    ...namedOptions(d, port, []),
    `zone "${ZONE}" { type primary; file "${path.join(d, `${ZONE}.db`)}"; };`,
    "",
  ].join("\n");
}

interface DigReply {
  readonly status: string;
  readonly flags: string;
  readonly edns: string;
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  readonly additional: readonly string[];
  readonly raw: string;
}

/** Name, type and (default IN) class, as dig reads them; a class as CLASSnnn (dig reads ANY as a type). */
type Question = readonly [string, string, string?];

/** One `dig` run asking every [name, type] in order; replies in the same order. */
function digBatch(port: number, opts: readonly string[], queries: readonly Question[]): Promise<DigReply[]> {
  const args = [
    "@127.0.0.1",
    "-p",
    String(port),
    "+time=3",
    "+tries=2",
    "+nocookie",
    "+noadflag",
    "+ignore",
    ...opts,
  ];
  for (const [name, type, klass] of queries) args.push(name, type, ...(klass === undefined ? [] : [klass]));
  return new Promise((resolve, reject) => {
    const child = spawn("dig", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", () => {
      if (opts.includes("+short")) return resolve([{ raw: out } as DigReply]);
      const parts = out.split(/(?=;; ->>HEADER<<-)/).filter((p) => p.includes("->>HEADER<<-"));
      if (parts.length !== queries.length) {
        return reject(new Error(`dig gave ${parts.length} replies for ${queries.length} queries:\n${out}`));
      }
      resolve(parts.map(parseReply));
    });
  });
}

function parseReply(raw: string): DigReply {
  const section = (name: string): string[] => {
    const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(raw);
    const lines = m?.[1] === undefined ? [] : m[1].split("\n").filter((l) => l.trim() !== "");
    return lines.map((l) => l.replace(/\s+/g, " ")).sort();
  };
  return {
    status: /status: ([A-Z]+)/.exec(raw)?.[1] ?? "NONE",
    flags: (/;; flags: ([a-z ]*);/.exec(raw)?.[1] ?? "").trim().split(/\s+/).sort().join(" "),
    edns: /; EDNS: version: (\d+), flags:([a-z ]*); udp: (\d+)/.exec(raw)?.slice(1).join("/") ?? "none",
    answer: section("ANSWER"),
    authority: section("AUTHORITY"),
    additional: section("ADDITIONAL"),
    raw,
  };
}

/** Asks both servers; returns [beacon, bind] replies side by side. */
async function both(opts: readonly string[], queries: readonly Question[]) {
  const [b, n] = await Promise.all([
    digBatch(beacon.dnsPort, opts, queries),
    digBatch(bind.port, opts, queries),
  ]);
  return queries.map((q, i) => ({
    q: `${q.filter(Boolean).join(" ")} ${opts.join(" ")}`,
    beacon: b[i]!,
    bind: n[i]!,
  }));
}

/** Which sections a comparison covers beyond rcode, flags and EDNS. */
type Sections = readonly ("answer" | "authority" | "additional")[];
const ALL: Sections = ["answer", "authority", "additional"];

const comparable = (r: DigReply, sections: Sections = ALL) => ({
  status: r.status,
  flags: r.flags,
  edns: r.edns,
  ...Object.fromEntries(sections.map((s) => [s, r[s]])),
});

/** Every pair whose compared parts differ, both sides shown (so one run reports every difference). */
function mismatches(pairs: readonly { q: string; beacon: DigReply; bind: DigReply }[], sections = ALL) {
  const differ = (p: { beacon: DigReply; bind: DigReply }) =>
    JSON.stringify(comparable(p.beacon, sections)) !== JSON.stringify(comparable(p.bind, sections));
  return pairs
    .filter(differ)
    .map((p) => ({ q: p.q, beacon: comparable(p.beacon, sections), bind: comparable(p.bind, sections) }));
}

const VARIANTS: readonly (readonly string[])[] = [
  ["+bufsize=1232"],
  ["+noedns"],
  ["+bufsize=512"],
  ["+bufsize=4096"],
  ["+tcp"],
  ["+tcp", "+noedns"],
  ["+dnssec", "+bufsize=1232"], // DO copied into the reply's OPT (RFC 3225)
  ["+dnssec", "+tcp"],
];

const EVERY_QUERY = NAMES.flatMap((n) => QTYPES.map((t) => [n, t] as [string, string]));

describe.skipIf(!haveBind)("differential: Beacon and BIND 9 serving the same zone", () => {
  for (const variant of VARIANTS) {
    it(`every name × type, RD=1, ${variant.join(" ")}: same rcode, flags, sections, EDNS`, async () => {
      const pairs = await both(variant, EVERY_QUERY);
      // Allowed: at an EDNS size of exactly 512 BIND leaves out the optional glue of the apex NS
      // answer (additional data is optional, RFC 2181 §9); Beacon adds it because it fits (135 bytes).
      const sections: Sections = variant.includes("+bufsize=512") ? ["answer", "authority"] : ALL;
      expect(mismatches(pairs, sections)).toEqual([]);
      // the comparison saw what it should: answers, NODATA/NXDOMAIN and REFUSED
      const statuses = new Set(pairs.map((p) => p.beacon.status));
      expect([...statuses].sort()).toEqual(["NOERROR", "NXDOMAIN", "REFUSED"]);
      expect(pairs.filter((p) => p.beacon.answer.length > 0).length).toBeGreaterThan(10);
      const status = (name: string) => pairs.find((p) => p.q.startsWith(`${name} A `))?.beacon.status;
      expect([status(`bare.${ZONE}`), status(`parent.${ZONE}`)]).toEqual(["NXDOMAIN", "NOERROR"]);
      if (variant.includes("+dnssec")) expect(pairs.every((p) => p.beacon.edns.includes(" do"))).toBe(true);
    });
  }

  it("a TXT set too big for UDP: truncated alike at 512, 1232 and 4096 (our UDP cap), whole over TCP", async () => {
    const [whole] = await both(["+tcp"], [[`many.${ZONE}`, "TXT"]]);
    expect(comparable(whole!.beacon)).toEqual(comparable(whole!.bind));
    expect(whole!.beacon.answer).toHaveLength(12);
    for (const variant of [["+noedns"], ["+bufsize=512"], ["+bufsize=1232"], ["+bufsize=4096"]]) {
      const [p] = await both(variant, [[`many.${ZONE}`, "TXT"]]);
      // Allowed: BIND may send the records that fit along with TC (a partial RRset); Beacon sends none,
      // as RFC 2181 §9 advises (a client must not use a truncated RRset). Both set TC.
      expect(comparable(p!.beacon, ["authority"])).toEqual(comparable(p!.bind, ["authority"]));
      expect(p!.beacon.flags.split(" ")).toContain("tc");
      expect(p!.beacon.answer).toEqual([]);
      expect(p!.bind.answer.every((rr) => whole!.bind.answer.includes(rr))).toBe(true);
    }
  });

  it("RD=0: same rcode, flags and answer (BIND adds NS/glue to positive answers: allowed, see the header)", async () => {
    const pairs = await both(["+norec", "+bufsize=1232"], EVERY_QUERY);
    expect(mismatches(pairs, ["answer"])).toEqual([]);
    // wherever BIND's answer section is empty (negative answers, REFUSED) everything must match
    expect(mismatches(pairs.filter((p) => p.bind.answer.length === 0))).toEqual([]);
  });

  it("QCLASS ANY, NONE, CHAOS, Hesiod, CLASS7: the same rcode, flags and sections as BIND", async () => {
    const classes = ["CLASS255", "CLASS254", "CH", "HS", "CLASS7"];
    const names: Question[] = [
      [`www.${ZONE}`, "A"],
      [`nope.${ZONE}`, "A"],
      [ZONE, "SOA"],
      ["example.org", "A"],
    ];
    const queries = classes.flatMap((c) => names.map(([n, t]) => [n, t, c] as const));
    const seen = new Set<string>();
    for (const variant of [["+noedns"], ["+noedns", "+tcp"]]) {
      const pairs = await both(variant, queries);
      expect(mismatches(pairs)).toEqual([]);
      for (const p of pairs) seen.add(`${p.q.split(" ")[2]} ${p.beacon.status}`);
    }
    // the comparison saw the three answers BIND gives: FORMERR (meta-classes), REFUSED, NOTIMP
    expect([...seen].sort()).toEqual([
      "CH REFUSED",
      "CLASS254 FORMERR",
      "CLASS255 FORMERR",
      "CLASS7 NOTIMP",
      "HS REFUSED",
    ]);
  });

  it("ANY: same rcode and flags; Beacon's answer is the RFC 8482 HINFO, negative answers identical", async () => {
    const queries: [string, string][] = [
      [`www.${ZONE}`, "ANY"],
      [ZONE, "ANY"],
      [`c.${ZONE}`, "ANY"],
      [`nope.${ZONE}`, "ANY"],
      ["example.org", "ANY"],
    ];
    const pairs = await both(["+bufsize=1232"], queries);
    expect(mismatches(pairs, [])).toEqual([]);
    // Allowed: BIND 9.18 (minimal-any no) lists every RRset; Beacon answers RFC 8482's HINFO.
    for (const p of pairs) {
      if (p.bind.status !== "NOERROR") expect(comparable(p.beacon)).toEqual(comparable(p.bind));
      else expect(p.beacon.answer).toEqual([expect.stringMatching(/\sIN HINFO "RFC8482" ""$/)]);
    }
    expect(pairs.filter((p) => p.bind.status === "NOERROR")).toHaveLength(3);
  });
});
