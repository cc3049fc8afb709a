import { beforeEach, describe, expect, it } from "vitest";
import { answerQuery } from "./engine.js";
import {
  BIG_TXT,
  buildQuery,
  decode,
  EXAMPLE_ZONE,
  MEDIUM_TXT,
  SNAPSHOT,
  type QueryOptions,
} from "../testing/fixtures.js";
import { ZoneIndex } from "./zone-index.js";

let index: ZoneIndex;
beforeEach(() => {
  index = new ZoneIndex();
  index.load(SNAPSHOT);
});

function ask(name: string, opts: QueryOptions = {}, transport: "udp" | "tcp" = "udp") {
  return decode(answerQuery(buildQuery(name, opts), index, { transport }));
}

const NOERROR = 0;
const FORMERR = 1;
const NXDOMAIN = 3;
const NOTIMP = 4;
const REFUSED = 5;

describe("positive answers", () => {
  it("answers A and AAAA authoritatively with the set's TTL and no authority section", () => {
    const a = ask("www.dyn.example.test");
    expect(a.rcode).toBe(NOERROR);
    expect(a.aa).toBe(true);
    expect(a.msg.answers).toEqual([
      expect.objectContaining({ name: "www.dyn.example.test", type: "A", ttl: 60, data: "192.0.2.1" }),
    ]);
    expect(a.msg.authorities).toEqual([]);
    const aaaa = ask("www.dyn.example.test", { type: "AAAA" });
    expect(aaaa.msg.answers).toEqual([expect.objectContaining({ type: "AAAA", data: "2001:db8::1" })]);
  });

  it("answers TXT with one character-string per value", () => {
    const r = ask("a.b.c.example.test", { type: "TXT" });
    expect(r.msg.answers).toHaveLength(1);
    expect((r.msg.answers![0] as { data: Buffer[] }).data.map(String)).toEqual(["hello"]);
  });

  it("points answer owners at a lowercase question name", () => {
    const r = ask("www.dyn.example.test");
    expect(r.msg.answers![0]!.name).toBe("www.dyn.example.test");
    const answerStart = 12 + "www.dyn.example.test".length + 2 + 4;
    expect([r.raw[answerStart], r.raw[answerStart + 1]]).toEqual([0xc0, 0x0c]);
  });

  it("echoes the question's case but owns answers in the data's case, as BIND 9.18 does (WwW.DyN.ExAmPle.TeSt)", () => {
    const r = ask("WwW.DyN.ExAmPle.TeSt", { type: "TXT" });
    const multi = ask("WwW.DyN.ExAmPle.TeSt");
    expect(r.msg.questions![0]!.name).toBe("WwW.DyN.ExAmPle.TeSt");
    expect(multi.msg.answers!.map((a) => a.name)).toEqual(["www.dyn.example.test"]);
    const ns = ask("ExAmPle.TeSt", { type: "NS" });
    expect(ns.msg.answers!.map((a) => a.name)).toEqual(["example.test", "example.test"]);
  });

  it("serves SOA and NS at the apex, with glue for the in-zone nameserver", () => {
    const soa = ask("example.test", { type: "SOA" });
    expect(soa.aa).toBe(true);
    expect(soa.msg.answers).toEqual([
      expect.objectContaining({
        type: "SOA",
        ttl: 3600,
        data: expect.objectContaining({
          mname: "ns1.example.test",
          rname: "hostmaster.example.test",
          serial: 2024010101,
          minimum: 300,
        }) as unknown,
      }),
    ]);
    const ns = ask("example.test", { type: "NS" });
    expect(ns.msg.answers!.map((a) => (a as { data: string }).data)).toEqual([
      "ns1.example.test",
      "ns2.example.net",
    ]);
    expect(ns.msg.answers!.every((a) => a.ttl === 3600)).toBe(true);
    expect(ns.msg.additionals).toEqual([
      expect.objectContaining({ name: "ns1.example.test", type: "A", data: "192.0.2.53" }),
    ]);
  });

  it("answers from the longest matching zone (a child zone served here too)", () => {
    const r = ask("x.sub.example.test");
    expect(r.msg.answers).toEqual([expect.objectContaining({ data: "198.51.100.7", ttl: 30 })]);
    const nx = ask("nope.sub.example.test");
    expect(nx.msg.authorities).toEqual([
      expect.objectContaining({
        name: "sub.example.test",
        type: "SOA",
        ttl: 600,
        data: expect.objectContaining({ serial: 7 }) as unknown,
      }),
    ]);
  });
});

describe("negative answers", () => {
  it("NXDOMAIN for a missing name, with the SOA at min(SOA TTL, minimum) in authority", () => {
    const r = ask("nope.example.test");
    expect(r.rcode).toBe(NXDOMAIN);
    expect(r.aa).toBe(true);
    expect(r.msg.answers).toEqual([]);
    expect(r.msg.authorities).toEqual([
      expect.objectContaining({ name: "example.test", type: "SOA", ttl: 300 }),
    ]);
  });

  it("an NXDOMAIN to an SOA query carries the SOA with TTL 0 (BIND's zero-no-soa-ttl); NODATA keeps it", () => {
    expect(ask("nope.example.test", { type: "SOA" }).msg.authorities).toEqual([
      expect.objectContaining({ name: "example.test", type: "SOA", ttl: 0 }),
    ]);
    expect(ask("www.dyn.example.test", { type: "SOA" }).msg.authorities).toEqual([
      expect.objectContaining({ type: "SOA", ttl: 300 }),
    ]);
  });

  it("the negative SOA's owner is the zone in the data's case, whatever the question's", () => {
    expect(ask("NoPe.ExAmple.TEST").msg.authorities![0]!.name).toBe("example.test");
    expect(ask("nope.example.test").msg.authorities![0]!.name).toBe("example.test");
  });

  it("NODATA for an existing name without that type", () => {
    for (const [name, type] of [
      ["www.dyn.example.test", "MX"],
      ["www.dyn.example.test", "TXT"],
      ["www.dyn.example.test", "SOA"],
      ["www.dyn.example.test", "NS"],
    ] as const) {
      const r = ask(name, { type });
      expect([name, type, r.rcode, r.msg.answers]).toEqual([name, type, NOERROR, []]);
      expect(r.msg.authorities).toEqual([expect.objectContaining({ type: "SOA", ttl: 300 })]);
    }
  });

  it("empty non-terminals are NODATA, not NXDOMAIN (RFC 8020); names below a host are NXDOMAIN", () => {
    for (const name of ["dyn.example.test", "b.c.example.test", "c.example.test"]) {
      const r = ask(name);
      expect([name, r.rcode]).toEqual([name, NOERROR]);
      expect(r.msg.authorities).toHaveLength(1);
    }
    for (const name of ["x.a.b.c.example.test", "x.www.dyn.example.test", "d.c.example.test"]) {
      expect([name, ask(name).rcode]).toEqual([name, NXDOMAIN]);
    }
  });

  it("REFUSED without AA or records for names outside every zone", () => {
    for (const name of ["www.example.org", "test", "xexample.test", "."]) {
      const r = ask(name);
      expect([name, r.rcode, r.aa]).toEqual([name, REFUSED, false]);
      expect(r.msg.answers).toEqual([]);
      expect(r.msg.authorities).toEqual([]);
    }
  });

  it("QCLASS other than IN, as BIND 9.18 answers: ANY/NONE/0 FORMERR, CHAOS/Hesiod REFUSED, others NOTIMP", () => {
    const classes: [string, number, number][] = [
      ["ANY", 255, FORMERR],
      ["NONE", 254, FORMERR],
      ["0", 0, FORMERR],
      ["CHAOS", 3, REFUSED],
      ["HS", 4, REFUSED],
      ["CSNET", 2, NOTIMP],
      ["CLASS7", 7, NOTIMP],
      ["CLASS65535", 65535, NOTIMP],
    ];
    for (const [what, klass, rcode] of classes) {
      for (const name of ["www.dyn.example.test", "nope.example.test", "example.org"]) {
        const r = ask(name, { class: klass });
        expect([what, name, r.rcode, r.aa, r.msg.answers, r.msg.authorities]).toEqual([
          what,
          name,
          rcode,
          false,
          [],
          [],
        ]);
      }
    }
  });

  it("REFUSED for AXFR and IXFR (not served by the engine)", () => {
    expect(ask("example.test", { type: 252 }, "tcp").rcode).toBe(REFUSED);
    expect(ask("example.test", { type: 251 }, "tcp").rcode).toBe(REFUSED);
  });
});

describe("qtype ANY (RFC 8482)", () => {
  it("answers one HINFO 'RFC8482' at an existing name with the zone TTL", () => {
    const r = ask("www.dyn.example.test", { type: "ANY" });
    expect(r.rcode).toBe(NOERROR);
    expect(r.msg.answers).toEqual([
      expect.objectContaining({ type: "HINFO", ttl: 3600, data: { cpu: "RFC8482", os: "" } }),
    ]);
    expect(ask("dyn.example.test", { type: "ANY" }).msg.answers).toHaveLength(1);
  });

  it("NXDOMAIN when the name does not exist", () => {
    expect(ask("nope.example.test", { type: "ANY" }).rcode).toBe(NXDOMAIN);
  });
});

describe("header bits and opcodes", () => {
  it("copies ID, RD and CD; RA is always clear", () => {
    const on = ask("www.dyn.example.test", { id: 0xbeef, rd: true, cd: true });
    expect([on.msg.id, on.rd, on.cd, on.ra, on.aa]).toEqual([0xbeef, true, true, false, true]);
    const off = ask("www.dyn.example.test", { rd: false });
    expect([off.rd, off.cd, off.ra]).toEqual([false, false, false]);
    expect(ask("www.example.org", { rd: true }).ra).toBe(false);
  });

  it("NOTIMP for opcodes other than QUERY, echoing the opcode (STATUS 2, NOTIFY 4, UPDATE 5)", () => {
    for (const opcode of [2, 4, 5, 15]) {
      const raw = answerQuery(buildQuery("example.test", { opcode, id: 77 }), index, { transport: "udp" });
      const r = decode(raw);
      expect([opcode, r.rcode, r.opcode, r.msg.id, r.aa]).toEqual([opcode, NOTIMP, opcode, 77, false]);
    }
  });

  it("FORMERR echoes ID and opcode with no question", () => {
    const q = buildQuery("example.test", { id: 0x4242 });
    q[5] = 2; // qdcount 2
    const r = decode(answerQuery(q, index, { transport: "udp" }));
    expect([r.rcode, r.msg.id, r.qdcount, r.opcode]).toEqual([FORMERR, 0x4242, 0, 0]);
  });

  it("FORMERR for meta qtypes OPT and TSIG in the question", () => {
    expect(ask("example.test", { type: 41 }).rcode).toBe(FORMERR);
    expect(ask("example.test", { type: 250 }).rcode).toBe(FORMERR);
  });
});

describe("EDNS0", () => {
  it("no OPT in the reply when the query had none", () => {
    const r = ask("www.dyn.example.test");
    expect(r.opt).toBeUndefined();
    expect(r.msg.additionals).toEqual([]);
  });

  it("answers an OPT query with OPT version 0 advertising 1232", () => {
    const r = ask("www.dyn.example.test", { edns: { udpSize: 4096 } });
    expect(r.opt).toMatchObject({ name: ".", udpPayloadSize: 1232, ednsVersion: 0, extendedRcode: 0 });
    expect(r.msg.answers).toHaveLength(1);
  });

  it("EDNS version 1 → BADVERS (extended rcode 1, header rcode 0), no answer", () => {
    const r = ask("www.dyn.example.test", { edns: { version: 1 } });
    expect(r.rcode).toBe(0);
    expect(r.opt).toMatchObject({ extendedRcode: 1, ednsVersion: 0 });
    expect(r.msg.answers).toEqual([]);
    expect(r.qdcount).toBe(1);
  });

  it("copies the DO bit into the reply's OPT (RFC 3225 §3): answers, NODATA, NXDOMAIN, REFUSED, ANY", () => {
    const asked: [string, string][] = [
      ["www.dyn.example.test", "A"],
      ["www.dyn.example.test", "MX"],
      ["nope.example.test", "A"],
      ["example.org", "A"],
      ["www.dyn.example.test", "ANY"],
    ];
    for (const [name, type] of asked) {
      for (const dnssecOk of [true, false]) {
        const r = ask(name, { type, edns: { dnssecOk } });
        expect([name, type, r.opt?.flags]).toEqual([name, type, dnssecOk ? 0x8000 : 0]);
      }
    }
  });

  it("DO with EDNS version 1: BADVERS, DO still copied, OPT version 0", () => {
    const r = ask("www.dyn.example.test", { edns: { version: 1, dnssecOk: true } });
    expect(r.opt).toMatchObject({ extendedRcode: 1, ednsVersion: 0, flags: 0x8000 });
    expect(r.msg.answers).toEqual([]);
  });

  it("negative answers keep the OPT", () => {
    const r = ask("nope.example.test", { edns: {} });
    expect(r.rcode).toBe(NXDOMAIN);
    expect(r.opt).toBeDefined();
  });
});

describe("size limits and truncation", () => {
  it("16 × 255-byte TXT values: TC over UDP (with and without EDNS), complete over TCP", () => {
    for (const opts of [{}, { edns: { udpSize: 4096 } }] as QueryOptions[]) {
      const r = ask("big.example.test", { ...opts, type: "TXT" });
      expect(r.tc).toBe(true);
      expect(r.aa).toBe(true);
      expect(r.msg.answers).toEqual([]);
      expect(r.msg.authorities).toEqual([]);
      expect(r.msg.questions![0]!.name).toBe("big.example.test");
      expect(r.opt === undefined).toBe(opts.edns === undefined);
    }
    const tcp = ask("big.example.test", { type: "TXT" }, "tcp");
    expect(tcp.tc).toBe(false);
    const values = tcp.msg.answers!.map((a) => (a as { data: Buffer[] }).data.map(String).join(""));
    expect(values.sort()).toEqual([...BIG_TXT].sort());
  });

  it("honours the client's UDP size: max(512, min(advertised, 1232))", () => {
    const medium = (opts: QueryOptions) => ask("medium.example.test", { ...opts, type: "TXT" });
    // three 255-byte strings need about 850 bytes
    expect(medium({}).tc).toBe(true);
    expect(medium({ edns: { udpSize: 100 } }).tc).toBe(true);
    expect(medium({ edns: { udpSize: 600 } }).tc).toBe(true);
    const fits = medium({ edns: { udpSize: 1232 } });
    expect(fits.tc).toBe(false);
    expect(fits.msg.answers!.map((a) => (a as { data: Buffer[] }).data.map(String).join("")).sort()).toEqual(
      MEDIUM_TXT,
    );
    expect(fits.raw.length).toBeLessThanOrEqual(1232);
  });

  it("never exceeds 512 bytes without EDNS", () => {
    for (const name of ["big.example.test", "medium.example.test", "www.dyn.example.test"]) {
      const raw = answerQuery(buildQuery(name, { type: "TXT" }), index, { transport: "udp" });
      expect(raw!.length).toBeLessThanOrEqual(512);
    }
  });
});

describe("changes from the ChangeListener are visible at once", () => {
  it("serialChanged advances the SOA serial in answers", () => {
    index.serialChanged("example.test", 2024010102);
    const r = ask("example.test", { type: "SOA" });
    expect((r.msg.answers![0] as { data: { serial: number } }).data.serial).toBe(2024010102);
    expect((ask("nope.example.test").msg.authorities![0] as { data: { serial: number } }).data.serial).toBe(
      2024010102,
    );
  });

  it("hostChanged: a new host and new values are served right after the call", () => {
    index.hostChanged("new.deep.example.test", "example.test", [
      { type: "A", ttl: 5, values: ["203.0.113.9"] },
    ]);
    expect(ask("new.deep.example.test").msg.answers).toEqual([
      expect.objectContaining({ data: "203.0.113.9" }),
    ]);
    expect(ask("deep.example.test").rcode).toBe(NOERROR);
    index.hostChanged("www.dyn.example.test", "example.test", [
      { type: "A", ttl: 60, values: ["192.0.2.99"] },
    ]);
    expect(ask("www.dyn.example.test").msg.answers).toEqual([
      expect.objectContaining({ data: "192.0.2.99" }),
    ]);
    expect(ask("www.dyn.example.test", { type: "AAAA" }).msg.answers).toEqual([]);
  });

  it("hostRemoved: the name and its now-empty non-terminals disappear", () => {
    index.hostRemoved("a.b.c.example.test", "example.test");
    expect(ask("a.b.c.example.test", { type: "TXT" }).rcode).toBe(NXDOMAIN);
    expect(ask("b.c.example.test").rcode).toBe(NXDOMAIN);
    expect(ask("c.example.test").rcode).toBe(NXDOMAIN);
    expect(ask("example.test", { type: "SOA" }).rcode).toBe(NOERROR);
  });

  it("a host without records is NXDOMAIN for every type, as on a secondary fed by AXFR", () => {
    for (const type of ["A", "AAAA", "TXT", "MX", "ANY"])
      expect([type, ask("empty.example.test", { type }).rcode]).toEqual([type, NXDOMAIN]);
  });

  it("an ENT shared by two hosts survives the removal of one", () => {
    index.hostChanged("z.b.c.example.test", "example.test", [{ type: "A", ttl: 5, values: ["192.0.2.8"] }]);
    index.hostRemoved("a.b.c.example.test", "example.test");
    expect(ask("b.c.example.test").rcode).toBe(NOERROR);
    expect(ask("a.b.c.example.test").rcode).toBe(NXDOMAIN);
  });

  it("zoneChanged adds a zone and updates its SOA/NS; zoneRemoved refuses it", () => {
    index.zoneChanged({ ...EXAMPLE_ZONE, name: "new.test", nameservers: ["ns.new.test"] });
    expect(ask("new.test", { type: "NS" }).msg.answers).toEqual([
      expect.objectContaining({ data: "ns.new.test" }),
    ]);
    index.zoneChanged({ ...EXAMPLE_ZONE, ttl: 120 });
    expect(ask("example.test", { type: "SOA" }).msg.answers![0]!.ttl).toBe(120);
    expect(ask("www.dyn.example.test").msg.answers).toHaveLength(1);
    index.zoneRemoved("sub.example.test");
    // the parent zone now answers for the child's names; the child's hosts are gone
    expect(ask("x.sub.example.test").rcode).toBe(NXDOMAIN);
    index.zoneRemoved("example.test");
    expect(ask("www.dyn.example.test").rcode).toBe(REFUSED);
  });

  it("a host at the apex serves its A next to the SOA", () => {
    index.hostChanged("example.test", "example.test", [{ type: "A", ttl: 10, values: ["192.0.2.10"] }]);
    expect(ask("example.test").msg.answers).toEqual([expect.objectContaining({ data: "192.0.2.10" })]);
    expect(ask("example.test", { type: "SOA" }).msg.answers).toHaveLength(1);
    index.hostRemoved("example.test", "example.test");
    expect(ask("example.test").rcode).toBe(NOERROR);
    expect(ask("example.test").msg.answers).toEqual([]);
  });

  it("load replaces everything", () => {
    index.load({ zones: [], hosts: [], rrsets: [] });
    expect(ask("www.dyn.example.test").rcode).toBe(REFUSED);
  });
});
