// Zones, hosts and record sets on DynamoDB (the ZoneStore port; commit is commit.ts). Every change
// is one commit of the commit log (commit-log.ts), so it is atomic across the items it touches: a
// host and its zone's serial, a host's sets, the outbox rows of its mirrors. Deleting hosts reaches
// what other modules own (tokens made for the host, its flag) through `hostDeleted`, called after the
// commit that deleted them: not in the same commit (those items are the composite's to wire).

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { initialSerial } from "../../core/serial.js";
import type { Zone } from "../../core/zones.js";
import type { ZoneStore } from "../ports.js";
import type { Host } from "../types.js";
import { applyZoneUpdate } from "../zone-update.js";
import type { CommitLog } from "./commit-log.js";
import { commitBatch } from "./commit.js";
import { stageZoneHistoryDelete } from "./history.js";
import { readMirrors, stageMirrorDelete, stageOutbox } from "./mirrors.js";
import { keys } from "./table.js";
import {
  byString,
  readHost,
  readSets,
  readZone,
  readZoneContent,
  readZoneOrFail,
  readZones,
  stageHost,
  stageHostDelete,
  stageNextSerial,
} from "./zone-items.js";

/** Called after a commit deleted these hosts (revoke their tokens, drop their flags). */
export type HostsDeleted = (hosts: readonly Host[], at: number) => Promise<void>;

export interface ZoneParts {
  readonly log: CommitLog;
  readonly clock: Clock;
  readonly hostDeleted: HostsDeleted;
}

export function createDynamoZones({ log, clock, hostDeleted }: ZoneParts): ZoneStore {
  return {
    createZone: (zone) =>
      log.mutate(async (tx) => {
        if ((await readZone(tx, zone.name)) !== undefined)
          throw new BeaconError("zone_exists", `zone ${zone.name} already exists`);
        const stored: Zone = structuredClone({
          ...zone,
          serial: zone.serial ?? initialSerial(zone.createdAt),
        });
        tx.put(keys.zone(stored.name), stored);
        return stored;
      }),

    getZone: (name) => log.read((r) => readZone(r, name), { single: true }),

    listZones: () => log.read((r) => readZones(r)),

    updateZone: (name, change) =>
      log.mutate(async (tx) => {
        const before = await readZoneOrFail(tx, name);
        const after = applyZoneUpdate(before, change);
        if (after !== before) tx.put(keys.zone(name), after);
        return after;
      }),

    async deleteZone(name, opts) {
      const at = clock();
      const removed = await log.mutate(async (tx) => {
        if ((await readZone(tx, name)) === undefined) return undefined;
        const { hosts, sets } = await readZoneContent(tx, name);
        if (hosts.length > 0 && opts?.cascade !== true)
          throw new BeaconError("zone_not_empty", `zone ${name} still has ${hosts.length} host(s)`);
        for (const h of hosts)
          stageHostDelete(
            tx,
            h,
            sets.filter((s) => s.fqdn === h.fqdn),
          );
        await stageZoneHistoryDelete(tx, name);
        for (const { m } of await readMirrors(tx, name)) await stageMirrorDelete(tx, m.id);
        tx.del(keys.zone(name));
        return hosts;
      });
      if (removed === undefined) return false;
      await hostDeleted(removed, at);
      return true;
    },

    createHost: (host) =>
      log.mutate(async (tx) => {
        const zone = await readZoneOrFail(tx, host.zone);
        if ((await readHost(tx, host.fqdn)) !== undefined)
          throw new BeaconError("host_exists", `host ${host.fqdn} already exists`);
        const stored: Host = { ...structuredClone(host), id: tx.next("h"), implicit: host.implicit ?? false };
        stageHost(tx, stored);
        stageNextSerial(tx, zone);
        return stored;
      }),

    getHost: (fqdn) => log.read((r) => readHost(r, fqdn), { single: true }),

    listHosts: (zone) =>
      log.read(async (r) => {
        const zones = zone === undefined ? (await readZones(r)).map((z) => z.name) : [zone];
        const hosts: Host[] = [];
        for (const z of zones) hosts.push(...(await readZoneContent(r, z)).hosts);
        return hosts.sort(byString((h) => h.fqdn));
      }),

    async deleteHost(fqdn, at = clock()) {
      const host = await log.mutate(async (tx) => {
        const h = await readHost(tx, fqdn);
        if (h === undefined) return undefined;
        const sets = await readSets(tx, h.zone, fqdn);
        const mirrors = (await readMirrors(tx, h.zone)).map((x) => x.m.id);
        stageOutbox(
          tx,
          mirrors,
          sets.map((s) => ({ fqdn, type: s.type, rrset: null })),
          at,
        );
        stageHostDelete(tx, h, sets);
        stageNextSerial(tx, await readZoneOrFail(tx, h.zone));
        return h;
      });
      if (host === undefined) return false;
      await hostDeleted([host], at);
      return true;
    },

    getRRSets: (fqdn) =>
      log.read(async (r) => {
        const host = await readHost(r, fqdn);
        return host === undefined ? [] : readSets(r, host.zone, fqdn);
      }),

    async commit(batch) {
      const { result, removed } = await log.mutate((tx) => commitBatch(tx, batch));
      if (removed.length > 0) await hostDeleted(removed, batch.at);
      return result;
    },

    snapshot: () =>
      log.read(async (r) => {
        const zones = await readZones(r);
        const hosts: Host[] = [];
        const rrsets = [];
        for (const z of zones) {
          const content = await readZoneContent(r, z.name);
          hosts.push(...content.hosts);
          rrsets.push(...content.sets);
        }
        const byFqdn = byString((x: { fqdn: string }) => x.fqdn);
        return { zones, hosts: hosts.sort(byFqdn), rrsets: rrsets.sort(byFqdn) };
      }),
  };
}
