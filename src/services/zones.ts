// Zone and host administration. Every change is reported to the ChangeListener right after the store
// resolves, inside the shared write queue, so DNS answers and serials follow the store in order.

import type { Clock } from "../core/clock.js";
import { BeaconError } from "../core/errors.js";
import { findZone, normalizeName } from "../core/names.js";
import { validateTtl } from "../core/records.js";
import { applySoaSettings, type SoaSettings } from "../core/soa.js";
import type { Host, StoredRRSet } from "../store/types.js";
import type { ZoneStore } from "../store/ports.js";
import type { Zone } from "../core/zones.js";
import type { ChangeListener } from "../store/change-listener.js";
import { createWriteQueue, type WriteQueue } from "./write-queue.js";

export interface ZoneServiceDeps {
  readonly store: ZoneStore;
  readonly clock: Clock;
  readonly listener: ChangeListener;
  /** Share one queue with the update service so serials reach the listener in commit order. */
  readonly queue?: WriteQueue;
}

/** Zone settings a user may change after creation (`beacon zone set`, PATCH /admin/zones/:name). */
export interface ZoneSettings extends SoaSettings {
  readonly ttl?: number | undefined;
}

export interface AddZoneOptions extends ZoneSettings {
  readonly nameservers?: readonly string[];
}

export interface AddHostOptions {
  readonly ttl?: number;
  readonly description?: string;
}

export interface HostView {
  readonly host: Host;
  readonly zone: Zone;
  /** Sorted by type. */
  readonly rrsets: StoredRRSet[];
}

export interface ZoneService {
  addZone(name: string, opts?: AddZoneOptions): Promise<Zone>;
  /**
   * Changes the TTL and SOA values given (invalid_soa / invalid_ttl name a bad one; zone_not_found).
   * When anything differs the serial advances, so DNS answers, transfers and NOTIFY follow.
   */
  setZone(name: string, settings: ZoneSettings): Promise<Zone>;
  listZones(): Promise<Zone[]>;
  /** zone_not_found if absent; zone_not_empty if it has hosts and `cascade` is not set. */
  removeZone(name: string, opts?: { cascade?: boolean }): Promise<void>;
  /** The host goes into the longest existing zone containing it (outside_zone if none); never the apex. */
  addHost(fqdn: string, opts?: AddHostOptions): Promise<Host>;
  /** zone_not_found when `zone` is given and does not exist. */
  listHosts(zone?: string): Promise<Host[]>;
  /** host_not_found if absent. */
  showHost(fqdn: string): Promise<HostView>;
  /** host_not_found if absent. */
  removeHost(fqdn: string): Promise<void>;
}

export const ZONE_DEFAULTS = {
  ttl: 60,
  refresh: 3600,
  retry: 600,
  expire: 1_209_600,
  minimum: 60,
} as const;

export function createZoneService(deps: ZoneServiceDeps): ZoneService {
  const { store, clock, listener } = deps;
  const queue = deps.queue ?? createWriteQueue();

  async function reportSerial(zoneName: string): Promise<void> {
    const zone = await store.getZone(zoneName);
    if (zone) listener.serialChanged(zone.name, zone.serial);
  }

  return {
    async addZone(rawName, opts = {}) {
      const name = normalizeName(rawName);
      const nameservers = (opts.nameservers ?? [`ns1.${name}`]).map(normalizeName);
      if (nameservers.length === 0)
        throw new BeaconError("bad_request", "a zone needs at least one name server");
      const ttl = validateTtl(opts.ttl ?? ZONE_DEFAULTS.ttl);
      const soa = applySoaSettings(
        {
          mname: nameservers[0] ?? `ns1.${name}`,
          rname: `hostmaster.${name}`,
          refresh: ZONE_DEFAULTS.refresh,
          retry: ZONE_DEFAULTS.retry,
          expire: ZONE_DEFAULTS.expire,
          minimum: ZONE_DEFAULTS.minimum,
        },
        opts,
      );
      return queue.run(async () => {
        const zone = await store.createZone({ name, ttl, soa, nameservers, createdAt: clock() });
        listener.zoneChanged(zone);
        return zone;
      });
    },

    async setZone(rawName, settings) {
      const name = normalizeName(rawName);
      const ttl = settings.ttl === undefined ? undefined : validateTtl(settings.ttl);
      return queue.run(async () => {
        const current = await store.getZone(name);
        if (current === undefined) throw new BeaconError("zone_not_found", `no zone "${name}"`);
        const soa = applySoaSettings(current.soa, settings);
        const zone = await store.updateZone(name, { ...(ttl === undefined ? {} : { ttl }), soa });
        if (zone.serial !== current.serial) listener.zoneChanged(zone);
        return zone;
      });
    },

    listZones() {
      return store.listZones();
    },

    async removeZone(rawName, opts = {}) {
      const name = normalizeName(rawName);
      return queue.run(async () => {
        const removed = await store.deleteZone(name, { cascade: opts.cascade ?? false });
        if (!removed) throw new BeaconError("zone_not_found", `no zone "${name}"`);
        listener.zoneRemoved(name);
      });
    },

    async addHost(rawFqdn, opts = {}) {
      const fqdn = normalizeName(rawFqdn);
      const ttl = opts.ttl === undefined ? undefined : validateTtl(opts.ttl);
      const description = (opts.description ?? "").trim();
      if (description.length > 500)
        throw new BeaconError("bad_request", "a description is at most 500 characters");
      return queue.run(async () => {
        const zones = await store.listZones();
        const zone = findZone(
          fqdn,
          zones.map((z) => z.name),
        );
        if (zone === undefined) throw outsideEveryZone(fqdn);
        if (zone === fqdn) throw new BeaconError("invalid_hostname", `"${fqdn}" is a zone apex, not a host`);
        const host = await store.createHost({ fqdn, zone, ttl, description, createdAt: clock() });
        listener.hostChanged(fqdn, zone, []);
        await reportSerial(zone);
        return host;
      });
    },

    async listHosts(rawZone) {
      if (rawZone === undefined) return store.listHosts();
      const zone = normalizeName(rawZone);
      if ((await store.getZone(zone)) === undefined)
        throw new BeaconError("zone_not_found", `no zone "${zone}"`);
      return store.listHosts(zone);
    },

    async showHost(rawFqdn) {
      const fqdn = normalizeName(rawFqdn);
      const host = await store.getHost(fqdn);
      if (host === undefined) throw new BeaconError("host_not_found", `no host "${fqdn}"`);
      const [zone, rrsets] = await Promise.all([store.getZone(host.zone), store.getRRSets(fqdn)]);
      if (zone === undefined) throw new BeaconError("host_not_found", `no host "${fqdn}"`);
      return { host, zone, rrsets };
    },

    async removeHost(rawFqdn) {
      const fqdn = normalizeName(rawFqdn);
      return queue.run(async () => {
        const host = await store.getHost(fqdn);
        if (host === undefined || !(await store.deleteHost(fqdn, clock()))) {
          throw new BeaconError("host_not_found", `no host "${fqdn}"`);
        }
        listener.hostRemoved(fqdn, host.zone);
        await reportSerial(host.zone);
      });
    },
  };
}

/** Says how to get out of it: the zone to add (the name's parent) and where to see the served ones. */
function outsideEveryZone(fqdn: string): BeaconError {
  const parent = fqdn.slice(fqdn.indexOf(".") + 1);
  const zone = parent === fqdn ? "<zone>" : parent;
  return new BeaconError(
    "outside_zone",
    `"${fqdn}" is not inside any zone; create it with \`beacon zone add ${zone}\` (or on the console's Zones page) or see \`beacon zone list\``,
  );
}
