// Zones, hosts and record sets as items (keys in table.ts), read through a Reader and staged on a Tx
// of the commit log: the pieces zones.ts, commit.ts and mirrors.ts build their changes from. Listings
// come back in the ports' orders (code unit order, as the SQL stores' ORDER BY).

import { BeaconError } from "../../core/errors.js";
import type { RecordType } from "../../core/records.js";
import { nextSerial } from "../../core/serial.js";
import type { Zone } from "../../core/zones.js";
import type { Host, StoredRRSet } from "../types.js";
import { data, type Item } from "./codec.js";
import type { Reader, Tx } from "./commit-log.js";
import { keys } from "./table.js";

export type FqdnSet = StoredRRSet & { readonly fqdn: string };

export const byString =
  <T>(key: (t: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

export async function readZone(r: Reader, name: string): Promise<Zone | undefined> {
  const item = await r.get(keys.zone(name));
  return item && data<Zone>(item);
}

/** Sorted by name. */
export async function readZones(r: Reader): Promise<Zone[]> {
  return (await r.query(keys.zone("").pk)).map((i) => data<Zone>(i));
}

export async function readZoneOrFail(r: Reader, name: string): Promise<Zone> {
  const z = await readZone(r, name);
  if (z === undefined) throw new BeaconError("zone_not_found", `zone ${name} does not exist`);
  return z;
}

export async function readHost(r: Reader, fqdn: string): Promise<Host | undefined> {
  const item = await r.get(keys.host(fqdn));
  return item && hostOf(data<Host>(item));
}

/** The zone's hosts and sets (one query), hosts by fqdn, sets by fqdn then type. */
export async function readZoneContent(r: Reader, zone: string): Promise<{ hosts: Host[]; sets: FqdnSet[] }> {
  const items = await r.query(keys.zoneHost(zone, "").pk);
  const of = (prefix: string): Item[] => items.filter((i) => i.sk?.S?.startsWith(prefix) === true);
  return {
    hosts: of("H#").map((i) => hostOf(data<Host>(i))),
    sets: of("S#").map((i) => data<FqdnSet>(i)),
  };
}

/** The host's sets, sorted by type. */
export async function readSets(r: Reader, zone: string, fqdn: string): Promise<StoredRRSet[]> {
  const prefix = keys.rrset(zone, fqdn, "");
  const items = await r.query(prefix.pk, { prefix: prefix.sk });
  return items.map((i) => setOf(data<FqdnSet>(i)));
}

export function stageHost(tx: Tx, host: Host): void {
  tx.put(keys.host(host.fqdn), host, host.id);
  tx.put(keys.zoneHost(host.zone, host.fqdn), host);
}

/** Deletes the host and these sets of it (no serial, no outbox). */
export function stageHostDelete(tx: Tx, host: Host, sets: readonly { type: RecordType }[]): void {
  tx.del(keys.host(host.fqdn));
  tx.del(keys.zoneHost(host.zone, host.fqdn));
  for (const s of sets) tx.del(keys.rrset(host.zone, host.fqdn, s.type));
}

export function stageSet(
  tx: Tx,
  zone: string,
  fqdn: string,
  set: StoredRRSet | null,
  type: RecordType,
): void {
  if (set === null) tx.del(keys.rrset(zone, fqdn, type));
  else tx.put(keys.rrset(zone, fqdn, type), { fqdn, ...set });
}

/** Stages the zone with its serial advanced once; resolves with the new serial. */
export function stageNextSerial(tx: Tx, zone: Zone): number {
  const serial = nextSerial(zone.serial);
  tx.put(keys.zone(zone.name), { ...zone, serial });
  return serial;
}

/** A host as the port gives it: `ttl` present even when undefined (JSON drops it). */
function hostOf(h: Host): Host {
  return {
    id: h.id,
    fqdn: h.fqdn,
    zone: h.zone,
    ttl: h.ttl,
    description: h.description,
    createdAt: h.createdAt,
    implicit: h.implicit,
  };
}

function setOf(s: FqdnSet): StoredRRSet {
  const { fqdn: _fqdn, ...set } = s;
  return set;
}
