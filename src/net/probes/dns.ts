// The dns probe: one UDP query (type A, class IN, RD=0, a random ID) for `name` to address:port.
// Up when the reply says NOERROR with at least one answer; RTT is query to reply. Only the 12-byte
// header of the reply is read: a datagram shorter than a header, not a response (QR clear) or with
// another ID is ignored and the probe waits on; the socket is connected, so the kernel drops
// datagrams from another address or port. Reasons: "no answer"
// (NOERROR, ANCOUNT 0), "rcode NXDOMAIN" and the like, "bad query name", and the connection reasons
// of ./reasons.ts (an ICMP port unreachable is "refused"). The socket is always closed.
//
// The query is built by hand (a header and one question) because net/ sits below dns/ and may not
// use its wire module.

import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import { isIP } from "node:net";
import { attempt, type ProbeContext, type ProbeResult } from "./attempt.js";
import { reasonOf } from "./reasons.js";

const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET"];
const RCODES_MORE = ["NXRRSET", "NOTAUTH", "NOTZONE"];

/** The wire form of a query for `name` IN A with id `id`, or undefined when `name` is not a DNS name. */
export function encodeQuery(id: number, name: string): Buffer | undefined {
  const labels = name.replace(/\.$/, "").split(".");
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, "utf8");
    if (bytes.length === 0 || bytes.length > 63) return undefined;
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  const qname = Buffer.concat([...parts, Buffer.from([0])]);
  if (qname.length > 255) return undefined;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4); // QDCOUNT; flags 0: a standard query, RD clear
  return Buffer.concat([header, qname, Buffer.from([0, 1, 0, 1])]);
}

function rcodeName(rcode: number): string {
  return RCODES[rcode] ?? RCODES_MORE[rcode - 8] ?? String(rcode);
}

export function probeDns(
  address: string,
  port: number,
  name: string,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  return attempt(ctx, (done) => {
    const id = randomInt(0, 0x10000);
    const query = encodeQuery(id, name);
    if (query === undefined) {
      done({ ok: false, reason: "bad query name" });
      return undefined;
    }
    const socket = dgram.createSocket(isIP(address) === 6 ? "udp6" : "udp4");
    let started = 0;
    socket.on("error", (e) => done({ ok: false, reason: reasonOf(e) }));
    socket.on("message", (msg) => {
      if (msg.length < 12) return;
      const flags = msg.readUInt16BE(2);
      if (msg.readUInt16BE(0) !== id || (flags & 0x8000) === 0) return;
      const rcode = flags & 0x000f;
      if (rcode !== 0) done({ ok: false, reason: `rcode ${rcodeName(rcode)}` });
      else if (msg.readUInt16BE(6) === 0) done({ ok: false, reason: "no answer" });
      else done({ ok: true, rttMs: ctx.now() - started });
    });
    // connected: ICMP port unreachable comes back as an error ("refused")
    socket.connect(port, address, () => {
      started = ctx.now();
      socket.send(query, (e) => {
        if (e) done({ ok: false, reason: reasonOf(e) });
      });
    });
    return () => socket.close();
  });
}
