// Precomputed answers for the query hot path. A plain query (opcode QUERY, one question, no other
// records but an optional EDNS0 OPT without anything unusual) is answered by copying bytes the engine
// produced earlier for the same question, with the ID, RD and CD (and the question's case) patched in:
// no parsing into objects, no string, one copy. With EDNS the query's DO bit is patched into the
// answer's OPT too (RFC 3225; the engine writes the OPT last, so it is the answer's final 11 octets).
// Everything else goes to the engine unchanged.
//
// Contract: the bytes served are exactly what `answerQuery` would answer now. An entry remembers what
// its answer was computed from — the zone list's version, the node's version, and (for answers that
// read the zone: negative answers with the SOA, the apex, ANY) the zone's stamp — and is used only while
// all of them are unchanged (ZoneView promises a fresh value on every change). So an update makes
// exactly the answers it touched recompute, on their next query. With answer steering (steering.ts) an
// entry also remembers the steering registry's version (any rule change recomputes every answer on its
// next query: rules change seldom), and an answer for a name with a rule is never kept (it is chosen
// per query). Only answers of at most 512 bytes without TC are kept, so the transport's size limit
// never matters.
//
// Questions differing only in case share an entry. A lowercase question (what stub resolvers and most
// recursors send) gets owner names that point at the question; a question with capitals gets the
// owners spelled in the zone data's case (as BIND answers), a second variant kept in the same entry.
// Memory is bounded by `maxEntries` (rounded up to a power of two): a question whose slot is taken
// replaces the entry there.

import { answerQuery, type QueryContext } from "./engine.js";
import type { AnswerSteering } from "./steering.js";
import type { ServedNode, ServedZone, ZoneView } from "./types.js";
import { CLASSIC_UDP_SIZE, HEADER_SIZE, TYPE } from "../wire/constants.js";

export interface AnswerCacheOptions {
  /** Most questions remembered (each entry holds up to two answers of ≤ 512 bytes). Default 131 072. */
  readonly maxEntries?: number;
  /**
   * Returns `n` writable bytes whose content does not matter (every byte is overwritten). Default a
   * new Uint8Array; under Node pass Buffer.allocUnsafe, ten times faster for small answers (pooled,
   * no zero-fill), which this file may not name: it runs without Node's globals (tsconfig.pure.json).
   */
  readonly alloc?: (n: number) => Uint8Array;
  /** Per-query answers for the names with a rule (passed on to the engine). */
  readonly steering?: AnswerSteering;
}

export interface CachedAnswers {
  (msg: Uint8Array, ctx: QueryContext): Uint8Array | undefined;
  /**
   * The cached answer to `msg`, or undefined (not a plain query, or not cached / no longer current).
   * Safe in front of any routing: only questions this function answered before can hit.
   */
  readonly hit: (msg: Uint8Array) => Uint8Array | undefined;
  /** Answers served from the cache / computed by the engine for a cacheable question, since start. */
  readonly stats: () => { readonly hits: number; readonly misses: number; readonly entries: number };
}

interface Entry {
  /** The question (name, type, class) in lowercase, exactly as the query's bytes [12, 12 + length). */
  readonly key: Uint8Array;
  readonly edns: boolean;
  /** The answer to the lowercase question, and to one with capitals; undefined until first needed. */
  lower: Uint8Array | undefined;
  mixed: Uint8Array | undefined;
  readonly zonesVersion: number;
  readonly node: ServedNode | undefined;
  readonly nodeVersion: number;
  /** undefined: the answer does not depend on the zone beyond the node (or there is no zone). */
  readonly zone: ServedZone | undefined;
  readonly zoneStamp: number;
  readonly steeringVersion: number;
}

const DEFAULT_MAX_ENTRIES = 131_072;
const FLAG_RD = 0x01; // in byte 2
const FLAG_CD = 0x10; // in byte 3
const FLAG_TC = 0x02; // in byte 2
/** DO in the first flags octet of an OPT's TTL: 4 octets before the end of an OPT with empty rdata. */
const OPT_DO = 0x80;
const OPT_DO_FROM_END = 4;

/** What `readQuestion` found; module state so the hot path allocates nothing (answering is synchronous). */
let questionEnd = 0;
let hasEdns = false;
let hasUpper = false;
/** The DO bit of the query's OPT (OPT_DO or 0). */
let dnssecOk = 0;

/**
 * The hash of a cacheable query's lowercase question (and whether it has EDNS), or -1 when the message
 * is not a plain query this cache may answer. Sets questionEnd, hasEdns and hasUpper.
 */
function readQuestion(msg: Uint8Array): number {
  const length = msg.length;
  // QR=0 and opcode QUERY; qdcount 1; ancount 0; nscount 0; arcount 0 or 1
  if (length < HEADER_SIZE + 5 || (msg[2]! & 0xf8) !== 0) return -1;
  if (msg[4] !== 0 || msg[5] !== 1 || msg[6] !== 0 || msg[7] !== 0 || msg[8] !== 0 || msg[9] !== 0) return -1;
  if (msg[10] !== 0 || msg[11]! > 1) return -1;
  let hash = 0x811c9dc5;
  let upper = false;
  let at = HEADER_SIZE;
  for (;;) {
    const len = msg[at]!;
    if (len > 63 || at + len + 1 > length) return -1;
    hash = Math.imul(hash ^ len, 0x01000193);
    at++;
    if (len === 0) break;
    for (const end = at + len; at < end; at++) {
      let b = msg[at]!;
      if (b >= 0x41 && b <= 0x5a) {
        b |= 0x20;
        upper = true;
      }
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    if (at - HEADER_SIZE > 255) return -1;
  }
  const end = at + 4;
  if (end > length) return -1;
  for (; at < end; at++) hash = Math.imul(hash ^ msg[at]!, 0x01000193);
  const edns = msg[11] === 1;
  if (edns ? !plainOpt(msg, end) : length !== end) return -1;
  questionEnd = end;
  hasEdns = edns;
  dnssecOk = edns ? msg[end + 7]! & OPT_DO : 0;
  hasUpper = upper;
  return (edns ? hash ^ 0x5bd1e995 : hash) >>> 0;
}

/** An OPT owned by the root, version 0, its options well formed and ending exactly at the message end. */
function plainOpt(msg: Uint8Array, at: number): boolean {
  if (at + 11 > msg.length || msg[at] !== 0 || msg[at + 1] !== 0 || msg[at + 2] !== TYPE.OPT) return false;
  if (msg[at + 6] !== 0) return false; // EDNS version: others are BADVERS, left to the engine
  const rdEnd = at + 11 + ((msg[at + 9]! << 8) | msg[at + 10]!);
  if (rdEnd !== msg.length) return false;
  for (let o = at + 11; o < rdEnd;) {
    if (o + 4 > rdEnd) return false;
    o += 4 + ((msg[o + 2]! << 8) | msg[o + 3]!);
    if (o > rdEnd) return false;
  }
  return true;
}

function sameQuestion(entry: Entry, msg: Uint8Array, edns: boolean): boolean {
  const key = entry.key;
  if (entry.edns !== edns || key.length !== questionEnd - HEADER_SIZE) return false;
  for (let i = 0; i < key.length; i++) {
    let b = msg[HEADER_SIZE + i]!;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    if (b !== key[i]) return false;
  }
  return true;
}

/** Answers through the cache, falling back to `answerQuery(msg, view, ctx)`. */
export function createAnswerCache(view: ZoneView, opts: AnswerCacheOptions = {}): CachedAnswers {
  // Direct-mapped: a power-of-two table indexed by the question's hash; a new question whose slot is
  // taken replaces the entry there. No lists to keep, and a lookup is one array read.
  let slots = 1;
  while (slots < Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES)) slots *= 2;
  const table = new Array<Entry | undefined>(slots).fill(undefined);
  const mask = slots - 1;
  const alloc = opts.alloc ?? ((n: number) => new Uint8Array(n));
  let entries = 0;
  let hits = 0;
  let misses = 0;
  const recorder = new RecordingView(view);
  const steering = opts.steering;

  const current = (e: Entry): boolean =>
    e.zonesVersion === view.zonesVersion &&
    (steering === undefined || e.steeringVersion === steering.version) &&
    (e.node === undefined || e.node.version === e.nodeVersion) &&
    (e.zone === undefined || e.zone.stamp === e.zoneStamp);

  /** The current entry for the question readQuestion just read, if any. */
  const find = (msg: Uint8Array, hash: number): Entry | undefined => {
    const entry = table[hash & mask];
    return entry !== undefined && sameQuestion(entry, msg, hasEdns) && current(entry) ? entry : undefined;
  };

  /** The cached answer for the question readQuestion just read (as `hash`), patched for `msg`. */
  const served = (msg: Uint8Array, hash: number): Uint8Array | undefined => {
    const entry = find(msg, hash);
    const stored = hasUpper ? entry?.mixed : entry?.lower;
    if (stored === undefined) return undefined;
    hits++;
    const out = alloc(stored.length);
    out.set(stored);
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    out[2] = (stored[2]! & ~FLAG_RD) | (msg[2]! & FLAG_RD);
    out[3] = (stored[3]! & ~FLAG_CD) | (msg[3]! & FLAG_CD);
    if (hasUpper) out.set(msg.subarray(HEADER_SIZE, questionEnd), HEADER_SIZE);
    if (hasEdns) {
      const at = out.length - OPT_DO_FROM_END;
      out[at] = (stored[at]! & ~OPT_DO) | dnssecOk;
    }
    return out;
  };

  const hit = (msg: Uint8Array): Uint8Array | undefined => {
    const hash = readQuestion(msg);
    return hash < 0 ? undefined : served(msg, hash);
  };

  const answer = (msg: Uint8Array, ctx: QueryContext): Uint8Array | undefined => {
    const hash = readQuestion(msg);
    if (hash < 0) return answerQuery(msg, view, ctx, steering);
    const cached = served(msg, hash);
    if (cached !== undefined) return cached;
    const edns = hasEdns;
    const upper = hasUpper;
    const end = questionEnd;
    let entry = find(msg, hash);
    misses++;
    recorder.begin();
    const reply = answerQuery(msg, recorder, ctx, steering);
    if (reply === undefined || reply.length > CLASSIC_UDP_SIZE || (reply[2]! & FLAG_TC) !== 0) return reply;
    if (recorder.lookups > 1) return reply; // e.g. NS with glue: depends on other nodes
    if (
      steering !== undefined &&
      steering.size > 0 &&
      recorder.node !== undefined &&
      steering.has(recorder.node.name)
    )
      return reply; // chosen per query
    if (entry === undefined) {
      entry = newEntry(msg, end, edns, recorder, view.zonesVersion, steering?.version ?? 0);
      if (table[hash & mask] === undefined) entries++;
      table[hash & mask] = entry;
    }
    if (upper) entry.mixed = reply;
    else entry.lower = reply;
    return reply;
  };
  answer.hit = hit;
  answer.stats = () => ({ hits, misses, entries });
  return answer;
}

function newEntry(
  msg: Uint8Array,
  end: number,
  edns: boolean,
  seen: RecordingView,
  zonesVersion: number,
  steeringVersion: number,
): Entry {
  const key = new Uint8Array(end - HEADER_SIZE);
  for (let i = 0; i < key.length; i++) {
    const b = msg[HEADER_SIZE + i]!;
    key[i] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
  }
  const { zone, node } = seen;
  // A positive answer from a host's own sets depends on that node alone; anything else (no such name,
  // no such type: the SOA goes in; the apex; ANY's TTL) reads the zone too.
  const nodeOnly =
    zone !== undefined && node !== undefined && node.name !== zone.name && node.sets.has(questionType(key));
  const zoneDep = nodeOnly ? undefined : zone;
  return {
    key,
    edns,
    lower: undefined,
    mixed: undefined,
    zonesVersion,
    node,
    nodeVersion: node?.version ?? 0,
    zone: zoneDep,
    zoneStamp: zoneDep?.stamp ?? 0,
    steeringVersion,
  };
}

function questionType(key: Uint8Array): number {
  return (key[key.length - 4]! << 8) | key[key.length - 3]!;
}

/** Passes lookups through, remembering the zone and first node the engine looked at. */
class RecordingView implements ZoneView {
  zone: ServedZone | undefined;
  node: ServedNode | undefined;
  lookups = 0;

  constructor(private readonly inner: ZoneView) {}

  get zonesVersion(): number {
    return this.inner.zonesVersion;
  }

  begin(): void {
    this.zone = undefined;
    this.node = undefined;
    this.lookups = 0;
  }

  findZone(name: string): ServedZone | undefined {
    this.zone = this.inner.findZone(name);
    return this.zone;
  }

  lookup(zone: ServedZone, name: string): ServedNode | undefined {
    const node = this.inner.lookup(zone, name);
    if (this.lookups++ === 0) this.node = node;
    return node;
  }
}
