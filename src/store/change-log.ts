// What a run of change-log rows names, shared by every Store's changesSince: the stores then read
// the current state of exactly these names, and assembleDelta puts it in the port's shape. Also the
// entries of ChangeFeed.zoneLog (the durable IXFR journal) and how the SQL stores read their rows.

import type { RRSet } from "../core/records.js";
import type { ChangeDelta, Host, StoredRRSet } from "./types.js";
import type { Zone } from "../core/zones.js";
import { rrsetFromRow, zoneFromRow } from "./sql/rows.js";

/** One change-log row as stored: `fqdn` null for the zone itself; `zone` null when unknown. */
/** SQL for ChangeFeed.zoneList's position: the newest log row that created or deleted a zone (both adapters). */
export const ZONE_LIST_SEQ = "select max(seq) as seq from changes where fqdn is null and op <> 'update'";

export interface ChangeRow {
  readonly zone: string | null;
  readonly fqdn: string | null;
  readonly op: string;
}

export interface Touched {
  /** fqdn → the last zone a row gave it (undefined: none did). */
  readonly hosts: ReadonlyMap<string, string | undefined>;
  /** Every zone a row names. */
  readonly zones: ReadonlySet<string>;
  /** Zones inserted by one of the rows. */
  readonly created: ReadonlySet<string>;
}

/** Rows in log order → the names they touch. */
export function touchedBy(rows: Iterable<ChangeRow>): Touched {
  const hosts = new Map<string, string | undefined>();
  const zones = new Set<string>();
  const created = new Set<string>();
  for (const r of rows) {
    if (r.zone !== null) zones.add(r.zone);
    if (r.fqdn !== null) hosts.set(r.fqdn, r.zone ?? hosts.get(r.fqdn));
    else if (r.zone !== null && r.op === "insert") created.add(r.zone);
  }
  return { hosts, zones, created };
}

/** Names for the state a store read; `zones` are the existing ones among `zoneNames`. */
export interface DeltaParts {
  readonly seq: number;
  readonly touched: Touched;
  /** The touched hosts that exist. */
  readonly hosts: readonly Host[];
  /** Their sets. */
  readonly rrsets: readonly (StoredRRSet & { readonly fqdn: string })[];
  /** Every zone the rows or the hosts name (the ones to read). */
  readonly zoneNames: ReadonlySet<string>;
  /** The existing ones among them. */
  readonly zones: readonly Zone[];
}

/** The zones to read for a delta: the ones the rows name and the hosts' own. */
export function zonesToRead(touched: Touched, hosts: readonly Host[]): Set<string> {
  return new Set([...touched.zones, ...hosts.map((h) => h.zone)]);
}

/** The delta of what a store read, in a stable order. */
export function assembleDelta(p: DeltaParts): ChangeDelta {
  const existing = new Set(p.zones.map((z) => z.name));
  const present = new Set(p.hosts.map((h) => h.fqdn));
  return {
    seq: p.seq,
    zones: [...p.zones].sort(by((z) => z.name)),
    createdZones: [...p.touched.created].filter((z) => existing.has(z)).sort(),
    removedZones: [...p.zoneNames].filter((z) => !existing.has(z)).sort(),
    hosts: [...p.hosts].sort(by((h) => h.fqdn)),
    rrsets: [...p.rrsets].sort(by((r) => `${r.fqdn} ${r.type}`)),
    removedHosts: [...p.touched.hosts]
      .flatMap(([fqdn, zone]) => (present.has(fqdn) || zone === undefined ? [] : [{ fqdn, zone }]))
      .sort(by((h) => h.fqdn)),
  };
}

function by<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

// ---- The change log as the IXFR journal (ChangeFeed.zoneLog) ----

/** One change-log entry of a zone, as the durable IXFR journal reads it (host rows are left out). */
export type ZoneLogEntry =
  | {
      readonly seq: number;
      readonly kind: "zone";
      /** The zone row before and after the change; null where it did not exist. */
      readonly before: Zone | null;
      readonly after: Zone | null;
    }
  | {
      readonly seq: number;
      readonly kind: "rrset";
      readonly fqdn: string;
      /** The set before and after the change; null where it did not exist. */
      readonly before: RRSet | null;
      readonly after: RRSet | null;
    };

/** A change-log row as the SQL stores read it for zoneLog. */
export interface ZoneLogRow {
  readonly seq: number;
  readonly fqdn: string | null;
  readonly old_value: string | null;
  readonly new_value: string | null;
}

/**
 * A row's entry, its values read with the row readers (a malformed value throws, as a damaged row
 * would: the store reports store_unavailable and IXFR falls back to the full zone).
 */
export function zoneLogEntry(row: ZoneLogRow): ZoneLogEntry {
  const read = <T>(json: string | null, parse: (r: never) => T): T | null =>
    json === null ? null : parse(JSON.parse(json) as never);
  if (row.fqdn === null)
    return {
      seq: row.seq,
      kind: "zone",
      before: read(row.old_value, zoneFromRow),
      after: read(row.new_value, zoneFromRow),
    };
  const set = (json: string | null): RRSet | null => {
    const s = read(json, rrsetFromRow);
    return s && { type: s.type, ttl: s.ttl, values: s.values };
  };
  return {
    seq: row.seq,
    kind: "rrset",
    fqdn: row.fqdn,
    before: set(row.old_value),
    after: set(row.new_value),
  };
}
