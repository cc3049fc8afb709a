// Writes one response into a preallocated buffer. Records are added only while they fit under the
// size limit, so callers can tell "does not fit" (→ TC or drop additional data) without encoding twice.
// The buffer is reused between responses; `finish` returns a copy of the used bytes.

import { FLAG, HEADER_SIZE, MAX_TCP_MESSAGE, OPT_RR_SIZE, OUR_UDP_SIZE, TYPE } from "./constants.js";
import type { Edns } from "./query.js";

/** DNSSEC OK (RFC 3225), in the OPT record's TTL field. */
const DO_BIT = 0x8000;

export class ResponseWriter {
  readonly #buf = new Uint8Array(MAX_TCP_MESSAGE);
  readonly #view = new DataView(this.#buf.buffer);
  #pos = 0;
  #limit = 0;
  #counts = [0, 0, 0];

  /** Starts a response that must not exceed `limit` bytes, OPT included when `withOpt`. */
  begin(limit: number, withOpt: boolean): void {
    this.#pos = HEADER_SIZE;
    this.#limit = Math.min(limit, MAX_TCP_MESSAGE) - (withOpt ? OPT_RR_SIZE : 0);
    this.#counts = [0, 0, 0];
  }

  /** Keeps `n` more bytes free for the OPT's options (see finish); false, changing nothing, if they do not fit. */
  reserve(n: number): boolean {
    if (this.#pos + n > this.#limit) return false;
    this.#limit -= n;
    return true;
  }

  get position(): number {
    return this.#pos;
  }

  /** Copies bytes verbatim (the question section as the client sent it). */
  copy(src: Uint8Array, from: number, to: number): boolean {
    if (this.#pos + (to - from) > this.#limit) return false;
    this.#buf.set(src.subarray(from, to), this.#pos);
    this.#pos += to - from;
    return true;
  }

  /**
   * Adds a class-IN record to `section` (0 answer, 1 authority, 2 additional). The owner is either a
   * compression pointer (a message offset) or a full wire name. Returns false, writing nothing, if
   * the record would not fit.
   */
  record(
    section: 0 | 1 | 2,
    owner: number | Uint8Array,
    type: number,
    ttl: number,
    rdata: Uint8Array,
  ): boolean {
    const ownerSize = typeof owner === "number" ? 2 : owner.length;
    const size = ownerSize + 10 + rdata.length;
    if (this.#pos + size > this.#limit) return false;
    let p = this.#pos;
    if (typeof owner === "number") {
      this.#view.setUint16(p, 0xc000 | owner);
    } else {
      this.#buf.set(owner, p);
    }
    p += ownerSize;
    this.#view.setUint16(p, type);
    this.#view.setUint16(p + 2, 1);
    this.#view.setUint32(p + 4, ttl >>> 0);
    this.#view.setUint16(p + 8, rdata.length);
    this.#buf.set(rdata, p + 10);
    this.#pos = p + 10 + rdata.length;
    this.#counts[section]!++;
    return true;
  }

  /** Drops everything written after `position` (which must be a record boundary) and its counts. */
  rewind(position: number, counts: readonly [number, number, number]): void {
    this.#pos = position;
    this.#counts = [...counts];
  }

  get counts(): readonly [number, number, number] {
    return [this.#counts[0]!, this.#counts[1]!, this.#counts[2]!];
  }

  /**
   * Writes the header (QR set; `flags` supplies opcode, AA, TC, RD, CD), an OPT record when the query
   * had one (`opt`: its EDNS), and returns a copy of the message. Rcodes above 15 go in the OPT's
   * extended-rcode byte. `option`: one EDNS option, whole (code, length, data), as the OPT's rdata;
   * its size must have been reserved. Without one the OPT is the message's last 11 octets (answer-cache.ts
   * relies on it for the answers it keeps, which never carry an option).
   */
  finish(
    id: number,
    flags: number,
    rcode: number,
    qdcount: number,
    opt: Pick<Edns, "dnssecOk"> | undefined,
    option?: Uint8Array,
  ): Uint8Array {
    let arcount = this.#counts[2]!;
    if (opt !== undefined) {
      const p = this.#pos;
      this.#buf[p] = 0;
      this.#view.setUint16(p + 1, TYPE.OPT);
      this.#view.setUint16(p + 3, OUR_UDP_SIZE);
      // TTL: extended rcode (high 8 bits of the 12-bit rcode), version 0, the query's DO bit (RFC 3225
      // §3: copied into the response, whatever the answer), the other flags zero.
      this.#view.setUint32(p + 5, (((rcode >> 4) & 0xff) << 24) | (opt.dnssecOk ? DO_BIT : 0));
      this.#view.setUint16(p + 9, option?.length ?? 0);
      this.#pos = p + OPT_RR_SIZE;
      if (option !== undefined) {
        this.#buf.set(option, this.#pos);
        this.#pos += option.length;
      }
      arcount++;
    }
    this.#view.setUint16(0, id);
    this.#view.setUint16(2, FLAG.QR | (flags & ~FLAG.QR & 0xfff0) | (rcode & 0x0f));
    this.#view.setUint16(4, qdcount);
    this.#view.setUint16(6, this.#counts[0]!);
    this.#view.setUint16(8, this.#counts[1]!);
    this.#view.setUint16(10, arcount);
    return this.#buf.slice(0, this.#pos);
  }
}
