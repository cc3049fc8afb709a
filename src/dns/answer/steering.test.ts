// Per-query steering: the registry, the engine's weighted and hashed answers, ECS, and the answer cache.

import { beforeEach, describe, expect, it } from "vitest";
import { createAnswerCache } from "./answer-cache.js";
import { answerQuery, type QueryContext } from "./engine.js";
import { createAnswerSteering, type AnswerSteering, type SteeringRule } from "./steering.js";
import { buildQuery, decode, SNAPSHOT, type QueryOptions } from "../testing/fixtures.js";
import { ZoneIndex } from "./zone-index.js";
import { ecs, withOption } from "../testing/ecs.js";

const POOL = "pool.example.test";
const V4 = ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"];
const V6 = ["2001:db8::a", "2001:db8::b"];

/** mulberry32: a seeded random source in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rule = (mode: SteeringRule["mode"], weights: Record<string, number>): SteeringRule => ({
  mode,
  weights: new Map(Object.entries(weights)),
});
const even = (mode: SteeringRule["mode"], values = V4) =>
  rule(mode, Object.fromEntries(values.map((v) => [v, 1])));

let index: ZoneIndex;
let steering: AnswerSteering;
let random: () => number;
const setPool = (values: string[], type: "A" | "AAAA" = "A") =>
  index.hostChanged(POOL, "example.test", [
    { type, ttl: 20, values },
    ...(type === "A" ? [{ type: "AAAA" as const, ttl: 20, values: V6 }] : []),
  ]);

beforeEach(() => {
  index = new ZoneIndex();
  index.load(SNAPSHOT);
  setPool(V4);
  random = seeded(16);
  steering = createAnswerSteering({ random: () => random() });
});

function ask(name: string, opts: QueryOptions & { from?: string; ecs?: Uint8Array } = {}) {
  const ctx: QueryContext = { transport: "udp", remoteAddress: opts.from ?? "198.51.100.1" };
  const q = opts.ecs === undefined ? buildQuery(name, opts) : withOption(buildQuery(name, opts), opts.ecs);
  return decode(answerQuery(q, index, ctx, steering));
}
const addresses = (name: string, opts: Parameters<typeof ask>[1] = {}) =>
  (ask(name, opts).msg.answers ?? []).map((a) => String(a.data));
const one = (opts: Parameters<typeof ask>[1] = {}) => {
  const got = addresses(POOL, opts);
  expect(got).toHaveLength(1);
  return got[0]!;
};

/** The options of a response's OPT, as dns-packet decodes them. */
const echoed = (r: ReturnType<typeof ask>) => (r.opt as { options?: unknown[] } | undefined)?.options;

describe("the registry", () => {
  it("set, replace and remove; an equal rule changes nothing; invalid modes and types are ignored", () => {
    const seen: string[] = [];
    steering.subscribe((name, type, r) => seen.push(`${name} ${type} ${r?.mode ?? "-"}`));
    expect(steering.size).toBe(0);
    steering.set(POOL, "A", even("weighted"));
    const v = steering.version;
    steering.set(POOL, "A", even("weighted"));
    expect(steering.version).toBe(v);
    steering.set(POOL, "AAAA", even("hashed", V6));
    steering.set(POOL, "A", undefined);
    steering.set(POOL, "A", undefined);
    expect(steering.has(POOL)).toBe(true);
    steering.set(POOL, "AAAA", undefined);
    expect(steering.has(POOL)).toBe(false);
    steering.set(POOL, "TXT" as "A", even("weighted"));
    steering.set(POOL, "A", { mode: "random" as "weighted", weights: new Map() });
    expect(steering.size).toBe(0);
    expect(seen).toEqual([`${POOL} A weighted`, `${POOL} AAAA hashed`, `${POOL} A -`, `${POOL} AAAA -`]);
  });

  it("copies the caller's weights (a later change to the caller's map does not leak in)", () => {
    const weights = new Map([[V4[0]!, 1]]);
    steering.set(POOL, "A", { mode: "weighted", weights });
    weights.set(V4[1]!, 1000);
    for (let i = 0; i < 20; i++) expect(one()).toBe(V4[0]);
  });

  it("entries() and replace() carry every rule", () => {
    steering.set(POOL, "A", even("hashed"));
    steering.set("www.dyn.example.test", "AAAA", even("weighted", ["2001:db8::1"]));
    const copy = createAnswerSteering();
    copy.replace(steering.entries());
    expect(copy.entries()).toEqual(steering.entries());
    copy.replace([]);
    expect(copy.size).toBe(0);
  });
});

describe("weighted", () => {
  it("10,000 seeded picks follow weights 1:2:3:4 within ±2 points; one address per answer, AA, the set's TTL", () => {
    steering.set(POOL, "A", rule("weighted", { [V4[0]!]: 1, [V4[1]!]: 2, [V4[2]!]: 3, [V4[3]!]: 4 }));
    const r = ask(POOL);
    expect([r.aa, r.msg.answers?.length, r.msg.answers?.[0]?.ttl]).toEqual([true, 1, 20]);
    const counts = new Map<string, number>();
    const q = buildQuery(POOL);
    for (let i = 0; i < 10_000; i++) {
      const raw = answerQuery(q, index, { transport: "udp" }, steering)!;
      expect(raw[7]).toBe(1); // ancount
      const a = [...raw.subarray(raw.length - 4)].join(".");
      counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    V4.forEach((a, i) => expect(Math.abs(counts.get(a)! / 10_000 - (i + 1) / 10)).toBeLessThan(0.02));
  });

  it("weight 0 and unknown addresses only when every address weighs 0; bad weights (NaN, -1, Infinity) weigh 0", () => {
    steering.set(POOL, "A", rule("weighted", { [V4[0]!]: 0, [V4[1]!]: 5, [V4[2]!]: NaN, [V4[3]!]: -1 }));
    for (let i = 0; i < 200; i++) expect(one()).toBe(V4[1]);
    steering.set(POOL, "A", rule("weighted", { [V4[0]!]: 0, [V4[2]!]: Infinity }));
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) seen.add(one());
    expect([...seen].sort()).toEqual(V4);
  });

  it("a random source returning 1 (out of range) still answers an address with weight", () => {
    random = () => 1;
    steering.set(POOL, "A", rule("weighted", { [V4[0]!]: 1, [V4[1]!]: 1 }));
    expect(one()).toBe(V4[1]);
  });
});

describe("hashed", () => {
  /** The address chosen for networks 10.<i>.<j>.0/24, i·256+j < n, from host .77. */
  const choices = (n: number) =>
    Array.from({ length: n }, (_, k) => one({ from: `10.${k >> 8}.${k & 0xff}.77` }));

  it("the same /24 (and /48) gets the same answer; different networks spread over every address", () => {
    steering.set(POOL, "A", even("hashed"));
    steering.set(POOL, "AAAA", even("hashed", V6));
    for (const k of [0, 1, 2, 77, 200])
      expect(one({ from: `10.9.${k}.1` })).toBe(one({ from: `10.9.${k}.254` }));
    const v6 = (from: string) => one({ from, type: "AAAA" });
    expect(v6("2001:db8:1:ffff::1")).toBe(v6("2001:db8:1::99"));
    // an IPv4-mapped source counts as its IPv4 network
    expect(one({ from: "::ffff:10.9.5.3" })).toBe(one({ from: "10.9.5.200" }));
    const counts = new Map<string, number>();
    for (const a of choices(1000)) counts.set(a, (counts.get(a) ?? 0) + 1);
    for (const a of V4) expect(counts.get(a)).toBeGreaterThan(180); // 250 expected each
  });

  it("removing one address moves only its networks (1,000 networks); weights bias the share", () => {
    steering.set(POOL, "A", even("hashed"));
    const before = choices(1000);
    setPool(V4.slice(0, 3));
    steering.set(POOL, "A", even("hashed", V4.slice(0, 3)));
    const after = choices(1000);
    let moved = 0;
    before.forEach((a, k) => {
      if (a === V4[3]) moved++;
      else expect(after[k]).toBe(a);
    });
    expect(moved).toBeGreaterThan(150);
    expect(after).not.toContain(V4[3]);
    steering.set(POOL, "A", rule("hashed", { [V4[0]!]: 8, [V4[1]!]: 1, [V4[2]!]: 1 }));
    const heavy = choices(1000).filter((a) => a === V4[0]).length;
    expect(heavy).toBeGreaterThan(700); // 800 expected
  });

  it("honours the ECS address (/24 of it) over the source, and echoes the option with scope 24", () => {
    steering.set(POOL, "A", even("hashed"));
    const subnet = (a: number, b: number, c: number) => ecs(1, 24, 0, [a, b, c]);
    for (let k = 0; k < 50; k++) {
      expect(one({ from: "127.0.0.1", ecs: subnet(10, 0, k) })).toBe(one({ from: `10.0.${k}.9` }));
    }
    const r = ask(POOL, { from: "127.0.0.1", ecs: subnet(10, 0, 3) });
    expect(echoed(r)).toEqual([
      expect.objectContaining({ code: 8, sourcePrefixLength: 24, scopePrefixLength: 24, ip: "10.0.3.0" }),
    ]);
    // a /16 (less than the network) is hashed as that /16; source 0 uses the packet's source, scope 0
    expect(one({ from: "127.0.0.1", ecs: ecs(1, 16, 0, [10, 0]) })).toBe(one({ from: "10.0.0.9" }));
    const zero = ask(POOL, { from: "10.0.7.1", ecs: ecs(0, 0, 0, []) });
    expect(String(zero.msg.answers![0]!.data)).toBe(one({ from: "10.0.7.200" }));
    expect(echoed(zero)).toEqual([expect.objectContaining({ code: 8, scopePrefixLength: 0 })]);
    // IPv6 ECS: the /48
    steering.set(POOL, "AAAA", even("hashed", V6));
    const six = [0x20, 0x01, 0x0d, 0xb8, 0, 7, 0xab];
    expect(one({ type: "AAAA", from: "127.0.0.1", ecs: ecs(2, 56, 0, six) })).toBe(
      one({ type: "AAAA", from: "2001:db8:7:ab00::1" }),
    );
  });

  it("a malformed ECS option is FORMERR for a hashed name, and ignored (answer unchanged) elsewhere", () => {
    steering.set(POOL, "A", even("hashed"));
    const bad: [string, Uint8Array][] = [
      ["family 3", ecs(3, 8, 0, [10])],
      ["family 0 with a source prefix", ecs(0, 8, 0, [10])],
      ["scope not 0 in a query", ecs(1, 24, 24, [10, 0, 0])],
      ["source 33 for IPv4", ecs(1, 33, 0, [10, 0, 0, 0, 0])],
      ["source 129 for IPv6", ecs(2, 129, 0, Array<number>(17).fill(0))],
      ["too many address octets", ecs(1, 8, 0, [10, 0])],
      ["too few address octets", ecs(1, 24, 0, [10, 0])],
      ["bits set beyond the prefix", ecs(1, 23, 0, [10, 0, 1])],
      ["shorter than 4 octets", new Uint8Array([0, 8, 0, 2, 0, 1])],
    ];
    for (const [what, option] of bad) {
      const r = ask(POOL, { ecs: option });
      expect(r.rcode, what).toBe(1);
      expect(r.msg.answers, what).toEqual([]);
      const plain = buildQuery("www.dyn.example.test");
      const withBad = withOption(plain, option);
      const withNone = withOption(plain, new Uint8Array(0));
      expect(answerQuery(withBad, index, { transport: "udp" }, steering), what).toEqual(
        answerQuery(withNone, index, { transport: "udp" }, steering),
      );
    }
    // a weighted name never reads ECS
    steering.set(POOL, "A", even("weighted"));
    expect(ask(POOL, { ecs: bad[0]![1] }).rcode).toBe(0);
  });

  it("random ECS option bytes (2,000 seeded) never throw: the answer is one address or FORMERR", () => {
    steering.set(POOL, "A", even("hashed"));
    const rnd = seeded(7);
    const byte = () => Math.floor(rnd() * 256);
    for (let i = 0; i < 2000; i++) {
      const body = Array.from({ length: Math.floor(rnd() * 24) }, byte);
      // mostly plausible families and lengths, sometimes anything
      if (body.length >= 4 && rnd() < 0.7) [body[0], body[1], body[3]] = [0, 1 + (i % 2), 0];
      const option = new Uint8Array([0, 8, 0, body.length, ...body]);
      const r = ask(POOL, { ecs: option });
      expect([0, 1]).toContain(r.rcode);
      expect(r.msg.answers!.length).toBe(r.rcode === 0 ? 1 : 0);
    }
  });

  it("an unreadable or missing source address hashes as one network, never throws", () => {
    steering.set(POOL, "A", even("hashed"));
    const a = one({ from: "not an address" });
    expect(one({ from: "" })).toBe(a);
    expect(one({ from: "fe80::1%eth0" })).toBe(a);
  });
});

describe("what a rule does not touch", () => {
  const NAMES = [
    POOL,
    "Pool.Example.Test",
    "www.dyn.example.test",
    "example.test",
    "a.b.c.example.test",
    "nope.example.test",
  ];
  const TYPES = ["A", "AAAA", "TXT", "SOA", "NS", "ANY", "MX"] as const;
  const OPTIONS: QueryOptions[] = [{}, { edns: {} }, { edns: { dnssecOk: true } }, { rd: false }];

  it("answers are byte-identical to the engine without steering for every name and type without a rule", () => {
    steering.set(POOL, "AAAA", even("weighted", V6)); // A of the pool stays unsteered
    steering.set("nope.example.test", "A", even("hashed")); // no such name
    steering.set("a.b.c.example.test", "A", even("hashed")); // a TXT-only name
    for (const name of NAMES)
      for (const type of TYPES)
        for (const opts of OPTIONS) {
          if (name.toLowerCase() === POOL && type === "AAAA") continue;
          const q = buildQuery(name, { ...opts, type });
          const ctx = { transport: "udp" as const, remoteAddress: "10.0.0.1" };
          expect(answerQuery(q, index, ctx, steering), `${name} ${type}`).toEqual(answerQuery(q, index, ctx));
        }
  });

  it("keeps the question's case in owner names and truncates what does not fit, like any answer", () => {
    steering.set(POOL, "A", even("weighted"));
    const r = ask("PoOl.ExAmPlE.tEsT");
    expect(r.msg.questions![0]!.name).toBe("PoOl.ExAmPlE.tEsT");
    expect(r.msg.answers!.map((a) => a.name)).toEqual([POOL]);
  });
});

describe("through the answer cache", () => {
  it("never serves a stale choice: a rule set after caching, each weighted pick, removal", () => {
    const cache = createAnswerCache(index, { steering });
    const ctx = { transport: "udp" as const, remoteAddress: "10.0.0.1" };
    const q = buildQuery(POOL);
    const list = () => (decode(cache(q, ctx)).msg.answers ?? []).map((a) => String(a.data)).sort();
    expect(list()).toEqual(V4);
    expect(decode(cache.hit(q)).msg.answers).toHaveLength(4);
    steering.set(POOL, "A", even("weighted"));
    expect(cache.hit(q)).toBeUndefined(); // same tick as set()
    const picks = [0.05, 0.3, 0.55, 0.8, 0.05];
    for (const p of picks) {
      random = () => p;
      expect(list()).toEqual([V4[Math.floor(p * 4)]]);
      expect(cache.hit(q)).toBeUndefined();
    }
    steering.set(POOL, "A", undefined);
    expect(list()).toEqual(V4);
    expect(decode(cache.hit(q)).msg.answers).toHaveLength(4);
  });

  it("keeps serving other names from the cache while a rule exists", () => {
    const cache = createAnswerCache(index, { steering });
    steering.set(POOL, "A", even("hashed"));
    const q = buildQuery("www.dyn.example.test");
    const first = cache(q, { transport: "udp" });
    expect(cache.hit(q)).toEqual(first);
    expect(decode(first).msg.answers).toHaveLength(1);
  });
});
