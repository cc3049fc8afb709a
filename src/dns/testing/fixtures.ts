// Test helpers: a literal snapshot, and dns-packet based query building and response decoding.

import packet from "dns-packet";
import type { Snapshot } from "../../store/types.js";
import type { Zone } from "../../core/zones.js";

export const EXAMPLE_ZONE: Zone = {
  name: "example.test",
  serial: 2024010101,
  ttl: 3600,
  soa: {
    mname: "ns1.example.test",
    rname: "hostmaster.example.test",
    refresh: 7200,
    retry: 900,
    expire: 1209600,
    minimum: 300,
  },
  nameservers: ["ns1.example.test", "ns2.example.net"],
  createdAt: 0,
};

export const SUB_ZONE: Zone = {
  ...EXAMPLE_ZONE,
  name: "sub.example.test",
  serial: 7,
  ttl: 600,
  soa: { ...EXAMPLE_ZONE.soa, minimum: 900 },
};

export const BIG_TXT: string[] = Array.from({ length: 16 }, (_, i) =>
  String.fromCharCode(97 + i).repeat(255),
);
export const MEDIUM_TXT: string[] = ["x", "y", "z"].map((c) => c.repeat(255));

let hostIds = 0;
const host = (fqdn: string, zone = "example.test") => ({
  id: ++hostIds,
  fqdn,
  zone,
  ttl: undefined,
  description: "",
  createdAt: 0,
  implicit: false,
});
const set = (fqdn: string, type: "A" | "AAAA" | "TXT", ttl: number, values: string[]) => ({
  fqdn,
  type,
  ttl,
  values,
  updatedAt: 0,
});

export const SNAPSHOT: Snapshot = {
  zones: [EXAMPLE_ZONE, SUB_ZONE],
  hosts: [
    host("www.dyn.example.test"),
    host("ns1.example.test"),
    host("empty.example.test"),
    host("a.b.c.example.test"),
    host("big.example.test"),
    host("medium.example.test"),
    host("x.sub.example.test", "sub.example.test"),
  ],
  rrsets: [
    set("www.dyn.example.test", "A", 60, ["192.0.2.1"]),
    set("www.dyn.example.test", "AAAA", 60, ["2001:db8::1"]),
    set("ns1.example.test", "A", 3600, ["192.0.2.53"]),
    set("a.b.c.example.test", "TXT", 120, ["hello"]),
    set("big.example.test", "TXT", 300, BIG_TXT),
    set("medium.example.test", "TXT", 300, MEDIUM_TXT),
    set("x.sub.example.test", "A", 30, ["198.51.100.7"]),
  ],
};

export interface QueryOptions {
  id?: number;
  /** A dns-packet type name ("A", "TXT", "ANY", …) or a numeric code. */
  type?: string | number;
  class?: packet.RecordClass | number;
  opcode?: number;
  rd?: boolean;
  cd?: boolean;
  /** Adds an OPT record with this UDP payload size, EDNS version and DO bit. */
  edns?: { udpSize?: number; version?: number; dnssecOk?: boolean };
}

/** Builds a query with dns-packet; numeric type/class/opcode are patched into the bytes. */
export function buildQuery(name: string, opts: QueryOptions = {}): Uint8Array {
  const flags = (opts.rd === false ? 0 : packet.RECURSION_DESIRED) | (opts.cd ? packet.CHECKING_DISABLED : 0);
  const additionals: packet.Answer[] = [];
  if (opts.edns) {
    additionals.push({
      type: "OPT",
      name: ".",
      udpPayloadSize: opts.edns.udpSize ?? 4096,
      ednsVersion: opts.edns.version ?? 0,
      flags: opts.edns.dnssecOk === true ? packet.DNSSEC_OK : 0,
      options: [],
    } as unknown as packet.Answer);
  }
  const buf = packet.encode({
    id: opts.id ?? 0x1234,
    type: "query",
    flags,
    questions: [
      {
        name,
        type: (typeof opts.type === "string" ? opts.type : "A") as packet.RecordType,
        class: typeof opts.class === "string" ? opts.class : "IN",
      },
    ],
    additionals,
  });
  const bytes = new Uint8Array(buf);
  const qEnd = 12 + nameLength(bytes, 12);
  if (typeof opts.type === "number") new DataView(bytes.buffer).setUint16(qEnd, opts.type);
  if (typeof opts.class === "number") new DataView(bytes.buffer).setUint16(qEnd + 2, opts.class);
  if (opts.opcode !== undefined) bytes[2] = (bytes[2]! & 0x87) | (opts.opcode << 3);
  return bytes;
}

function nameLength(bytes: Uint8Array, start: number): number {
  let off = start;
  while (bytes[off]! !== 0) off += 1 + bytes[off]!;
  return off + 1 - start;
}

/** A decoded record, loosely typed: tests narrow `data` per type. */
export interface DecodedRR {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly data?: unknown;
  readonly udpPayloadSize?: number;
  readonly extendedRcode?: number;
  readonly ednsVersion?: number;
  /** OPT flags (DO is 0x8000). */
  readonly flags?: number;
}

export interface Decoded {
  readonly raw: Uint8Array;
  readonly msg: {
    readonly id?: number;
    readonly questions?: packet.Question[];
    readonly answers?: DecodedRR[];
    readonly authorities?: DecodedRR[];
    readonly additionals?: DecodedRR[];
  };
  readonly rcode: number;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly cd: boolean;
  readonly qdcount: number;
  readonly opt: DecodedRR | undefined;
}

export function decode(raw: Uint8Array | undefined): Decoded {
  if (raw === undefined) throw new Error("expected a response, got none");
  const msg = packet.decode(Buffer.from(raw)) as Decoded["msg"];
  const flags = (raw[2]! << 8) | raw[3]!;
  return {
    raw,
    msg,
    rcode: flags & 0x0f,
    opcode: (flags >> 11) & 0x0f,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    cd: (flags & 0x0010) !== 0,
    qdcount: (raw[4]! << 8) | raw[5]!,
    opt: (msg.additionals ?? []).find((a) => a.type === "OPT"),
  };
}
