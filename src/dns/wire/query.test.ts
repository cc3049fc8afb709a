// Hostile inputs for the query parser, each checked both at the parser and through the engine
// (drop → no reply, formerr → FORMERR echoing the ID).

import { describe, expect, it } from "vitest";
import { answerQuery } from "../answer/engine.js";
import { buildQuery, SNAPSHOT } from "../testing/fixtures.js";
import { ZoneIndex } from "../answer/zone-index.js";
import { parseQuery } from "./query.js";

const index = new ZoneIndex();
index.load(SNAPSHOT);

function header(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, ns, 0, ar];
}

function name(...labels: string[]): number[] {
  return [...labels.flatMap((l) => [l.length, ...Buffer.from(l)]), 0];
}

const IN_A = [0, 1, 0, 1];
const OPT = (udp = 1232, rdata: number[] = []) => [
  0,
  0,
  41,
  udp >> 8,
  udp & 0xff,
  0,
  0,
  0,
  0,
  0,
  rdata.length,
  ...rdata,
];
const ID = 0x5151;

function expectFormerr(bytes: number[], reason: RegExp): void {
  const msg = Uint8Array.from(bytes);
  const parsed = parseQuery(msg);
  expect(parsed.kind).toBe("formerr");
  expect(parsed.kind === "formerr" && parsed.reason).toMatch(reason);
  const reply = answerQuery(msg, index, { transport: "udp" });
  expect(reply).toBeDefined();
  expect([reply![0], reply![1], reply![3]! & 0x0f, reply![2]! & 0x80]).toEqual([0x51, 0x51, 1, 0x80]);
}

function expectDrop(bytes: number[] | Uint8Array): void {
  const msg = Uint8Array.from(bytes);
  expect(parseQuery(msg).kind).toBe("drop");
  expect(answerQuery(msg, index, { transport: "udp" })).toBeUndefined();
  expect(answerQuery(msg, index, { transport: "tcp" })).toBeUndefined();
}

describe("hostile queries", () => {
  it("truncated header (0, 1, 11 bytes) → dropped", () => {
    expectDrop([]);
    expectDrop([0x12]);
    expectDrop(header(ID, 0, 1).slice(0, 11));
  });

  it("QR=1 (a response) → dropped", () => {
    expectDrop([...header(ID, 0x8000, 1), ...name("example", "test"), ...IN_A]);
    const asResponse = buildQuery("www.dyn.example.test");
    asResponse[2] = asResponse[2]! | 0x80;
    expectDrop(asResponse);
  });

  it("truncated question: name cut inside a label, and type/class cut", () => {
    expectFormerr([...header(ID, 0, 1), 7, ...Buffer.from("exa")], /truncated/);
    expectFormerr([...header(ID, 0, 1), ...name("example", "test").slice(0, -1)], /truncated/);
    expectFormerr([...header(ID, 0, 1), ...name("example", "test"), 0, 1], /truncated question/);
  });

  it("qdcount 0 → FORMERR", () => {
    expectFormerr(header(ID, 0, 0), /qdcount 0/);
  });

  it("qdcount 2 → FORMERR", () => {
    expectFormerr(
      [...header(ID, 0, 2), ...name("a", "test"), ...IN_A, ...name("b", "test"), ...IN_A],
      /qdcount 2/,
    );
  });

  it("label length 64 → FORMERR", () => {
    expectFormerr([...header(ID, 0, 1), 64, ...Buffer.alloc(64, 0x61), 0, ...IN_A], /label/);
  });

  it("name > 255 octets → FORMERR; exactly 255 is accepted", () => {
    const l63 = "a".repeat(63);
    expectFormerr([...header(ID, 0, 1), ...name(l63, l63, l63, l63), ...IN_A], /255/);
    const exact = name(l63, l63, l63, "b".repeat(61));
    expect(exact).toHaveLength(255);
    expect(parseQuery(Uint8Array.from([...header(ID, 0, 1), ...exact, ...IN_A])).kind).toBe("query");
  });

  it("compression pointer in the question → FORMERR", () => {
    expectFormerr([...header(ID, 0, 1), 3, ...Buffer.from("www"), 0xc0, 12, ...IN_A], /pointer in question/);
  });

  it("compression loop in an additional record → FORMERR (self pointer, forward pointer, ping-pong)", () => {
    const q = [...header(ID, 0, 1, 0, 0, 1), ...name("example", "test"), ...IN_A];
    const self = q.length;
    expectFormerr([...q, 0xc0 | (self >> 8), self & 0xff, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0], /loop/);
    // a label, then a pointer back to that label: an endless "x.x.x…" that must stop
    expectFormerr([...q, 1, 0x78, 0xc0 | (self >> 8), self & 0xff, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0], /loop/);
    expectFormerr(
      [...q, 0xc0 | ((self + 2) >> 8), (self + 2) & 0xff, 0xc0 | (self >> 8), self & 0xff],
      /loop/,
    );
  });

  it("a backward pointer to the question name in an additional record is fine", () => {
    const q = [...header(ID, 0, 1, 0, 0, 1), ...name("example", "test"), ...IN_A];
    expect(parseQuery(Uint8Array.from([...q, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4])).kind).toBe(
      "query",
    );
  });

  it("rdlength beyond the end of the message → FORMERR", () => {
    const q = [...header(ID, 0, 1, 0, 0, 1), ...name("example", "test"), ...IN_A];
    expectFormerr([...q, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 100, 1, 2, 3, 4], /rdlength/);
    expectFormerr([...q, 0, 0, 1, 0, 1, 0, 0], /truncated resource record/);
  });

  it("records counted in answer/authority but missing → FORMERR", () => {
    expectFormerr([...header(ID, 0, 1, 1, 0, 0), ...name("example", "test"), ...IN_A], /truncated/);
  });

  it("two OPT records → FORMERR", () => {
    expectFormerr(
      [...header(ID, 0, 1, 0, 0, 2), ...name("example", "test"), ...IN_A, ...OPT(), ...OPT()],
      /more than one OPT/,
    );
  });

  it("OPT with a non-root owner, or with a malformed option → FORMERR", () => {
    const q = [...header(ID, 0, 1, 0, 0, 1), ...name("example", "test"), ...IN_A];
    expectFormerr([...q, 0xc0, 12, ...OPT().slice(1)], /OPT owner/);
    expectFormerr([...q, ...OPT(1232, [0, 10, 0, 8, 1, 2])], /option/);
    expect(parseQuery(Uint8Array.from([...q, ...OPT(1232, [0, 10, 0, 2, 1, 2])])).kind).toBe("query");
  });

  it("OPT advertising less than 512 is read as 512", () => {
    const q = [...header(ID, 0, 1, 0, 0, 1), ...name("example", "test"), ...IN_A, ...OPT(100)];
    const parsed = parseQuery(Uint8Array.from(q));
    expect(parsed.kind === "query" && parsed.query.edns?.udpSize).toBe(512);
  });

  it("non-QUERY opcode with a broken body → NOTIMP, not FORMERR", () => {
    const reply = answerQuery(Uint8Array.from(header(ID, 5 << 11, 0)), index, { transport: "udp" });
    expect([reply![3]! & 0x0f, (reply![2]! >> 3) & 0x0f]).toEqual([4, 5]);
  });

  it("odd octets in a label never match a stored name (escaped, '.' inside a label stays one label)", () => {
    const q = Uint8Array.from([
      ...header(ID, 0, 1),
      7,
      ...Buffer.from("www.dyn"),
      ...name("example", "test"),
      ...IN_A,
    ]);
    const parsed = parseQuery(q);
    expect(parsed.kind === "query" && parsed.query.qname.name).toBe("www\\046dyn.example.test");
    const reply = answerQuery(q, index, { transport: "udp" });
    expect(reply![3]! & 0x0f).toBe(3); // NXDOMAIN inside example.test
  });

  describe("a TSIG record that is not the last additional record → FORMERR for every opcode (RFC 8945 §5.1)", () => {
    const TSIG = [...name("k"), 0, 250, 0, 255, 0, 0, 0, 0, 0, 3, 1, 2, 3];
    const q = (flags: number, an: number, ar: number) => [
      ...header(ID, flags, 1, an, 0, ar),
      ...name("www", "dyn", "example", "test"),
      ...IN_A,
    ];
    const cases: [string, (flags: number) => number[]][] = [
      ["TSIG in the middle of the additional section", (f) => [...q(f, 0, 2), ...TSIG, ...OPT()]],
      ["two TSIG records", (f) => [...q(f, 0, 2), ...TSIG, ...TSIG]],
      ["TSIG in the answer section", (f) => [...q(f, 1, 0), ...TSIG]],
    ];
    for (const [what, build] of cases) {
      it(`${what}: QUERY, NOTIFY, STATUS and IQUERY all get FORMERR`, () => {
        for (const opcode of [0, 1, 2, 4]) {
          const msg = Uint8Array.from(build(opcode << 11));
          const parsed = parseQuery(msg);
          expect(parsed.kind === "formerr" && parsed.reason).toMatch(/TSIG is not the last/);
          const reply = answerQuery(msg, index, { transport: "udp" })!;
          expect([opcode, reply[3]! & 0x0f, (reply[2]! >> 3) & 0x0f]).toEqual([opcode, 1, opcode]);
        }
      });
    }

    it("a TSIG that is the last additional record is read past (verified by its route, not here)", () => {
      expect(parseQuery(Uint8Array.from([...q(0, 0, 2), ...OPT(), ...TSIG])).kind).toBe("query");
    });
  });

  it("a name spelled with KELVIN SIGN (UTF-8 octets) is another name, never folded into k", () => {
    const kiosk = new ZoneIndex();
    kiosk.load(SNAPSHOT);
    kiosk.hostChanged("kiosk.dyn.example.test", "dyn.example.test", [
      { type: "A", ttl: 60, values: ["192.0.2.9"] },
    ]);
    const msg = Uint8Array.from([
      ...header(ID, 0, 1),
      7,
      ...Buffer.from("\u212Aiosk"),
      ...name("dyn", "example", "test"),
      ...IN_A,
    ]);
    const parsed = parseQuery(msg);
    expect(parsed.kind === "query" && parsed.query.qname.name).toBe("\\226\\132\\170iosk.dyn.example.test");
    expect(answerQuery(msg, kiosk, { transport: "udp" })![3]! & 0x0f).toBe(3); // NXDOMAIN
  });
});
