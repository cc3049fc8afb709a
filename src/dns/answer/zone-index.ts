// The in-memory index the DNS engine answers from. It is fed a full Snapshot at start (`load`) and
// then every committed change through the ChangeListener methods, which apply synchronously: a query
// made after one of them returns sees the change.
//
// Lookups are O(labels): zones and nodes live in Maps keyed by canonical name. A name exists in DNS
// exactly as it does in the zone's AXFR, so that Beacon and its secondaries give the same answers:
// the apex, every host with at least one record set, and every name between such a host and the apex
// (an empty non-terminal, RFC 8020). A host without records (just added, or its last set deleted) does
// not exist (NXDOMAIN) unless a host with records lies below it. Every ancestor between a host with
// records and the apex is kept as a node, counted by how many such hosts lie below it, so "does this
// name exist" is one Map lookup and two field reads.
//
// It also holds the content zone transfers are made of: the transfer journal reads it through
// HeldZones (held-zones.ts) and feeds it (ContentHolder). As that port promises, a node's sets
// map is replaced on a change, never mutated; `zone(name)` is the live entry queries read.

import type { RRSet } from "../../core/records.js";
import type { Snapshot } from "../../store/types.js";
import type { Zone } from "../../core/zones.js";
import type { ServedNode, ServedZone, WireRRSet, ZoneView } from "./types.js";
import type { ContentHolder, HeldHost } from "./held-zones.js";
import { encodeNS, encodeSOA } from "../wire/rdata.js";
import { groupByHost, toWireRRSet } from "../wire/rrset.js";

interface NodeEntry extends ServedNode {
  version: number;
  sets: Map<number, WireRRSet>;
  isHost: boolean;
  /** Hosts with at least one record set strictly below this node inside the same zone. */
  below: number;
}

interface ZoneEntry extends ServedZone {
  stamp: number;
  serial: number;
  ttl: number;
  soa: Zone["soa"];
  nameservers: readonly string[];
  soaRdata: Uint8Array;
  nsRdata: Uint8Array[];
  readonly nodes: Map<string, NodeEntry>;
}

export class ZoneIndex implements ZoneView, ContentHolder {
  readonly #zones = new Map<string, ZoneEntry>();
  /** fqdn → zone name, for every host currently indexed. */
  readonly #hostZone = new Map<string, string>();
  /** Source of every version and stamp: each change takes the next value, so none is ever reused. */
  #tick = 0;
  #zonesVersion = 0;

  get zonesVersion(): number {
    return this.#zonesVersion;
  }

  /** Replaces everything with the snapshot's content. */
  load(snapshot: Snapshot): void {
    this.#zones.clear();
    this.#hostZone.clear();
    this.#zonesVersion = ++this.#tick;
    for (const zone of snapshot.zones) this.zoneChanged(zone);
    const setsByHost = groupByHost(snapshot.rrsets);
    for (const host of snapshot.hosts)
      this.hostChanged(host.fqdn, host.zone, setsByHost.get(host.fqdn) ?? []);
  }

  // ---- ZoneView ----

  findZone(name: string): ServedZone | undefined {
    let n = name;
    for (;;) {
      const zone = this.#zones.get(n);
      if (zone !== undefined) return zone;
      if (n === "") return undefined;
      const dot = n.indexOf(".");
      n = dot < 0 ? "" : n.slice(dot + 1);
    }
  }

  lookup(zone: ServedZone, name: string): ServedNode | undefined {
    const node = this.#zones.get(zone.name)?.nodes.get(name);
    return node !== undefined && (node.sets.size > 0 || node.below > 0 || node.name === zone.name)
      ? node
      : undefined;
  }

  // ---- HeldZones (what zone transfers read; not on the query path) ----

  zone(name: string): ServedZone | undefined {
    return this.#zones.get(name);
  }

  host(fqdn: string): HeldHost | undefined {
    const zone = this.#hostZone.get(fqdn);
    const node = zone === undefined ? undefined : this.#zones.get(zone)?.nodes.get(fqdn);
    return zone === undefined || node === undefined ? undefined : { zone, sets: node.sets };
  }

  *hosts(zone: string): Iterable<ServedNode> {
    for (const node of this.#zones.get(zone)?.nodes.values() ?? []) if (node.sets.size > 0) yield node;
  }

  // ---- ChangeListener ----

  zoneChanged(zone: Zone): void {
    const existing = this.#zones.get(zone.name);
    const fields = {
      serial: zone.serial,
      ttl: zone.ttl,
      soa: zone.soa,
      nameservers: [...zone.nameservers],
      soaRdata: encodeSOA(zone.soa, zone.serial),
      nsRdata: zone.nameservers.map(encodeNS),
    };
    if (existing !== undefined) {
      Object.assign(existing, fields);
      existing.stamp = ++this.#tick;
      return;
    }
    const apex: NodeEntry = this.#node(zone.name, 0);
    this.#zonesVersion = ++this.#tick;
    this.#zones.set(zone.name, {
      name: zone.name,
      stamp: this.#tick,
      labelCount: zone.name === "" ? 0 : zone.name.split(".").length,
      ...fields,
      nodes: new Map([[zone.name, apex]]),
    });
  }

  zoneRemoved(name: string): void {
    const zone = this.#zones.get(name);
    if (zone === undefined) return;
    for (const node of zone.nodes.values()) {
      if (node.isHost) this.#hostZone.delete(node.name);
    }
    this.#zones.delete(name);
    this.#zonesVersion = ++this.#tick;
  }

  /** Ignored when the zone is not indexed or the name is not inside it (the store prevents both). */
  hostChanged(fqdn: string, zoneName: string, sets: readonly RRSet[]): void {
    const previousZone = this.#hostZone.get(fqdn);
    if (previousZone !== undefined && previousZone !== zoneName) this.hostRemoved(fqdn, previousZone);
    const zone = this.#zones.get(zoneName);
    if (zone === undefined || !inside(fqdn, zoneName)) return;
    let node = zone.nodes.get(fqdn);
    if (node === undefined) {
      node = this.#node(fqdn, 0);
      zone.nodes.set(fqdn, node);
    }
    if (!node.isHost) {
      node.isHost = true;
      this.#hostZone.set(fqdn, zoneName);
    }
    const served = new Map<number, WireRRSet>();
    for (const set of sets) {
      const wire = toWireRRSet(set);
      if (wire !== undefined) served.set(wire.typeCode, wire);
    }
    const hadData = node.sets.size > 0;
    node.sets = served;
    node.version = ++this.#tick;
    if (hadData !== served.size > 0) this.#dataChanged(zone, node, served.size > 0);
  }

  hostRemoved(fqdn: string, zoneName: string): void {
    const zone = this.#zones.get(zoneName);
    const node = zone?.nodes.get(fqdn);
    if (zone === undefined || node?.isHost !== true) return;
    this.#hostZone.delete(fqdn);
    const hadData = node.sets.size > 0;
    node.isHost = false;
    node.sets = new Map();
    node.version = ++this.#tick;
    if (hadData) this.#dataChanged(zone, node, false);
    prune(zone, node);
  }

  serialChanged(zoneName: string, serial: number): void {
    const zone = this.#zones.get(zoneName);
    if (zone === undefined) return;
    zone.serial = serial;
    zone.soaRdata = encodeSOA(zone.soa, serial);
    zone.stamp = ++this.#tick;
  }

  /**
   * A host gained its first record set (`has`) or lost its last one: its ancestors up to the apex
   * count it (created as empty non-terminals when new) or stop counting it (pruned when nothing is
   * left below them). Names appear or disappear, so the zone's stamp changes.
   */
  #dataChanged(zone: ZoneEntry, node: NodeEntry, has: boolean): void {
    zone.stamp = ++this.#tick;
    forEachAncestor(node.name, zone.name, (name) => {
      const ancestor = zone.nodes.get(name);
      if (has) {
        if (ancestor !== undefined) ancestor.below++;
        else zone.nodes.set(name, this.#node(name, 1));
      } else if (ancestor !== undefined) {
        ancestor.below--;
        prune(zone, ancestor);
      }
    });
  }

  #node(name: string, below: number): NodeEntry {
    return { name, version: ++this.#tick, sets: new Map(), isHost: false, below };
  }
}

function inside(name: string, zone: string): boolean {
  return zone === "" || name === zone || name.endsWith(`.${zone}`);
}

/** Calls `fn` for each name strictly between `fqdn` and `zone`. */
function forEachAncestor(fqdn: string, zone: string, fn: (name: string) => void): void {
  let n = fqdn;
  for (;;) {
    const dot = n.indexOf(".");
    if (dot < 0) return;
    n = n.slice(dot + 1);
    if (n === zone || n.length <= zone.length) return;
    fn(n);
  }
}

/** Drops a node that no longer exists (not the apex, not a host, nothing below). */
function prune(zone: ZoneEntry, node: NodeEntry): void {
  if (node.name !== zone.name && !node.isHost && node.below <= 0) zone.nodes.delete(node.name);
}
