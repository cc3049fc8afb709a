// Stub-resolver side of the wire format: encode one question, check and decode the reply. The reply is
// hostile input: anything that is not an answer to exactly our question is "mismatch" (the caller
// ignores it and keeps waiting: an off-path spoofer must guess ID and question), anything that cannot
// be read is "malformed". Never throws.

import packet from "dns-packet";
import { parseIp } from "../../core/ip.js";
import { CLASS, FLAG, HEADER_SIZE, OUR_UDP_SIZE, TYPE } from "../wire/constants.js";
import { readQuestionName } from "../wire/name.js";
import { readHeader } from "../wire/query.js";

export interface ClientQuestion {
  /** Canonical name: lowercase, no trailing dot. */
  readonly name: string;
  readonly type: "A" | "AAAA" | "TXT";
  readonly qclass: "IN" | "CH";
}

export type ClientReply =
  | { readonly kind: "mismatch"; readonly reason: string }
  | { readonly kind: "malformed"; readonly reason: string }
  /** TC set: ask again over TCP. */
  | { readonly kind: "truncated" }
  | { readonly kind: "reply"; readonly rcode: string; readonly answers: readonly string[] };

/** A recursive query (RD set) with an EDNS0 OPT advertising OUR_UDP_SIZE. */
export function encodeClientQuery(id: number, q: ClientQuestion): Uint8Array {
  const opt = { type: "OPT", name: ".", udpPayloadSize: OUR_UDP_SIZE, flags: 0, options: [] };
  return new Uint8Array(
    packet.encode({
      id,
      type: "query",
      flags: packet.RECURSION_DESIRED,
      questions: [{ name: q.name, type: q.type, class: q.qclass }],
      additionals: [opt as unknown as packet.Answer],
    }),
  );
}

/**
 * The stub resolver's accept rule (exchange.ts): why `msg` is not a reply to our ID and question, or
 * undefined when it is ours, or too broken to tell (decodeClientReply then calls it malformed).
 */
export function clientReplyMismatch(msg: Uint8Array, id: number, q: ClientQuestion): string | undefined {
  const screened = screen(msg, id, q);
  return screened.kind === "mismatch" ? screened.reason : undefined;
}

export function decodeClientReply(msg: Uint8Array, id: number, q: ClientQuestion): ClientReply {
  const screened = screen(msg, id, q);
  if (screened.kind !== "ours") return screened;
  if (screened.truncated) return { kind: "truncated" };

  let decoded: packet.Packet;
  try {
    decoded = packet.decode(Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength));
  } catch (e) {
    return { kind: "malformed", reason: `undecodable reply: ${e instanceof Error ? e.message : "unknown"}` };
  }
  const rcode = (decoded as { rcode?: string }).rcode ?? "RCODE_UNKNOWN";
  return { kind: "reply", rcode, answers: answersFor(decoded.answers ?? [], q) };
}

type Screened =
  | Extract<ClientReply, { kind: "mismatch" | "malformed" }>
  | { readonly kind: "ours"; readonly truncated: boolean };

/** Header and question only: whose reply this is, without decoding the records. */
function screen(msg: Uint8Array, id: number, q: ClientQuestion): Screened {
  const header = readHeader(msg);
  if (header === undefined) return { kind: "malformed", reason: "reply shorter than a DNS header" };
  if (header.id !== id) return { kind: "mismatch", reason: `reply ID ${header.id} is not ours` };
  if ((header.flags & FLAG.QR) === 0) return { kind: "mismatch", reason: "message is not a response" };
  if (header.qdcount !== 1) return { kind: "mismatch", reason: `reply has ${header.qdcount} questions` };
  const qname = readQuestionName(msg, HEADER_SIZE);
  if (!qname.ok) return { kind: "malformed", reason: `reply question: ${qname.reason}` };
  const at = qname.value.end;
  if (at + 4 > msg.length) return { kind: "malformed", reason: "reply question is truncated" };
  const qtype = (msg[at]! << 8) | msg[at + 1]!;
  const qclass = (msg[at + 2]! << 8) | msg[at + 3]!;
  if (qname.value.name !== q.name || qtype !== TYPE[q.type] || qclass !== CLASS[q.qclass])
    return { kind: "mismatch", reason: "reply is for another question" };
  return { kind: "ours", truncated: (header.flags & FLAG.TC) !== 0 };
}

/** Data of the asked type and class owned by the question name or a CNAME alias of it, in order. */
function answersFor(records: readonly packet.Answer[], q: ClientQuestion): string[] {
  const owners = new Set([q.name]);
  const out: string[] = [];
  for (const rr of records) {
    const owner = rr.name.toLowerCase().replace(/\.$/, "");
    const klass = (rr as { class?: string }).class ?? "IN";
    if (!owners.has(owner) || klass !== q.qclass) continue;
    if (rr.type === "CNAME") owners.add(rr.data.toLowerCase().replace(/\.$/, ""));
    else if (rr.type === q.type) {
      const value = rdataText(rr);
      if (value !== undefined) out.push(value);
    }
  }
  return out;
}

function rdataText(rr: packet.Answer): string | undefined {
  if (rr.type === "A" || rr.type === "AAAA") return parseIp(rr.data)?.text;
  if (rr.type === "TXT") {
    const parts: unknown[] = Array.isArray(rr.data) ? rr.data : [rr.data];
    return parts.map((p) => (Buffer.isBuffer(p) ? p.toString("utf8") : String(p))).join("");
  }
  return undefined;
}
