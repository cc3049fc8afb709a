// The AXFR (RFC 5936) and IXFR (RFC 1995) responder: the `transfer` route of dispatch.ts.
//
// Contract (every reply a clear rcode, never a throw):
// - Malformed request → FORMERR. TSIG (RFC 8945) is checked first when present: BADKEY/BADSIG → NOTAUTH
//   with an unsigned TSIG error record; BADTIME → NOTAUTH signed, the server time in Other Data.
// - Not one of our zone apexes (or class not IN) → NOTAUTH. Client address outside `allow` → REFUSED;
//   when `keys` is non-empty, a request not signed by one of them → REFUSED.
// - AXFR over UDP → REFUSED (RFC 5936 §4.2: AXFR is TCP only). IXFR over UDP → the current SOA only
//   (RFC 1995 §2), so the client comes back over TCP.
// - AXFR: SOA, every record, SOA, over as many messages as needed. IXFR: a single SOA when the client
//   is current; the journal's diffs when it covers the client's serial; else, with `logDiffs`, the
//   diffs the store's change log gives (log-diffs.ts: after a restart, or after several commits were
//   applied at once; the reply is then asynchronous); else the full zone (§4).
// - A signed request gets every message of the stream signed (request MAC, then prior MAC + timers).

import { inCidr, normalizeSocketAddress } from "../../core/ip.js";
import type { Log } from "../../core/log.js";
import type { Keyring } from "../tsig/keyring.js";
import {
  DEFAULT_FUDGE,
  appendTsigRecord,
  signTsig,
  TSIG_ERROR,
  verifyTsig,
  type TsigKey,
} from "../tsig/tsig.js";
import type { DnsHandler, DnsReply } from "../answer/types.js";
import { CLASS, HEADER_SIZE, MAX_TCP_MESSAGE, RCODE, TYPE } from "../wire/constants.js";
import { skipName } from "../wire/name.js";
import { parseQuery } from "../wire/query.js";
import { readMessage } from "../wire/records.js";
import type { TransferSource, ZoneContent, ZoneDiff } from "./journal.js";
import type { LogDiffs } from "./log-diffs.js";
import { errorReply, packTransfer, type StreamRecord } from "./stream.js";

export const NOTAUTH = 9;

export interface TransferPolicy {
  /** Canonical CIDRs allowed to transfer; empty: nobody. */
  readonly allow: readonly string[];
  /** TSIG key names of which one must sign the request; empty: no TSIG needed. */
  readonly keys: readonly string[];
}

export interface TransferDeps {
  readonly source: TransferSource;
  readonly policy: TransferPolicy;
  readonly keyring: Keyring;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly log: Log;
  /** Largest message of a stream, TSIG included (default 65535; tests use less to get many messages). */
  readonly maxMessageSize?: number;
  /** The durable journal, asked when the in-memory one cannot cover an IXFR (none: the full zone). */
  readonly logDiffs?: LogDiffs;
}

/** Room left in each message for the TSIG record (names ≤ 255 + 255, MAC ≤ 64, fixed fields). */
const TSIG_RESERVE = 640;

export function createTransferHandler(deps: TransferDeps): DnsHandler {
  const limit = Math.min(deps.maxMessageSize ?? MAX_TCP_MESSAGE, MAX_TCP_MESSAGE);
  const allowed = (address: string): boolean => {
    const ip = normalizeSocketAddress(address);
    return ip !== undefined && deps.policy.allow.some((c) => inCidr(ip, c));
  };

  return (msg, ctx): DnsReply | Promise<DnsReply> => {
    const parsed = parseQuery(msg);
    if (parsed.kind === "drop") return undefined;
    if (parsed.kind === "formerr") return headerOnly(msg, RCODE.FORMERR);
    const q = parsed.query;
    const now = Math.floor(deps.clock() / 1000);

    const verdict = verifyTsig(msg, { findKey: (n) => deps.keyring(n), now, maxFudge: DEFAULT_FUDGE });
    switch (verdict.status) {
      case "FORMERR":
        return errorReply(msg, q, RCODE.FORMERR);
      case "BADKEY":
      case "BADSIG": {
        const error = verdict.status === "BADKEY" ? TSIG_ERROR.BADKEY : TSIG_ERROR.BADSIG;
        deps.log.info({ client: ctx.remoteAddress, tsig: verdict.status }, "zone transfer: TSIG failed");
        return appendTsigRecord(errorReply(msg, q, NOTAUTH), {
          ...verdict.record,
          mac: new Uint8Array(0),
          error,
          otherData: new Uint8Array(0),
        });
      }
      case "BADTIME":
        deps.log.info({ client: ctx.remoteAddress }, "zone transfer: TSIG time outside the fudge");
        return signTsig(errorReply(msg, q, NOTAUTH), {
          key: verdict.key,
          timeSigned: verdict.record.timeSigned,
          requestMac: verdict.mac,
          error: TSIG_ERROR.BADTIME,
          otherData: u48(now),
        }).message;
    }
    const signer = verdict.status === "ok" ? { key: verdict.key, mac: verdict.mac } : undefined;
    const sign = (messages: Uint8Array[]): Uint8Array[] =>
      signer === undefined ? messages : signStream(messages, signer.key, signer.mac, now);
    const fail = (rcode: number, why: string): Uint8Array => {
      deps.log.info(
        { client: ctx.remoteAddress, zone: q.qname.name, qtype: q.qtype, why },
        "zone transfer refused",
      );
      return sign([errorReply(msg, q, rcode)])[0]!;
    };

    const zone = q.qclass === CLASS.IN ? deps.source.zone(q.qname.name) : undefined;
    if (zone === undefined) return fail(NOTAUTH, "not a zone of ours");
    if (!allowed(ctx.remoteAddress)) return fail(RCODE.REFUSED, "address not in dns.transfer.allow");
    if (deps.policy.keys.length > 0 && (signer === undefined || !deps.policy.keys.includes(signer.key.name)))
      return fail(RCODE.REFUSED, "not signed with a key of dns.transfer.keys");

    const soa = soaRecord(zone);
    const send = (
      records: Iterable<StreamRecord>,
      kind: string,
      serial = zone.serial,
    ): Uint8Array[] | Uint8Array => {
      const messages = packTransfer(msg, q, records, limit - (signer === undefined ? 0 : TSIG_RESERVE));
      if (messages === undefined) return fail(RCODE.SERVFAIL, "a record larger than a message");
      deps.log.info(
        { client: ctx.remoteAddress, zone: zone.name, serial, kind, messages: messages.length },
        "zone transfer",
      );
      return sign(messages);
    };
    if (q.qtype !== TYPE.IXFR) {
      if (ctx.transport === "udp") return fail(RCODE.REFUSED, "AXFR over UDP");
      return send(axfrRecords(zone, soa), "AXFR");
    }
    const clientSerial = ixfrSerial(msg);
    if (clientSerial === undefined) return fail(RCODE.FORMERR, "IXFR without an SOA in authority");
    const diffs = deps.source.diffsSince(zone.name, clientSerial);
    if (ctx.transport === "udp" || diffs?.length === 0) return send([soa], "IXFR (current SOA)");
    if (diffs !== undefined) return send(ixfrRecords(zone, soa, diffs), "IXFR");
    if (deps.logDiffs === undefined) return send(axfrRecords(zone, soa), "IXFR (full zone)");
    // The log's diffs end at the serial and SOA the zone had when the request came; a full zone sent
    // after the wait is read again (the index may have moved on meanwhile).
    return deps.logDiffs(zone.name, clientSerial, zone.serial).then((logged) => {
      if (logged !== undefined && logged.length > 0)
        return send(ixfrRecords(zone, soa, logged), "IXFR (change log)");
      const now = deps.source.zone(zone.name);
      if (now === undefined) return fail(NOTAUTH, "zone removed during the transfer");
      return send(axfrRecords(now, soaRecord(now)), "IXFR (full zone)", now.serial);
    });
  };
}

function soaRecord(zone: ZoneContent): StreamRecord {
  return { owner: zone.owner, type: TYPE.SOA, ttl: zone.ttl, rdata: zone.soaRdata };
}

function* axfrRecords(zone: ZoneContent, soa: StreamRecord): Generator<StreamRecord> {
  yield soa;
  yield* zone.records();
  yield soa;
}

function* ixfrRecords(
  zone: ZoneContent,
  soa: StreamRecord,
  diffs: readonly ZoneDiff[],
): Generator<StreamRecord> {
  yield soa;
  for (const d of diffs) {
    yield { ...soa, rdata: d.oldSoa };
    yield* d.removed;
    yield { ...soa, rdata: d.newSoa };
    yield* d.added;
  }
  yield soa;
}

/** Signs each message of a stream: the first over the request MAC, later ones over the prior MAC + timers. */
function signStream(messages: Uint8Array[], key: TsigKey, requestMac: Uint8Array, now: number): Uint8Array[] {
  let prior = requestMac;
  return messages.map((m, i) => {
    const signed = signTsig(m, { key, timeSigned: now, requestMac: prior, timersOnly: i > 0 });
    prior = signed.mac;
    return signed.message;
  });
}

/** The serial of the SOA in the authority section of an IXFR request (RFC 1995 §3). */
function ixfrSerial(msg: Uint8Array): number | undefined {
  const m = readMessage(msg);
  if (!m.ok) return undefined;
  const rr = m.value.records.find((r) => r.section === 1 && r.type === TYPE.SOA);
  if (rr === undefined) return undefined;
  const mname = skipName(msg, rr.rdataStart);
  if (!mname.ok) return undefined;
  const rname = skipName(msg, mname.value.end);
  if (!rname.ok || rname.value.end + 20 > rr.end) return undefined;
  const at = rname.value.end;
  return ((msg[at]! << 24) | (msg[at + 1]! << 16) | (msg[at + 2]! << 8) | msg[at + 3]!) >>> 0;
}

/** FORMERR for a request whose question cannot be read: the header only, ID and opcode echoed. */
function headerOnly(msg: Uint8Array, rcode: number): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  out.set(msg.subarray(0, 4));
  out[2] = 0x80 | (msg[2]! & 0x79);
  out[3] = rcode & 0x0f;
  return out;
}

function u48(n: number): Uint8Array {
  const out = new Uint8Array(6);
  const view = new DataView(out.buffer);
  view.setUint16(0, Math.floor(n / 2 ** 32));
  view.setUint32(2, n % 2 ** 32);
  return out;
}
