import { beforeEach, describe, expect, it } from "vitest";
import { createAnswerCache, type CachedAnswers } from "./answer-cache.js";
import { answerQuery } from "./engine.js";
import { EXAMPLE_ZONE, SNAPSHOT, SUB_ZONE, buildQuery, type QueryOptions } from "../testing/fixtures.js";
import { ZoneIndex } from "./zone-index.js";

let index: ZoneIndex;
let cache: CachedAnswers;
beforeEach(() => {
  index = new ZoneIndex();
  index.load(SNAPSHOT);
  cache = createAnswerCache(index);
});

const udp = { transport: "udp" as const };
const NAMES = [
  "www.dyn.example.test",
  "WwW.DyN.ExAmPlE.TeSt",
  "ns1.example.test",
  "example.test",
  "EXAMPLE.TEST",
  "empty.example.test",
  "b.c.example.test",
  "a.b.c.example.test",
  "big.example.test",
  "medium.example.test",
  "missing.example.test",
  "deep.missing.Example.test",
  "x.sub.example.test",
  "sub.example.test",
  "new.example.test",
  "elsewhere.test",
];
const TYPES = ["A", "AAAA", "TXT", "SOA", "NS", "ANY", "MX", 0xff00] as const;
const OPTIONS: QueryOptions[] = [
  {},
  { rd: false },
  { cd: true },
  { edns: {} },
  { edns: { udpSize: 512 } },
  { edns: { udpSize: 1232 }, rd: false },
  { edns: { dnssecOk: true } },
  { edns: { dnssecOk: true, version: 1 } },
];

/** Every combination, each asked twice (a miss, then a hit), must equal the engine's answer now. */
function expectSameAsEngine(round: string): void {
  let id = 1;
  for (const name of NAMES)
    for (const type of TYPES)
      for (const opts of OPTIONS)
        for (let i = 0; i < 2; i++) {
          const q = buildQuery(name, { ...opts, type, id: id++ & 0xffff });
          const want = answerQuery(q, index, udp);
          const got = cache(q, udp);
          if (Buffer.compare(Buffer.from(got!), Buffer.from(want!)) !== 0)
            expect({ round, name, type, opts, got: Buffer.from(got!) }).toEqual({
              round,
              name,
              type,
              opts,
              got: Buffer.from(want!),
            });
        }
}

describe("answer cache", () => {
  it("answers byte for byte as the engine does, and mostly from the cache", () => {
    expectSameAsEngine("initial");
    const { hits, misses } = cache.stats();
    expect(hits).toBeGreaterThan(misses);
  });

  it("patches ID, RD and CD into a cached answer and echoes the question's case", () => {
    cache(buildQuery("www.dyn.example.test", { id: 1 }), udp);
    const hit = cache(buildQuery("WWW.dyn.example.test", { id: 0xbeef, rd: false, cd: true }), udp)!;
    const want = answerQuery(
      buildQuery("WWW.dyn.example.test", { id: 0xbeef, rd: false, cd: true }),
      index,
      udp,
    )!;
    expect(Buffer.from(hit)).toEqual(Buffer.from(want));
    expect([hit[0], hit[1]]).toEqual([0xbe, 0xef]);
  });

  it("patches the query's DO bit into a cached answer's OPT, both ways (RFC 3225)", () => {
    const doFlag = (reply: Uint8Array) => reply[reply.length - 4]! & 0x80;
    for (const first of [false, true]) {
      const c = createAnswerCache(index);
      c(buildQuery("www.dyn.example.test", { edns: { dnssecOk: first } }), udp);
      const hit = c(buildQuery("www.dyn.example.test", { edns: { dnssecOk: !first } }), udp)!;
      expect(c.stats().hits).toBe(1);
      expect(doFlag(hit)).toBe(first ? 0 : 0x80);
    }
  });

  it("stays exact across every kind of change (sets, new and removed hosts, serial, SOA, nested and removed zones)", () => {
    expectSameAsEngine("before");
    index.hostChanged("www.dyn.example.test", "example.test", [
      { type: "A", ttl: 60, values: ["192.0.2.99"] },
    ]);
    expectSameAsEngine("set changed, AAAA gone");
    index.serialChanged("example.test", EXAMPLE_ZONE.serial + 1);
    expectSameAsEngine("serial");
    index.hostChanged("new.example.test", "example.test", [{ type: "TXT", ttl: 5, values: ["hi"] }]);
    expectSameAsEngine("host added");
    index.hostChanged("q.deep.missing.example.test", "example.test", []);
    expectSameAsEngine("empty non-terminals appeared");
    index.hostRemoved("a.b.c.example.test", "example.test");
    expectSameAsEngine("host removed with its empty non-terminals");
    index.zoneChanged({
      ...EXAMPLE_ZONE,
      ttl: 60,
      soa: { ...EXAMPLE_ZONE.soa, minimum: 10 },
      nameservers: ["ns9.example.test"],
    });
    expectSameAsEngine("SOA and NS changed");
    index.zoneChanged({ ...SUB_ZONE, name: "dyn.example.test" });
    expectSameAsEngine("nested zone added");
    index.zoneRemoved("sub.example.test");
    expectSameAsEngine("zone removed");
    index.load(SNAPSHOT);
    expectSameAsEngine("reloaded");
  });

  it("leaves everything but plain queries to the engine, identically (bad input tried)", () => {
    const plain = buildQuery("www.dyn.example.test");
    const variants: Uint8Array[] = [
      plain.subarray(0, 11), // shorter than a header
      Uint8Array.from([...plain, 0, 0, 0]), // trailing bytes
      (() => {
        const m = Uint8Array.from(plain);
        m[2]! |= 0x80; // a response: dropped
        return m;
      })(),
      (() => {
        const m = Uint8Array.from(plain);
        m[5] = 2; // qdcount 2
        return m;
      })(),
      (() => {
        const m = Uint8Array.from(plain);
        m[12] = 0xc0; // compressed question name
        return m;
      })(),
      buildQuery("www.dyn.example.test", { opcode: 2 }), // STATUS
      buildQuery("www.dyn.example.test", { edns: { version: 1 } }), // BADVERS
      buildQuery("big.example.test", { type: "TXT" }), // over 512 bytes: TC, never cached
    ];
    for (const m of variants)
      for (let i = 0; i < 2; i++) {
        const want = answerQuery(m, index, udp);
        const got = cache(m, udp);
        expect(got === undefined ? undefined : Buffer.from(got)).toEqual(
          want === undefined ? undefined : Buffer.from(want),
        );
      }
    expect(cache.stats().hits).toBe(0);
  });

  it("matches the engine on 20 000 seeded random mutations of valid queries", () => {
    let seed = 3;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const base = NAMES.flatMap((n) => OPTIONS.map((o) => buildQuery(n, { ...o, type: "A" })));
    for (let i = 0; i < 20_000; i++) {
      const m = Uint8Array.from(base[rnd() % base.length]!);
      for (let flips = rnd() % 3; flips >= 0; flips--) m[rnd() % m.length] = rnd() & 0xff;
      const want = answerQuery(m, index, udp);
      const got = cache(m, udp);
      expect(got === undefined ? undefined : Buffer.from(got)).toEqual(
        want === undefined ? undefined : Buffer.from(want),
      );
    }
  });

  it("keeps at most maxEntries questions (rounded up to a power of two)", () => {
    const small = createAnswerCache(index, { maxEntries: 50 });
    for (let i = 0; i < 500; i++) small(buildQuery(`n${i}.example.test`), udp);
    expect(small.stats().entries).toBeLessThanOrEqual(64); // rounded up to a power of two
    expect(small.stats().entries).toBeGreaterThan(0);
  });
});
