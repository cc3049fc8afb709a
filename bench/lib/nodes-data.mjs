// The data of the several-nodes step, written through Beacon's own services into any Store (SQLite or
// PostgreSQL), before the nodes start: SPREAD hosts, one per zone, so concurrent updates share no
// zone lock (only what every commit shares); and ONE-ZONE hosts, all in one zone, so they do. Each host
// has its own token (A and AAAA of exactly that host): a client updating its own host is never one
// hot row.

import { createTokenService } from "../../dist/services/tokens.js";
import { createZoneService } from "../../dist/services/zones.js";

export const NODES_ZONE_PARENT = "nodes.beacon.test";
/** The zone of the one-zone hosts; every node answers its SOA once ready. */
export const ONE_ZONE = `one.${NODES_ZONE_PARENT}`;

const noop = { zoneChanged() {}, zoneRemoved() {}, hostChanged() {}, hostRemoved() {}, serialChanged() {} };

/**
 * Adds `hosts` spread hosts (h.sK.nodes.beacon.test, each in zone sK.…) and `hosts` one-zone hosts
 * (hK.one.nodes.beacon.test) to `store`, with a token each. → { spread: [{ host, token }], oneZone: [...] }.
 */
export async function seedNodesData(store, { hosts }) {
  const clock = () => Date.now();
  const zones = createZoneService({ store, clock, listener: noop });
  const tokens = createTokenService({ store, clock });
  const withToken = async (host) => {
    await zones.addHost(host);
    const { token } = await tokens.create({
      label: `bench ${host}`,
      names: [{ name: host, subtree: false }],
      types: ["A", "AAAA"],
    });
    return { host, token };
  };
  await zones.addZone(ONE_ZONE);
  const spread = [];
  const oneZone = [];
  for (let k = 0; k < hosts; k++) {
    const zone = `s${k}.${NODES_ZONE_PARENT}`;
    await zones.addZone(zone);
    spread.push(await withToken(`h.${zone}`));
    oneZone.push(await withToken(`h${k}.${ONE_ZONE}`));
  }
  return { spread, oneZone };
}
