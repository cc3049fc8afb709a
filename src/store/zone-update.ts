// The one rule of Store.updateZone shared by every implementation: the fields given replace the stored
// ones, and the serial advances once when anything actually changed.

import { nextSerial } from "../core/serial.js";
import type { ZoneUpdate } from "./types.js";
import type { Soa } from "../core/soa.js";
import type { Zone } from "../core/zones.js";

/** `zone` with `change` applied and its serial advanced; `zone` itself (the same object) when nothing differs. */
export function applyZoneUpdate(zone: Zone, change: ZoneUpdate): Zone {
  const ttl = change.ttl ?? zone.ttl;
  const soa: Soa = { ...zone.soa, ...definedOnly(change.soa ?? {}) };
  const same = ttl === zone.ttl && (Object.keys(soa) as (keyof Soa)[]).every((k) => soa[k] === zone.soa[k]);
  return same ? zone : { ...zone, ttl, soa, serial: nextSerial(zone.serial) };
}

function definedOnly(soa: Partial<Soa>): Partial<Soa> {
  return Object.fromEntries(Object.entries(soa).filter(([, v]) => v !== undefined));
}
