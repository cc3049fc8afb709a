// Resource records in transfer form, built from the wire-ready content the zone index holds (no value
// is encoded again), and the RR-level difference of two states: what AXFR sends and what an IXFR diff
// is made of.
//
// Promises:
// - A host's records come in type order, each set's values in their order; a zone's records are its
//   apex NS first, then its hosts in name order (the order AXFR has always sent).
// - RRs are compared with their TTL: a set whose TTL changed is removed and added whole; within a set
//   whose TTL did not change, only the values that differ are.

import { TYPE } from "../wire/constants.js";
import { encodeName } from "../wire/name.js";
import type { ServedZone, WireRRSet } from "../answer/types.js";
import type { HeldZones } from "../answer/held-zones.js";

/** One resource record of class IN, ready to write. */
export interface XfrRecord {
  /** Canonical owner name. */
  readonly name: string;
  /** The owner in wire form (uncompressed). */
  readonly owner: Uint8Array;
  readonly type: number;
  readonly ttl: number;
  readonly rdata: Uint8Array;
}

/** RRs removed and added between two states. */
export interface RecordChange {
  readonly removed: XfrRecord[];
  readonly added: XfrRecord[];
}

export const NO_SETS: ReadonlyMap<number, WireRRSet> = new Map();

/** The apex NS records of a zone as served. */
export function nsRecords(zone: Pick<ServedZone, "name" | "ttl" | "nsRdata">): XfrRecord[] {
  const owner = encodeName(zone.name);
  return zone.nsRdata.map((rdata) => ({ name: zone.name, owner, type: TYPE.NS, ttl: zone.ttl, rdata }));
}

/** A host's sets as records, in type order. */
export function hostRecords(
  name: string,
  sets: ReadonlyMap<number, WireRRSet>,
  owner: Uint8Array = encodeName(name),
): XfrRecord[] {
  const out: XfrRecord[] = [];
  for (const type of [...sets.keys()].sort((a, b) => a - b)) {
    const set = sets.get(type)!;
    for (const rdata of set.rdata) out.push({ name, owner, type, ttl: set.ttl, rdata });
  }
  return out;
}

/** Every record of zone `name` but the SOA, as AXFR sends them; [] when the zone is not held. */
export function zoneRecords(held: HeldZones, name: string): XfrRecord[] {
  const zone = held.zone(name);
  if (zone === undefined) return [];
  const out = nsRecords(zone);
  const hosts = [...held.hosts(name)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const host of hosts) for (const r of hostRecords(host.name, host.sets)) out.push(r);
  return out;
}

/**
 * A zone's content at one moment, by reference: the holder replaces a host's sets rather than
 * mutating them, so this stays as it was while the holder moves on (a reload diffs it afterwards).
 */
export interface HeldContent {
  readonly ns: readonly XfrRecord[];
  readonly hosts: ReadonlyMap<string, ReadonlyMap<number, WireRRSet>>;
}

export function heldContent(held: HeldZones, name: string): HeldContent | undefined {
  const zone = held.zone(name);
  if (zone === undefined) return undefined;
  const hosts = new Map<string, ReadonlyMap<number, WireRRSet>>();
  for (const host of held.hosts(name)) hosts.set(host.name, host.sets);
  return { ns: nsRecords(zone), hosts };
}

/** What changed in a zone from `before` to `after`: NS first, then host by host in name order. */
export function contentDifference(before: HeldContent, after: HeldContent): RecordChange {
  const { removed, added } = difference(before.ns, after.ns);
  const names = [...new Set([...before.hosts.keys(), ...after.hosts.keys()])].sort();
  for (const name of names) {
    const host = hostDifference(name, before.hosts.get(name) ?? NO_SETS, after.hosts.get(name) ?? NO_SETS);
    for (const r of host.removed) removed.push(r);
    for (const r of host.added) added.push(r);
  }
  return { removed, added };
}

/** The RRs in `before` but not `after` (removed, in `before`'s order), and the reverse (added). */
export function difference(before: readonly XfrRecord[], after: readonly XfrRecord[]): RecordChange {
  const beforeKeys = new Set(before.map(recordKey));
  const afterKeys = new Set(after.map(recordKey));
  return {
    removed: before.filter((r) => !afterKeys.has(recordKey(r))),
    added: after.filter((r) => !beforeKeys.has(recordKey(r))),
  };
}

/**
 * What changed on host `name` from `before` to `after`, as `difference` of their records would say,
 * but building records only for the types whose set changed (a set is unchanged when its TTL and its
 * rdata, value by value, are).
 */
export function hostDifference(
  name: string,
  before: ReadonlyMap<number, WireRRSet>,
  after: ReadonlyMap<number, WireRRSet>,
): RecordChange {
  if (before === after) return { removed: [], added: [] };
  const changed = new Set<number>();
  for (const [type, set] of before) if (!sameSet(set, after.get(type))) changed.add(type);
  for (const [type, set] of after) if (!sameSet(set, before.get(type))) changed.add(type);
  if (changed.size === 0) return { removed: [], added: [] };
  const owner = encodeName(name);
  const only = (sets: ReadonlyMap<number, WireRRSet>): Map<number, WireRRSet> =>
    new Map([...sets].filter(([type]) => changed.has(type)));
  return difference(hostRecords(name, only(before), owner), hostRecords(name, only(after), owner));
}

/** A key equal for two RRs exactly when name, type, TTL and rdata are. */
export function recordKey(r: XfrRecord): string {
  return `${r.name} ${r.type} ${r.ttl} ${String.fromCharCode(...r.rdata)}`;
}

function sameSet(a: WireRRSet, b: WireRRSet | undefined): boolean {
  if (b === undefined || a.ttl !== b.ttl || a.rdata.length !== b.rdata.length) return false;
  return a === b || a.rdata.every((bytes, i) => sameBytes(bytes, b.rdata[i]!));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
