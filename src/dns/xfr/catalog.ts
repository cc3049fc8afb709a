// The records of an RFC 9432 (version 2) catalog zone built from a zone list: pure, no I/O, the same
// output for the same input on every node.
//
// What it builds (RFC 9432 §4): the apex NS `invalid.` (§4.1: no name server is meant to be queried
// for it), `version.<catalog> TXT "2"` (§4.2.1), and one `<unique-id>.zones.<catalog> PTR <member>`
// per member zone (§4.2), all with TTL 0 (the examples' TTL; consumers ignore TTLs here), in name order.
//
// Promises:
// - A member's unique-id is 16 hex digits (one label) of a 64-bit FNV-1a hash of its name and creation
//   time: every node derives the same id from the store, and a zone deleted and created again under
//   the same name gets a new id, which RFC 9432 §5.4 defines as a reset (consumers drop the old zone's
//   data and transfer afresh) — exactly what a new zone under an old name is.
// - Ids are unique within the catalog: in the (2^-64) event of a clash, the member later in name order
//   hashes again with a counter.
// - The catalog itself, a zone of the list with the catalog's name, is not a member.
// - `catalogProblem` says why a name cannot be a catalog (root, or too long for its member names).

import { encodeName } from "../wire/name.js";
import { encodeTXT } from "../wire/rdata.js";
import { TYPE } from "../wire/constants.js";
import type { XfrRecord } from "./records.js";

/** What the catalog needs of a zone. */
export interface CatalogMember {
  readonly name: string;
  /** Milliseconds since the epoch, as stored (Zone.createdAt). */
  readonly createdAt: number;
}

/** The NS target RFC 9432 §4.1 asks for. */
export const CATALOG_NS = "invalid";
/** Longest member owner: 16-digit id + ".zones." + catalog name ≤ 253 characters. */
const MAX_CATALOG_NAME = 253 - 16 - ".zones.".length;

/** Undefined when `name` (canonical) can be a catalog zone's name; otherwise why not. */
export function catalogProblem(name: string): string | undefined {
  if (name === "") return "the root cannot be the catalog zone";
  if (name.length > MAX_CATALOG_NAME)
    return `a catalog zone name has at most ${MAX_CATALOG_NAME} characters (its member names are longer)`;
  return undefined;
}

/** The unique-id label of a member (attempt > 0 only after a clash). */
export function memberId(member: CatalogMember, attempt = 0): string {
  return fnv1a64(`${member.name}\n${member.createdAt}${attempt > 0 ? `\n${attempt}` : ""}`);
}

/** Every record of catalog `catalog` but the SOA, as AXFR sends them (apex NS first, then by name). */
export function catalogRecords(catalog: string, members: readonly CatalogMember[]): XfrRecord[] {
  const record = (name: string, type: number, rdata: Uint8Array): XfrRecord => ({
    name,
    owner: encodeName(name),
    type,
    ttl: 0,
    rdata,
  });
  const byName = [...members].filter((m) => m.name !== catalog).sort((a, b) => compare(a.name, b.name));
  const taken = new Set<string>();
  const ptrs: XfrRecord[] = [];
  for (const member of byName) {
    let id = memberId(member);
    for (let attempt = 1; taken.has(id); attempt++) id = memberId(member, attempt);
    taken.add(id);
    ptrs.push(record(`${id}.zones.${catalog}`, TYPE.PTR, encodeName(member.name)));
  }
  return [
    record(catalog, TYPE.NS, encodeName(CATALOG_NS)),
    ...[record(`version.${catalog}`, TYPE.TXT, encodeTXT("2")), ...ptrs].sort((a, b) =>
      compare(a.name, b.name),
    ),
  ];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** 64-bit FNV-1a over the UTF-16 code units (names are ASCII), as 16 lowercase hex digits. */
function fnv1a64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) h = ((h ^ BigInt(s.charCodeAt(i))) * FNV_PRIME) & MASK;
  return h.toString(16).padStart(16, "0");
}
