// The memory store's zone data: zones, hosts and record sets, which every port of the memory store
// reads (ZoneView). As the SQLite schema's triggers and foreign keys do, every change made here appends
// to the change log, and deleting a host takes its sets and calls `hostDeleted` (which revokes its
// tokens and drops its flag). Methods are synchronous and do not check: the port modules (zones.ts,
// commit.ts) validate first, then change, without awaiting in between. Reads give the stored objects:
// callers clone what leaves the store.

import { BeaconError } from "../../core/errors.js";
import type { RecordType } from "../../core/records.js";
import { nextSerial } from "../../core/serial.js";
import type { Zone } from "../../core/zones.js";
import type { Host, NewHost, RRSetWrite, StoredRRSet } from "../types.js";
import type { LoggedValue } from "./changes.js";
import { byKey } from "./order.js";

/** Where every change is logged (MemoryChangeLog, changes.ts), with the zone's or set's value around it. */
export interface ChangeRecorder {
  record(zone: string, fqdn: string | null, op: "insert" | "update" | "delete", value?: LoggedValue): void;
}

/** What the other ports of the memory store read of the zone data. */
export interface ZoneView {
  readonly zones: ReadonlyMap<string, Zone>;
  readonly hosts: ReadonlyMap<string, Host>;
  /** The host's sets, sorted by type; empty for an absent host. */
  setsOf(fqdn: string): StoredRRSet[];
  /** Hosts sorted by fqdn; only the zone's when `zone` is given. */
  hostsIn(zone?: string): Host[];
}

export class ZoneTables implements ZoneView {
  readonly #zones = new Map<string, Zone>();
  readonly #hosts = new Map<string, Host>();
  /** fqdn → type → set. */
  readonly #rrsets = new Map<string, Map<RecordType, StoredRRSet>>();
  #lastHostId = 0;

  constructor(
    private readonly log: ChangeRecorder,
    private readonly hostDeleted: (host: Host, at: number) => void,
  ) {}

  get zones(): ReadonlyMap<string, Zone> {
    return this.#zones;
  }

  get hosts(): ReadonlyMap<string, Host> {
    return this.#hosts;
  }

  setsOf(fqdn: string): StoredRRSet[] {
    return [...(this.#rrsets.get(fqdn)?.values() ?? [])].sort(byKey((s) => s.type));
  }

  hostsIn(zone?: string): Host[] {
    const list = [...this.#hosts.values()].filter((h) => zone === undefined || h.zone === zone);
    return list.sort(byKey((h) => h.fqdn));
  }

  /** Stores the zone: "insert" for a new one, "update" for a changed one. */
  putZone(zone: Zone, op: "insert" | "update"): void {
    const before = this.#zones.get(zone.name) ?? null;
    this.#zones.set(zone.name, zone);
    this.log.record(zone.name, null, op, { kind: "zone", before, after: zone });
  }

  /** Advances the zone's serial (it must exist) and resolves with the new one. */
  advanceSerial(name: string): number {
    const z = this.#zones.get(name);
    if (z === undefined) throw new BeaconError("internal", `zone ${name} vanished`);
    const serial = nextSerial(z.serial);
    this.putZone({ ...z, serial }, "update");
    return serial;
  }

  /** Deletes the zone row only: its hosts go first, through deleteHost. */
  deleteZone(name: string): void {
    const before = this.#zones.get(name) ?? null;
    this.#zones.delete(name);
    this.log.record(name, null, "delete", { kind: "zone", before, after: null });
  }

  /** Stores the host under a new id, larger than any given before (no serial). */
  insertHost(host: NewHost): Host {
    const stored: Host = { ...host, id: ++this.#lastHostId, implicit: host.implicit ?? false };
    this.#hosts.set(stored.fqdn, stored);
    this.log.record(stored.zone, stored.fqdn, "insert");
    return stored;
  }

  /** Deletes the host and its sets, and cascades at `at` (no serial, no outbox). */
  deleteHost(host: Host, at: number): void {
    // As the SQL stores do: the sets go first, each logged, then the host.
    for (const set of this.setsOf(host.fqdn))
      this.writeSet(host.zone, { fqdn: host.fqdn, type: set.type, rrset: null }, at);
    this.#hosts.delete(host.fqdn);
    this.#rrsets.delete(host.fqdn);
    this.log.record(host.zone, host.fqdn, "delete");
    this.hostDeleted(host, at);
  }

  /** Applies one write to a host of `zone`; deleting an absent set is no error. */
  writeSet(zone: string, w: RRSetWrite, at: number): void {
    let sets = this.#rrsets.get(w.fqdn);
    const old = sets?.get(w.type);
    const before = old === undefined ? null : { type: old.type, ttl: old.ttl, values: old.values };
    const after = w.rrset && { type: w.type, ttl: w.rrset.ttl, values: w.rrset.values };
    this.log.record(zone, w.fqdn, w.rrset === null ? "delete" : "update", { kind: "rrset", before, after });
    if (after === null) {
      sets?.delete(w.type);
      return;
    }
    if (sets === undefined) this.#rrsets.set(w.fqdn, (sets = new Map<RecordType, StoredRRSet>()));
    sets.set(w.type, { ...after, updatedAt: at });
  }
}
