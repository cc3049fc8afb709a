// Numeric codes of the DNS wire format that Beacon's own encoder and parser use (RFC 1035, 6891, 8482).

export const HEADER_SIZE = 12;

export const TYPE = {
  A: 1,
  NS: 2,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
} as const;

export const CLASS = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

export const OPCODE = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

/** Response codes; values above 15 travel in the OPT record's extended-rcode byte. */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

const RCODE_NAMES = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN", // RFC 2136 from here on
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
];

/** The mnemonic of a header rcode ("NOERROR" … "NOTZONE"), or its number. */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? String(rcode);
}

/** Bits of the 16-bit flags word (header bytes 2–3). */
export const FLAG = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  AD: 0x0020,
  CD: 0x0010,
} as const;

/** The UDP payload size we advertise and the most we send over UDP (DNS flag day 2020). */
export const OUR_UDP_SIZE = 1232;
/** Without EDNS a UDP reply is at most this (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_SIZE = 512;
export const MAX_TCP_MESSAGE = 65535;
export const MAX_NAME_WIRE = 255;
export const MAX_LABEL = 63;
/** An OPT record with empty rdata: root name, type, class, ttl, rdlength. */
export const OPT_RR_SIZE = 11;
