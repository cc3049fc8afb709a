// Response-rate limiting for UDP (after BIND 9's RRL): responses to one client prefix (IPv4 /24, IPv6
// /56 by default) are counted per (prefix, kind of answer, name) — the qname and qtype for answers and
// NODATA, the zone for NXDOMAIN (so random subdomains share one account), nothing for errors. Each
// account earns `responsesPerSecond` credits a second, holds at most one second's worth, and may owe at
// most `windowSeconds` worth: a flood must stop for that long before it is answered again. Over the
// limit a response is dropped, except every `slip`-th one, which is sent truncated (TC=1, question
// only) so a real client behind a spoofed-looking flood retries over TCP, which is never limited.
//
// Memory is bounded: at most `tableSize` accounts, the least recently used evicted first. The clock
// is injected. `check` never throws, whatever bytes it is given.

import { createNetworkOf } from "./client-network.js";
import { FLAG, HEADER_SIZE, RCODE } from "./wire/constants.js";

export interface RrlOptions {
  /** Responses a second per account; 0 disables limiting (every verdict is "send"). */
  readonly responsesPerSecond: number;
  /** Seconds of debt an account may run up (BIND's `window`). ≥ 1. */
  readonly windowSeconds: number;
  /** Every slip-th limited response is sent truncated; 0 drops them all, 1 truncates every one. */
  readonly slip: number;
  readonly ipv4PrefixLength: number;
  readonly ipv6PrefixLength: number;
  /** Most accounts kept. */
  readonly tableSize: number;
  /** Clients never limited (CIDRs or addresses, e.g. "127.0.0.0/8"). */
  readonly exempt: readonly string[];
  /** Milliseconds, monotonic enough (Date.now). */
  readonly now: () => number;
}

export type RrlVerdict = "send" | "drop" | "slip";

export interface ResponseRateLimiter {
  /**
   * What to do with `response`, about to be sent to `clientAddress` over UDP. Only responses to
   * queries (opcode QUERY) are limited; UPDATE and NOTIFY replies are always sent.
   */
  check(clientAddress: string, response: Uint8Array): RrlVerdict;
}

interface Account {
  balance: number;
  at: number;
  limited: number;
}

export function createRrl(opts: RrlOptions): ResponseRateLimiter {
  const rate = opts.responsesPerSecond;
  if (rate <= 0) return { check: () => "send" };
  const floor = -rate * Math.max(1, opts.windowSeconds);
  const accounts = new Map<string, Account>();
  const prefixOf = createNetworkOf(opts);

  return {
    check(clientAddress, response) {
      if (response.length > 2 && (response[2]! & 0x78) !== 0) return "send";
      const prefix = prefixOf(clientAddress);
      if (prefix === undefined) return "send";
      const key = `${prefix}|${accountName(response)}`;
      const now = opts.now();
      let account = accounts.get(key);
      if (account === undefined) {
        if (accounts.size >= opts.tableSize) {
          const oldest = accounts.keys().next();
          if (oldest.done !== true) accounts.delete(oldest.value);
        }
        account = { balance: rate, at: now, limited: 0 };
      } else {
        // re-inserted so the Map's order is least recently used first
        accounts.delete(key);
        const elapsed = Math.max(0, now - account.at) / 1000;
        account.balance = Math.min(rate, account.balance + elapsed * rate);
        account.at = now;
      }
      accounts.set(key, account);
      account.balance = Math.max(floor, account.balance - 1);
      if (account.balance >= 0) {
        account.limited = 0;
        return "send";
      }
      account.limited++;
      return opts.slip > 0 && account.limited % opts.slip === 0 ? "slip" : "drop";
    },
  };
}

/**
 * The truncated stand-in for a limited response: same ID, opcode, RD and rcode, TC set, the question
 * kept and every other section dropped. Undefined when the response is too short to be one.
 */
export function slipReply(response: Uint8Array): Uint8Array | undefined {
  if (response.length < HEADER_SIZE) return undefined;
  const qdcount = (response[4]! << 8) | response[5]!;
  const end = qdcount === 1 ? nameEnd(response, HEADER_SIZE) : HEADER_SIZE;
  const questionEnd = end === undefined ? HEADER_SIZE : Math.min(end + 4, response.length);
  const out = Uint8Array.from(response.subarray(0, questionEnd));
  out[2] = out[2]! | (FLAG.TC >> 8);
  out[4] = 0;
  out[5] = questionEnd > HEADER_SIZE ? 1 : 0;
  out.fill(0, 6, 12);
  return out;
}

/** "answer:<qname>/<qtype>", "nodata:<qname>/<qtype>", "nxdomain:<zone>" or "error:<rcode>". */
function accountName(r: Uint8Array): string {
  if (r.length < HEADER_SIZE) return "error:short";
  const rcode = r[3]! & 0x0f;
  const ancount = (r[6]! << 8) | r[7]!;
  const qdcount = (r[4]! << 8) | r[5]!;
  if ((rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN) || qdcount !== 1) return `error:${rcode}`;
  const qname = readName(r, HEADER_SIZE);
  const qEnd = nameEnd(r, HEADER_SIZE);
  if (qname === undefined || qEnd === undefined || qEnd + 4 > r.length) return `error:${rcode}`;
  const qtype = (r[qEnd]! << 8) | r[qEnd + 1]!;
  if (rcode === RCODE.NOERROR) return `${ancount > 0 ? "answer" : "nodata"}:${qname}/${qtype}`;
  // NXDOMAIN: the owner of the SOA in authority is the zone (answers are empty, so it comes first)
  const zone = ancount === 0 ? readName(r, qEnd + 4) : undefined;
  return `nxdomain:${zone ?? qname}`;
}

/** Offset just past the name at `at` (a pointer ends it), or undefined when it runs off the message. */
function nameEnd(buf: Uint8Array, at: number): number | undefined {
  for (let i = 0; i < 128; i++) {
    const len = buf[at];
    if (len === undefined) return undefined;
    if ((len & 0xc0) === 0xc0) return at + 2 <= buf.length ? at + 2 : undefined;
    if ((len & 0xc0) !== 0) return undefined;
    at += len + 1;
    if (len === 0) return at;
  }
  return undefined;
}

/** The name at `at`, lowercase ASCII, following at most 16 pointers; undefined when malformed. */
function readName(buf: Uint8Array, at: number): string | undefined {
  let out = "";
  let jumps = 0;
  for (let i = 0; i < 256; i++) {
    const len = buf[at];
    if (len === undefined) return undefined;
    if ((len & 0xc0) === 0xc0) {
      const low = buf[at + 1];
      if (low === undefined || ++jumps > 16) return undefined;
      at = ((len & 0x3f) << 8) | low;
      continue;
    }
    if ((len & 0xc0) !== 0 || at + len >= buf.length) return undefined;
    if (len === 0) return out;
    for (let j = at + 1; j <= at + len; j++) {
      const c = buf[j]!;
      out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    }
    out += ".";
    if (out.length > 255) return undefined;
    at += len + 1;
  }
  return undefined;
}
