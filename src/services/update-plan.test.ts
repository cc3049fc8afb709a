import { describe, expect, it } from "vitest";
import { isGlobalUnicast, type ParsedIp } from "../core/ip.js";
import type { RRSet } from "../core/records.js";
import type { HostOutcome, UpdateSource } from "../core/update.js";
import type { HistoryEntry, RRSetWrite, TokenRecord } from "../store/types.js";
import { HISTORY_LIMITS } from "./history-entry.js";
import {
  mergePlans,
  plan,
  planOverLimit,
  screen,
  type HostFacts,
  type HostSets,
  type Plan,
  type Requested,
} from "./update-plan.js";

const HOME = "home.example.com";
const LAB = "lab.example.com";
const V4 = "81.2.69.142";
const V4B = "81.2.69.160";
const V6 = "2a02:8070:a1b2::1";
const AT = 1_700_000_000_000;
const source: UpdateSource = { ip: V4, userAgent: "test/1", protocol: "api", tokenId: "tk_aaaaaaaaaa" };

const a = (values: string[], ttl = 120): RRSet => ({ type: "A", ttl, values });
const aaaa = (values: string[], ttl = 120): RRSet => ({ type: "AAAA", ttl, values });

/** What the service reads for a host of example.com (zone ttl 120 unless `more` says) that has `stored`. */
function found(
  stored: RRSet[] = [],
  more: { readonly hostTtl?: number; readonly zoneTtl?: number | undefined } = {},
): HostFacts {
  const zoneTtl = "zoneTtl" in more ? more.zoneTtl : 120;
  return { kind: "found", zone: "example.com", hostTtl: more.hostTtl, zoneTtl, stored };
}

const sets = (...s: RRSet[]): HostSets => new Map(s.map((x) => [x.type, x]));

function token(types: TokenRecord["types"] = ["A", "AAAA", "TXT"]): Pick<TokenRecord, "names" | "types"> {
  return { names: [{ name: HOME, subtree: false }], types };
}

interface Options {
  readonly facts?: Readonly<Record<string, HostFacts>>;
  readonly earlier?: ReadonlyMap<string, HostSets>;
  readonly acceptsAddress?: (ip: ParsedIp) => boolean;
  readonly source?: UpdateSource;
}

/** Screens and plans `req` the way the service does, with `facts` for the hosts it reads. */
function decide(req: Partial<Requested>, opts: Options = {}): Plan {
  const full: Requested = { token: undefined, hosts: [HOME], sets: { A: { values: [V4] } }, ...req };
  return plan(screen(full), new Map(Object.entries(opts.facts ?? { [HOME]: found() })), {
    at: AT,
    source: opts.source ?? source,
    acceptsAddress: opts.acceptsAddress ?? isGlobalUnicast,
    earlier: opts.earlier ?? new Map(),
  });
}

/** One entry as a line: "fqdn type outcome old→new". */
const line = (h: HistoryEntry) =>
  `${h.fqdn} ${h.type} ${h.outcome} ${h.oldValues?.join("|") ?? "-"}→${h.newValues?.join("|") ?? "-"}`;

interface Case {
  readonly name: string;
  readonly req: Partial<Requested>;
  readonly opts?: Options;
  readonly outcomes: readonly Partial<HostOutcome>[];
  readonly writes: readonly RRSetWrite[];
  readonly history: readonly string[];
  readonly changed?: readonly string[];
  readonly unchanged?: readonly string[];
}

const cases: Case[] = [
  {
    name: "a new set is good: one write, one entry, the host changed",
    req: {},
    outcomes: [{ status: "good", fqdn: HOME, sets: [a([V4])] }],
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl: 120, values: [V4] } }],
    history: [`${HOME} A good -→${V4}`],
    changed: [HOME],
  },
  {
    name: "the set it already has is nochg: no write, a nochg entry, the host unchanged",
    req: {},
    opts: { facts: { [HOME]: found([a([V4])]) } },
    outcomes: [{ status: "nochg", fqdn: HOME, sets: [a([V4])] }],
    writes: [],
    history: [`${HOME} A nochg ${V4}→${V4}`],
    unchanged: [HOME],
  },
  {
    name: "values equal once canonical (order, duplicates, v6 spelling) are nochg",
    req: { sets: { A: { values: [V4B, V4, V4] }, AAAA: { values: ["2A02:8070:A1B2:0:0:0:0:1"] } } },
    opts: { facts: { [HOME]: found([a([V4, V4B]), aaaa([V6])]) } },
    outcomes: [{ status: "nochg", sets: [a([V4, V4B]), aaaa([V6])] }],
    writes: [],
    history: [`${HOME} A nochg ${V4}|${V4B}→${V4}|${V4B}`, `${HOME} AAAA nochg ${V6}→${V6}`],
    unchanged: [HOME],
  },
  {
    name: "a ttl change alone is good",
    req: { sets: { A: { values: [V4], ttl: 300 } } },
    opts: { facts: { [HOME]: found([a([V4])]) } },
    outcomes: [{ status: "good", sets: [a([V4], 300)] }],
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl: 300, values: [V4] } }],
    history: [`${HOME} A good ${V4}→${V4}`],
    changed: [HOME],
  },
  {
    name: "one type changed and one not: good, only the changed type written, other types kept",
    req: { sets: { A: { values: [V4B] }, AAAA: { values: [V6] } } },
    opts: { facts: { [HOME]: found([a([V4]), aaaa([V6]), { type: "TXT", ttl: 120, values: ["t"] }]) } },
    outcomes: [{ status: "good", sets: [a([V4B]), aaaa([V6]), { type: "TXT", ttl: 120, values: ["t"] }] }],
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl: 120, values: [V4B] } }],
    history: [`${HOME} A good ${V4}→${V4B}`, `${HOME} AAAA nochg ${V6}→${V6}`],
    changed: [HOME],
  },
  {
    name: "null deletes a set: a null write, a deleted entry, the other sets stay",
    req: { sets: { AAAA: null } },
    opts: { facts: { [HOME]: found([a([V4]), aaaa([V6])]) } },
    outcomes: [{ status: "good", sets: [a([V4])] }],
    writes: [{ fqdn: HOME, type: "AAAA", rrset: null }],
    history: [`${HOME} AAAA deleted ${V6}→-`],
    changed: [HOME],
  },
  {
    name: "deleting a set that is not there is nochg",
    req: { sets: { AAAA: null } },
    opts: { facts: { [HOME]: found([a([V4])]) } },
    outcomes: [{ status: "nochg", sets: [a([V4])] }],
    writes: [],
    history: [`${HOME} AAAA nochg -→-`],
    unchanged: [HOME],
  },
  {
    name: "a name requested again (any case, trailing dot) gets the first outcome, planned and recorded once",
    req: { hosts: [HOME, "HOME.example.com.", "home.EXAMPLE.com"] },
    outcomes: Array(3).fill({ status: "good", fqdn: HOME, sets: [a([V4])] }),
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl: 120, values: [V4] } }],
    history: [`${HOME} A good -→${V4}`],
    changed: [HOME],
  },
  {
    name: "a name refused and requested again gets the same refusal, recorded nowhere",
    req: { hosts: [LAB, "LAB.example.com."], token: token() },
    opts: { facts: {} },
    outcomes: Array(2).fill({ status: "failed", fqdn: LAB, code: "forbidden" }),
    writes: [],
    history: [],
  },
  {
    name: "per-host sets replace the request's sets for that host",
    req: { hosts: [HOME, LAB], setsByHost: new Map([[LAB, { TXT: { values: ["t"] } }]]) },
    opts: { facts: { [HOME]: found(), [LAB]: found() } },
    outcomes: [
      { status: "good", fqdn: HOME, sets: [a([V4])] },
      { status: "good", fqdn: LAB, sets: [{ type: "TXT", ttl: 120, values: ["t"] }] },
    ],
    writes: [
      { fqdn: HOME, type: "A", rrset: { ttl: 120, values: [V4] } },
      { fqdn: LAB, type: "TXT", rrset: { ttl: 120, values: ["t"] } },
    ],
    history: [`${HOME} A good -→${V4}`, `${LAB} TXT good -→t`],
    changed: [HOME, LAB],
  },
  // Refused address kinds: the policy refuses what is not global unicast; the kind is checked first.
  ...(
    [
      ["a private v4", { A: { values: ["10.0.0.1"] } }, "ip_not_global", `A ip_not_global ${V4B}→10.0.0.1`],
      ["a CGNAT v4", { A: { values: ["100.64.0.1"] } }, "ip_not_global", `A ip_not_global ${V4B}→100.64.0.1`],
      ["a loopback v6", { AAAA: { values: ["::1"] } }, "ip_not_global", "AAAA ip_not_global -→::1"],
      ["a link-local v6", { AAAA: { values: ["fe80::1"] } }, "ip_not_global", "AAAA ip_not_global -→fe80::1"],
      ["a v6 in an A set", { A: { values: [V6] } }, "invalid_ip", `A invalid_ip ${V4B}→${V6}`],
      ["a v4 in an AAAA set", { AAAA: { values: [V4] } }, "invalid_ip", `AAAA invalid_ip -→${V4}`],
      ["an empty set", { A: { values: [] } }, "invalid_record", `A invalid_record ${V4B}→`],
    ] as const
  ).map(([what, sets, code, entry]): Case => ({
    name: `${what} fails ${code}, recorded with the code and the values asked for`,
    req: { sets },
    opts: { facts: { [HOME]: found([a([V4B])]) } },
    outcomes: [{ status: "failed", fqdn: HOME, code }],
    writes: [],
    history: [`${HOME} ${entry}`],
  })),
  {
    name: "a non-global address is good where the policy accepts it",
    req: { sets: { A: { values: ["10.0.0.1"] } } },
    opts: { acceptsAddress: () => true },
    outcomes: [{ status: "good", sets: [a(["10.0.0.1"])] }],
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl: 120, values: ["10.0.0.1"] } }],
    history: [`${HOME} A good -→10.0.0.1`],
    changed: [HOME],
  },
  {
    name: "one refused type refuses the host's whole change, every type recorded with the code",
    req: { sets: { A: { values: [V4] }, AAAA: { values: ["::1"] } } },
    outcomes: [{ status: "failed", code: "ip_not_global" }],
    writes: [],
    history: [`${HOME} A ip_not_global -→${V4}`, `${HOME} AAAA ip_not_global -→::1`],
  },
  // ttl: the one asked for, else the host's, else the zone's, else 60; it must be an integer in 1..604800.
  ...(
    [
      ["asked for", { ttl: 300 }, { hostTtl: 30 }, 300],
      ["the host's", {}, { hostTtl: 30 }, 30],
      ["the zone's", {}, {}, 120],
      ["60 without a zone", {}, { zoneTtl: undefined }, 60],
      ["1, the least", { ttl: 1 }, {}, 1],
      ["604800, the most", { ttl: 604_800 }, {}, 604_800],
    ] as const
  ).map(([what, asked, more, ttl]): Case => ({
    name: `the ttl is ${what}`,
    req: { sets: { A: { values: [V4], ...asked } } },
    opts: { facts: { [HOME]: found([], more) } },
    outcomes: [{ status: "good", sets: [a([V4], ttl)] }],
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl, values: [V4] } }],
    history: [`${HOME} A good -→${V4}`],
    changed: [HOME],
  })),
  ...([0, -1, 1.5, 604_801] as const).map((ttl): Case => ({
    name: `a ttl of ${ttl} fails invalid_ttl, recorded`,
    req: { sets: { A: { values: [V4], ttl } } },
    outcomes: [{ status: "failed", code: "invalid_ttl" }],
    writes: [],
    history: [`${HOME} A invalid_ttl -→${V4}`],
  })),
  {
    name: "a host's default ttl out of range fails the set that falls back to it",
    req: {},
    opts: { facts: { [HOME]: found([], { hostTtl: 0 }) } },
    outcomes: [{ status: "failed", code: "invalid_ttl" }],
    writes: [],
    history: [`${HOME} A invalid_ttl -→${V4}`],
  },
  // The token: scope (name and every type asked for) before anything is read; its host after.
  {
    name: "a token not covering the name is forbidden before the host is read, recorded nowhere",
    req: { hosts: [LAB], token: token() },
    opts: { facts: {} },
    outcomes: [{ status: "failed", fqdn: LAB, code: "forbidden" }],
    writes: [],
    history: [],
  },
  {
    name: "a token not allowing one of the types asked for is forbidden for the whole host",
    req: { sets: { A: { values: [V4] }, AAAA: { values: [V6] } }, token: token(["A"]) },
    opts: { facts: {} },
    outcomes: [{ status: "failed", code: "forbidden" }],
    writes: [],
    history: [],
  },
  {
    name: "a token allowing the name and types plans the change",
    req: { token: token(["A"]) },
    outcomes: [{ status: "good" }],
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl: 120, values: [V4] } }],
    history: [`${HOME} A good -→${V4}`],
    changed: [HOME],
  },
  {
    name: "a token made for an earlier host of the name is forbidden, recorded nowhere",
    req: { token: token() },
    opts: { facts: { [HOME]: { kind: "foreign" } } },
    outcomes: [
      { status: "failed", code: "forbidden", message: `the token was made for an earlier "${HOME}"` },
    ],
    writes: [],
    history: [],
  },
  {
    name: "an invalid name fails invalid_hostname under the name as given",
    req: { hosts: ["bad name.example.com", HOME] },
    outcomes: [
      { status: "failed", fqdn: "bad name.example.com", code: "invalid_hostname" },
      { status: "good" },
    ],
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl: 120, values: [V4] } }],
    history: [`${HOME} A good -→${V4}`],
    changed: [HOME],
  },
  {
    name: "a missing host fails host_not_found, recorded nowhere",
    req: { hosts: ["nope.example.com", HOME] },
    opts: { facts: { "nope.example.com": { kind: "missing" }, [HOME]: found() } },
    outcomes: [{ status: "failed", fqdn: "nope.example.com", code: "host_not_found" }, { status: "good" }],
    writes: [{ fqdn: HOME, type: "A", rrset: { ttl: 120, values: [V4] } }],
    history: [`${HOME} A good -→${V4}`],
    changed: [HOME],
  },
  {
    name: "a host over its limit fails rate_limited with whole seconds to wait, recorded nowhere",
    req: {},
    opts: { facts: { [HOME]: { kind: "limited", waitMs: 1500 } } },
    outcomes: [{ status: "failed", code: "rate_limited", retryAfterSeconds: 2 }],
    writes: [],
    history: [],
  },
];

describe("plan", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const p = decide(c.req, c.opts);
    expect(p.outcomes).toHaveLength(c.outcomes.length);
    c.outcomes.forEach((o, i) => expect(p.outcomes[i]).toMatchObject(o));
    expect(p.writes).toEqual(c.writes);
    expect(p.history.map(line)).toEqual(c.history);
    expect([...p.changed.keys()]).toEqual(c.changed ?? []);
    expect(p.unchanged).toEqual(c.unchanged ?? []);
  });

  it("stamps every entry with the batch's time and the request's source", () => {
    const p = decide({ sets: { A: { values: [V4] }, AAAA: { values: ["::1"] } } });
    expect(p.history).toHaveLength(2);
    for (const h of p.history) {
      expect(h).toMatchObject({ at: AT, protocol: "api", tokenId: "tk_aaaaaaaaaa", sourceIp: V4 });
      expect(h.userAgent).toBe("test/1");
    }
  });

  it("names the zone of each changed host", () => {
    const p = decide({}, { facts: { [HOME]: { ...found(), zone: "dyn.example.com" } as HostFacts } });
    expect(p.changed).toEqual(new Map([[HOME, "dyn.example.com"]]));
  });

  it("reports each host found with its sets after the request, refused ones as they were", () => {
    const p = decide(
      { hosts: [HOME, LAB, "nope.example.com"], setsByHost: new Map([[LAB, { A: { values: ["::1"] } }]]) },
      {
        facts: {
          [HOME]: found([aaaa([V6])]),
          [LAB]: found([a([V4B])]),
          "nope.example.com": { kind: "missing" },
        },
      },
    );
    expect(p.states).toEqual(
      new Map([
        [HOME, sets(aaaa([V6]), a([V4]))],
        [LAB, sets(a([V4B]))],
      ]),
    );
  });

  it("clips every history entry to HISTORY_LIMITS, refused or applied", () => {
    const huge = "x".repeat(16_384);
    const long = Array.from({ length: 64 }, (_, i) => `${i}`.padEnd(1024, "v"));
    const hostile: UpdateSource = {
      ip: `2a02:8070::1%${"e".repeat(200)}`,
      userAgent: huge,
      protocol: "rfc2136",
      tokenId: `tsig:${huge}`,
    };
    const refused = decide({ sets: { TXT: { values: long } } }, { source: hostile });
    const applied = decide({ sets: { TXT: { values: ["y".repeat(255)] } } }, { source: hostile });
    expect(refused.history[0]?.outcome).toBe("invalid_record");
    expect(refused.history[0]?.newValues).toHaveLength(HISTORY_LIMITS.values);
    expect(refused.history[0]?.newValues?.every((v) => v.length === HISTORY_LIMITS.valueLength)).toBe(true);
    expect(applied.history[0]?.outcome).toBe("good");
    for (const e of [refused.history[0], applied.history[0]]) {
      expect(e?.userAgent).toHaveLength(HISTORY_LIMITS.userAgent);
      expect(e?.userAgent?.endsWith("…")).toBe(true);
      expect(e?.tokenId).toHaveLength(HISTORY_LIMITS.tokenId);
      expect(e?.sourceIp).toHaveLength(HISTORY_LIMITS.sourceIp);
    }
  });

  it("leaves what it is given as it was", () => {
    const earlier = new Map([[HOME, sets(a([V4B]))]]);
    const p = decide({ sets: { A: null, AAAA: { values: [V6] } } }, { earlier });
    expect(p.outcomes[0]).toMatchObject({ status: "good", sets: [aaaa([V6])] });
    expect(earlier.get(HOME)).toEqual(sets(a([V4B])));
  });

  it("throws when a host to read has no facts (a caller's bug, not an outcome)", () => {
    expect(() => decide({}, { facts: {} })).toThrow(/no facts/);
  });
});

describe("requests of one batch", () => {
  /** Plans `requests` in order as the service does: each sees the sets the ones before it left. */
  function batch(requests: Partial<Requested>[], stored: RRSet[]): Plan[] {
    const earlier = new Map<string, HostSets>();
    return requests.map((req) => {
      // The service reads a host's sets only when no earlier request of the batch did.
      const facts: HostFacts = earlier.has(HOME)
        ? { kind: "found", zone: "example.com", hostTtl: undefined, zoneTtl: 120, stored: undefined }
        : found(stored);
      const p = decide(req, { facts: { [HOME]: facts }, earlier });
      for (const [fqdn, sets] of p.states) earlier.set(fqdn, sets);
      return p;
    });
  }

  it("decides the second against the first's result, not the store's", () => {
    const [first, second, third] = batch(
      [{ sets: { A: { values: [V4B] } } }, { sets: { A: { values: [V4B] } } }, { sets: { A: null } }],
      [a([V4])],
    );
    expect(first?.history.map(line)).toEqual([`${HOME} A good ${V4}→${V4B}`]);
    expect(second?.outcomes[0]).toMatchObject({ status: "nochg", sets: [a([V4B])] });
    expect(second?.history.map(line)).toEqual([`${HOME} A nochg ${V4B}→${V4B}`]);
    expect(third?.history.map(line)).toEqual([`${HOME} A deleted ${V4B}→-`]);
  });

  it("prefers the earlier requests' sets to stale ones read from the store", () => {
    const earlier = new Map([[HOME, sets(a([V4B]))]]);
    const p = decide({ sets: { A: { values: [V4B] } } }, { facts: { [HOME]: found([a([V4])]) }, earlier });
    expect(p.outcomes[0]?.status).toBe("nochg");
  });

  it("merges plans into one commit: the last write of a host and type, every entry, first-change order", () => {
    const plans = batch(
      [
        { sets: { A: { values: [V4] } } },
        { sets: { A: { values: [V4B] }, AAAA: { values: [V6] } } },
        { sets: { A: { values: [V4B] } } },
      ],
      [],
    );
    const merged = mergePlans([...plans, decide({ hosts: [LAB] }, { facts: { [LAB]: found() } })]);
    expect(merged.writes).toEqual([
      { fqdn: HOME, type: "A", rrset: { ttl: 120, values: [V4B] } },
      { fqdn: HOME, type: "AAAA", rrset: { ttl: 120, values: [V6] } },
      { fqdn: LAB, type: "A", rrset: { ttl: 120, values: [V4] } },
    ]);
    expect(merged.history.map(line)).toEqual([
      `${HOME} A good -→${V4}`,
      `${HOME} A good ${V4}→${V4B}`,
      `${HOME} AAAA good -→${V6}`,
      `${HOME} A nochg ${V4B}→${V4B}`,
      `${LAB} A good -→${V4}`,
    ]);
    expect([...merged.changed]).toEqual([
      [HOME, "example.com"],
      [LAB, "example.com"],
    ]);
  });
});

describe("screen", () => {
  it("lists the names to read once each, sorted types, refusals and repeats in request order", () => {
    const targets = screen({
      token: token(["A", "AAAA"]),
      hosts: ["HOME.example.com.", "bad name", LAB, HOME],
      sets: { AAAA: { values: [V6] }, A: { values: [V4] } },
    });
    expect(targets.map((t) => (t.kind === "refused" ? `refused ${t.outcome.code}` : t.kind))).toEqual([
      "read",
      "refused invalid_hostname",
      "refused forbidden",
      "again",
    ]);
    expect(targets[0]).toMatchObject({ kind: "read", fqdn: HOME, types: ["A", "AAAA"] });
  });
});

describe("planOverLimit", () => {
  it("fails every requested name as given with rate_limited and records nothing", () => {
    const p = planOverLimit(["Home.Example.com", "bad name"], 61_000);
    expect(p.outcomes).toEqual(
      ["Home.Example.com", "bad name"].map((fqdn) => ({
        status: "failed",
        fqdn,
        code: "rate_limited",
        message: "too many updates; try again in 61 s",
        retryAfterSeconds: 61,
      })),
    );
    expect([p.writes, p.history, p.unchanged]).toEqual([[], [], []]);
    expect(p.changed.size + p.states.size).toBe(0);
  });
});
