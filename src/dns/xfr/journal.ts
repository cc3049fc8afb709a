// The zone content and change journal that zone transfers are served from: a ChangeListener kept next to
// the ZoneIndex (it hears the same committed changes, in the same tick), holding every zone's records in
// transfer form and, per zone, the last `maxEntries` diffs (serial → removed RRs, added RRs) for IXFR
// (RFC 1995). In memory only: after a restart the journal is empty and IXFR falls back to a full zone.
//
// Contract:
// - Changes between two serials accumulate as "pending" and become one diff when the serial advances
//   (serialChanged, or zoneChanged with a new serial). An RR removed and added back in the same window
//   cancels out; a set whose TTL changed is removed and added whole (RRs are compared with their TTL).
// - Anything the journal cannot explain (content changed without a serial change, a serial that does
//   not advance) clears that zone's diffs, so a later IXFR gets the full zone instead of a wrong diff.
// - `load(snapshot)` (start, or a reload after another process wrote the store) keeps the diffs of a
//   zone whose content it already held and records the whole difference as one more diff.
// - Listeners must not throw: nothing here throws for any input.

import type { RRSet } from "../../core/records.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Snapshot } from "../../store/types.js";
import type { Soa } from "../../core/soa.js";
import type { Zone } from "../../core/zones.js";
import { TYPE } from "../wire/constants.js";
import { encodeName } from "../wire/name.js";
import { encodeNS, encodeSOA } from "../wire/rdata.js";
import { groupByHost, toWireRRSet } from "../wire/rrset.js";
import { compareSerial } from "./serial.js";

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

/** What changed between two consecutive serials of a zone (RFC 1995 §4 difference sequence). */
export interface ZoneDiff {
  readonly from: number;
  readonly to: number;
  /** SOA rdata with serial `from` and `to`. */
  readonly oldSoa: Uint8Array;
  readonly newSoa: Uint8Array;
  readonly removed: readonly XfrRecord[];
  readonly added: readonly XfrRecord[];
}

/** A zone as transferred. */
export interface ZoneContent {
  readonly name: string;
  readonly owner: Uint8Array;
  readonly serial: number;
  /** TTL of the SOA record. */
  readonly ttl: number;
  readonly soaRdata: Uint8Array;
  /** Every record except the SOA: apex NS first, then hosts in name order. */
  records(): XfrRecord[];
}

/** The read side the transfer responder and the NOTIFY sender use. */
export interface TransferSource {
  zone(name: string): ZoneContent | undefined;
  /**
   * The diffs that take a secondary from `serial` to the zone's current serial, oldest first; [] when
   * `serial` is current or newer; undefined when the journal cannot cover it (unknown zone, too old,
   * restarted since).
   */
  diffsSince(zone: string, serial: number): readonly ZoneDiff[] | undefined;
}

export interface JournalOptions {
  /** Diffs kept per zone (default 1000). */
  readonly maxEntries?: number;
}

interface ZoneState {
  readonly name: string;
  readonly owner: Uint8Array;
  serial: number;
  ttl: number;
  soa: Soa;
  soaRdata: Uint8Array;
  ns: XfrRecord[];
  /** Each host's sets as last told; records are encoded from them when needed (AXFR, a diff). */
  readonly hosts: Map<string, readonly RRSet[]>;
  /** key → the pending change of that RR since the last serial. */
  readonly pending: Map<string, { op: "add" | "remove"; rec: XfrRecord }>;
  diffs: ZoneDiff[];
}

export class ZoneJournal implements ChangeListener, TransferSource {
  readonly #zones = new Map<string, ZoneState>();
  readonly #hostZone = new Map<string, string>();
  readonly #max: number;

  constructor(opts: JournalOptions = {}) {
    this.#max = Math.max(1, opts.maxEntries ?? 1000);
  }

  load(snapshot: Snapshot): void {
    const before = new Map(this.#zones);
    this.#zones.clear();
    this.#hostZone.clear();
    for (const zone of snapshot.zones) this.#zones.set(zone.name, freshZone(zone));
    const setsByHost = groupByHost(snapshot.rrsets);
    for (const host of snapshot.hosts) {
      const state = this.#zones.get(host.zone);
      if (state === undefined) continue;
      state.hosts.set(host.fqdn, setsByHost.get(host.fqdn) ?? []);
      this.#hostZone.set(host.fqdn, host.zone);
    }
    for (const [name, now] of this.#zones) {
      const old = before.get(name);
      if (old === undefined) continue;
      if (old.serial === now.serial) {
        now.diffs = old.diffs;
        continue;
      }
      if (compareSerial(now.serial, old.serial) <= 0 || old.pending.size > 0) continue;
      const { removed, added } = difference(allRecords(old), allRecords(now));
      const diff = {
        from: old.serial,
        to: now.serial,
        oldSoa: old.soaRdata,
        newSoa: now.soaRdata,
        removed,
        added,
      };
      now.diffs = [...old.diffs, diff].slice(-this.#max);
    }
  }

  // ---- TransferSource ----

  zone(name: string): ZoneContent | undefined {
    const z = this.#zones.get(name);
    if (z === undefined) return undefined;
    return {
      name: z.name,
      owner: z.owner,
      serial: z.serial,
      ttl: z.ttl,
      soaRdata: z.soaRdata,
      records: () => allRecords(z),
    };
  }

  diffsSince(zone: string, serial: number): readonly ZoneDiff[] | undefined {
    const z = this.#zones.get(zone);
    if (z === undefined) return undefined;
    if (compareSerial(serial, z.serial) >= 0) return [];
    const at = z.diffs.findIndex((d) => d.from === serial);
    if (at < 0 || z.diffs.at(-1)?.to !== z.serial) return undefined;
    return z.diffs.slice(at);
  }

  // ---- ChangeListener ----

  zoneChanged(zone: Zone): void {
    const z = this.#zones.get(zone.name);
    if (z === undefined) {
      this.#zones.set(zone.name, freshZone(zone));
      return;
    }
    z.ttl = zone.ttl;
    z.soa = zone.soa;
    const ns = nsRecords(zone);
    const { removed, added } = difference(z.ns, ns);
    z.ns = ns;
    note(z, removed, added);
    if (zone.serial !== z.serial) this.serialChanged(zone.name, zone.serial);
    else z.soaRdata = encodeSOA(z.soa, z.serial);
  }

  zoneRemoved(name: string): void {
    const z = this.#zones.get(name);
    if (z === undefined) return;
    for (const fqdn of z.hosts.keys()) this.#hostZone.delete(fqdn);
    this.#zones.delete(name);
  }

  hostChanged(fqdn: string, zone: string, sets: readonly RRSet[]): void {
    const previous = this.#hostZone.get(fqdn);
    if (previous !== undefined && previous !== zone) this.hostRemoved(fqdn, previous);
    const z = this.#zones.get(zone);
    if (z === undefined) return;
    const { removed, added } = difference(toRecords(fqdn, z.hosts.get(fqdn) ?? []), toRecords(fqdn, sets));
    z.hosts.set(fqdn, sets);
    this.#hostZone.set(fqdn, zone);
    note(z, removed, added);
  }

  hostRemoved(fqdn: string, zone: string): void {
    const z = this.#zones.get(zone);
    const old = z?.hosts.get(fqdn);
    if (z === undefined || old === undefined) return;
    z.hosts.delete(fqdn);
    this.#hostZone.delete(fqdn);
    note(z, toRecords(fqdn, old), []);
  }

  serialChanged(zone: string, serial: number): void {
    const z = this.#zones.get(zone);
    if (z === undefined) return;
    if (serial === z.serial) {
      // Content moved without a new serial: no secondary can be told; forget what we cannot explain.
      if (z.pending.size > 0) forget(z);
      return;
    }
    const newSoa = encodeSOA(z.soa, serial);
    if (compareSerial(serial, z.serial) < 0) {
      forget(z);
    } else {
      const removed: XfrRecord[] = [];
      const added: XfrRecord[] = [];
      for (const { op, rec } of z.pending.values()) (op === "add" ? added : removed).push(rec);
      z.diffs.push({ from: z.serial, to: serial, oldSoa: z.soaRdata, newSoa, removed, added });
      if (z.diffs.length > this.#max) z.diffs.splice(0, z.diffs.length - this.#max);
      z.pending.clear();
    }
    z.serial = serial;
    z.soaRdata = newSoa;
  }
}

function freshZone(zone: Zone): ZoneState {
  return {
    name: zone.name,
    owner: encodeName(zone.name),
    serial: zone.serial,
    ttl: zone.ttl,
    soa: zone.soa,
    soaRdata: encodeSOA(zone.soa, zone.serial),
    ns: nsRecords(zone),
    hosts: new Map(),
    pending: new Map(),
    diffs: [],
  };
}

function forget(z: ZoneState): void {
  z.diffs = [];
  z.pending.clear();
}

function nsRecords(zone: Zone): XfrRecord[] {
  const owner = encodeName(zone.name);
  return zone.nameservers.map((ns) => ({
    name: zone.name,
    owner,
    type: TYPE.NS,
    ttl: zone.ttl,
    rdata: encodeNS(ns),
  }));
}

/** A host's sets as records, in type order (values the wire cannot carry are left out, as the index does). */
function toRecords(fqdn: string, sets: readonly RRSet[]): XfrRecord[] {
  const owner = encodeName(fqdn);
  const out: XfrRecord[] = [];
  for (const set of sets) {
    const wire = toWireRRSet(set);
    if (wire === undefined) continue;
    for (const rdata of wire.rdata) out.push({ name: fqdn, owner, type: wire.typeCode, ttl: set.ttl, rdata });
  }
  return out.sort((a, b) => a.type - b.type);
}

function allRecords(z: ZoneState): XfrRecord[] {
  const out = [...z.ns];
  for (const fqdn of [...z.hosts.keys()].sort()) out.push(...toRecords(fqdn, z.hosts.get(fqdn)!));
  return out;
}

function recordKey(r: XfrRecord): string {
  return `${r.name} ${r.type} ${r.ttl} ${String.fromCharCode(...r.rdata)}`;
}

/** RRs in `before` but not `after` (removed), and the reverse (added). */
function difference(
  before: readonly XfrRecord[],
  after: readonly XfrRecord[],
): { removed: XfrRecord[]; added: XfrRecord[] } {
  const beforeKeys = new Set(before.map(recordKey));
  const afterKeys = new Set(after.map(recordKey));
  return {
    removed: before.filter((r) => !afterKeys.has(recordKey(r))),
    added: after.filter((r) => !beforeKeys.has(recordKey(r))),
  };
}

/** Folds a change into the zone's pending window; a removal and an add of the same RR cancel. */
function note(z: ZoneState, removed: readonly XfrRecord[], added: readonly XfrRecord[]): void {
  for (const [op, list] of [
    ["remove", removed],
    ["add", added],
  ] as const) {
    for (const rec of list) {
      const key = recordKey(rec);
      const existing = z.pending.get(key);
      if (existing !== undefined && existing.op !== op) z.pending.delete(key);
      else z.pending.set(key, { op, rec });
    }
  }
}
