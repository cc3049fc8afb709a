// The memory store's zones, hosts and record sets (the ZoneStore port) over the zone data
// (zone-tables.ts); commit is commit.ts. Every method validates before it changes anything and runs
// without awaiting, so each is atomic; objects are cloned in and out. Deleting a zone or a host reaches
// the other ports through `history` and `mirrors` (and ZoneTables' cascade to tokens and flags).
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import { initialSerial } from "../../core/serial.js";
import type { Zone } from "../../core/zones.js";
import type { StoredRRSet } from "../types.js";
import type { ZoneStore } from "../ports.js";
import { applyZoneUpdate } from "../zone-update.js";
import { commitBatch, type CommitParts } from "./commit.js";
import type { MemoryHistory } from "./history.js";
import type { MemoryMirrors } from "./mirrors.js";
import { byKey } from "./order.js";
import type { ZoneTables } from "./zone-tables.js";

export interface MemoryZoneParts extends CommitParts {
  readonly open: () => void;
  readonly tables: ZoneTables;
  readonly history: Pick<MemoryHistory, "append" | "dropZone">;
  readonly mirrors: Pick<MemoryMirrors, "enqueue" | "dropZone">;
}

export function createMemoryZones(parts: MemoryZoneParts): ZoneStore {
  const { open, tables, history, mirrors } = parts;
  const zonesByName = () => [...tables.zones.values()].sort(byKey((z) => z.name));

  return {
    async createZone(zone) {
      open();
      if (tables.zones.has(zone.name))
        throw new BeaconError("zone_exists", `zone ${zone.name} already exists`);
      const stored: Zone = structuredClone({ ...zone, serial: zone.serial ?? initialSerial(zone.createdAt) });
      tables.putZone(stored, "insert");
      return structuredClone(stored);
    },

    async getZone(name) {
      open();
      return structuredClone(tables.zones.get(name));
    },

    async listZones() {
      open();
      return structuredClone(zonesByName());
    },

    async updateZone(name, change) {
      open();
      const before = tables.zones.get(name);
      if (before === undefined) throw new BeaconError("zone_not_found", `zone ${name} does not exist`);
      const after = applyZoneUpdate(before, change);
      if (after !== before) tables.putZone(after, "update");
      return structuredClone(after);
    },

    async deleteZone(name, opts) {
      open();
      if (!tables.zones.has(name)) return false;
      const inZone = [...tables.hosts.values()].filter((h) => h.zone === name);
      if (inZone.length > 0 && opts?.cascade !== true) {
        throw new BeaconError("zone_not_empty", `zone ${name} still has ${inZone.length} host(s)`);
      }
      for (const h of inZone) tables.deleteHost(h, Date.now());
      history.dropZone(name);
      mirrors.dropZone(name);
      tables.deleteZone(name);
      return true;
    },

    async createHost(host) {
      open();
      if (!tables.zones.has(host.zone))
        throw new BeaconError("zone_not_found", `zone ${host.zone} does not exist`);
      if (tables.hosts.has(host.fqdn))
        throw new BeaconError("host_exists", `host ${host.fqdn} already exists`);
      const stored = tables.insertHost(structuredClone(host));
      tables.advanceSerial(stored.zone);
      return structuredClone(stored);
    },

    async getHost(fqdn) {
      open();
      return structuredClone(tables.hosts.get(fqdn));
    },

    async listHosts(zone) {
      open();
      return structuredClone(tables.hostsIn(zone));
    },

    async deleteHost(fqdn, at = Date.now()) {
      open();
      const host = tables.hosts.get(fqdn);
      if (host === undefined) return false;
      const deletes = tables.setsOf(fqdn).map((s) => ({ fqdn, type: s.type, rrset: null }));
      mirrors.enqueue(host.zone, deletes, at);
      tables.deleteHost(host, at);
      tables.advanceSerial(host.zone);
      return true;
    },

    async getRRSets(fqdn) {
      open();
      return structuredClone(tables.setsOf(fqdn));
    },

    async commit(batch) {
      open();
      return commitBatch(parts, batch);
    },

    async snapshot() {
      open();
      const hosts = tables.hostsIn();
      const rrsets: (StoredRRSet & { fqdn: string })[] = hosts.flatMap((h) =>
        tables.setsOf(h.fqdn).map((s) => ({ fqdn: h.fqdn, ...s })),
      );
      return structuredClone({ zones: zonesByName(), hosts, rrsets });
    },
  };
}
