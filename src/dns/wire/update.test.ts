import packet from "dns-packet";
import { describe, expect, it } from "vitest";
import { isBeaconError } from "../../core/errors.js";
import { readMessage } from "./records.js";
import { encodeQuery, encodeUpdate, readAnswer } from "./update.js";

const decode = (m: Uint8Array) => packet.decode(Buffer.from(m));

describe("encodeUpdate (RFC 2136)", () => {
  const msg = encodeUpdate({
    id: 0xbeef,
    zone: "Example.Test.",
    prerequisites: [
      { kind: "rrset-exists", name: "a.example.test", type: "A" },
      { kind: "name-not-in-use", name: "new.example.test" },
    ],
    updates: [
      { kind: "delete-rrset", name: "h.example.test", type: "A" },
      { kind: "add", name: "h.example.test", type: "A", ttl: 300, value: "81.2.69.142" },
      { kind: "add", name: "h.example.test", type: "AAAA", ttl: 60, value: "2a02:8070:a1b2::1" },
      { kind: "delete-rr", name: "h.example.test", type: "TXT", value: "old" },
      { kind: "delete-name", name: "gone.example.test" },
    ],
  });

  it("has opcode UPDATE, the zone as the one SOA question, and the section counts", () => {
    expect([...msg.subarray(0, 12)]).toEqual([0xbe, 0xef, 0x28, 0, 0, 1, 0, 2, 0, 5, 0, 0]);
    // Zone section: example.test (case folded) SOA IN.
    expect(Buffer.from(msg.subarray(12, 30)).toString("hex")).toBe("076578616d706c6504746573740000060001");
  });

  it("writes prerequisites and deletions with class ANY/NONE, TTL 0 and the RFC's RDLENGTHs", () => {
    // (dns-packet cannot decode an A record with RDLENGTH 0, so the records are walked here.)
    const m = readMessage(msg);
    if (!m.ok) throw new Error(m.reason);
    const rows = m.value.records.map((r) => [r.section, r.type, r.klass, r.ttl, r.end - r.rdataStart]);
    expect(rows).toEqual([
      [0, 1, 255, 0, 0], // rrset-exists: A ANY
      [0, 255, 254, 0, 0], // name-not-in-use: ANY NONE
      [1, 1, 255, 0, 0], // delete-rrset: A ANY
      [1, 1, 1, 300, 4], // add A IN
      [1, 28, 1, 60, 16], // add AAAA IN
      [1, 16, 254, 0, 4], // delete-rr: TXT NONE, rdata "\x03old"
      [1, 255, 255, 0, 0], // delete-name: ANY ANY
    ]);
    const add = m.value.records[3]!;
    expect([...msg.subarray(add.rdataStart, add.end)]).toEqual([81, 2, 69, 142]);
  });

  it("writes TXT bytes raw: quotes, spaces, '=' and backslashes unescaped; > 255 octets split", () => {
    const value = 'v=spf1 "quoted" \\ ~all';
    const long = "x".repeat(300);
    const m = encodeUpdate({
      id: 1,
      zone: "example.test",
      updates: [
        { kind: "add", name: "t.example.test", type: "TXT", ttl: 60, value },
        { kind: "add", name: "t.example.test", type: "TXT", ttl: 60, value: long },
      ],
    });
    const d = decode(m) as unknown as { authorities: { data: Buffer[] }[] };
    expect(d.authorities[0]!.data.map((b) => b.toString())).toEqual([value]);
    expect(d.authorities[1]!.data.map((b) => b.length)).toEqual([255, 45]);
  });

  it("refuses values and names that do not fit their type", () => {
    // Bad inputs tried: a hostname as an A value, an IPv4 as AAAA, an empty label, a 64-octet label,
    // a KELVIN SIGN (U+212A, which String#toLowerCase turns into "k") in a name.
    const bad = [
      () =>
        encodeUpdate({
          id: 1,
          zone: "z.test",
          updates: [{ kind: "add", name: "z.test", type: "A", ttl: 1, value: "h.z.test" }],
        }),
      () =>
        encodeUpdate({
          id: 1,
          zone: "z.test",
          updates: [{ kind: "add", name: "z.test", type: "AAAA", ttl: 1, value: "1.2.3.4" }],
        }),
      () => encodeUpdate({ id: 1, zone: "a..test", updates: [] }),
      () => encodeQuery(1, `${"a".repeat(64)}.test`, "A"),
      () => encodeQuery(1, "\u212Aiosk.z.test", "TXT"),
    ];
    for (const f of bad) {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(isBeaconError(caught)).toBe(true);
    }
  });
});

describe("readAnswer", () => {
  const answerOf = (answers: packet.Answer[], flags = packet.AUTHORITATIVE_ANSWER) =>
    new Uint8Array(
      packet.encode({
        id: 5,
        type: "response",
        flags,
        questions: [{ name: "h.example.test", type: "TXT" }],
        answers,
      }),
    );

  it("joins a TXT record's character-strings, keeps only the owner's records of the type, lowest TTL", () => {
    const r = readAnswer(
      answerOf([
        { name: "H.Example.Test", type: "TXT", ttl: 90, data: ["x".repeat(255), "yz"] },
        { name: "h.example.test", type: "TXT", ttl: 60, data: ['a "b" =c'] },
        { name: "other.example.test", type: "TXT", ttl: 5, data: ["no"] },
        { name: "h.example.test", type: "A", ttl: 5, data: "192.0.2.1" },
      ]),
      "h.example.test",
      "TXT",
    );
    expect(r).toEqual({
      ok: true,
      value: { rcode: 0, authoritative: true, ttl: 60, values: [`${"x".repeat(255)}yz`, 'a "b" =c'] },
    });
  });

  it("reads A and AAAA; says when the reply is not authoritative; fails on garbage", () => {
    const a = answerOf(
      [{ name: "h.example.test", type: "AAAA", ttl: 30, data: "2a02:8070:a1b2:0:0:0:0:1" }],
      0,
    );
    expect(readAnswer(a, "h.example.test", "AAAA")).toEqual({
      ok: true,
      value: { rcode: 0, authoritative: false, ttl: 30, values: ["2a02:8070:a1b2::1"] },
    });
    expect(readAnswer(Uint8Array.of(1, 2, 3), "h.example.test", "A").ok).toBe(false);
    const bad = answerOf([{ name: "h.example.test", type: "TXT", ttl: 1, data: ["abc"] }]);
    bad[bad.length - 4] = 200; // a character-string length running past the record
    expect(readAnswer(bad, "h.example.test", "TXT").ok).toBe(false);
  });
});
