// ZoneStore.commit for the memory store: every write is checked before anything changes, then the
// writes, the history, the outbox rows, the removal of implicit hosts left without sets and the serials
// are applied in that order, synchronously, so the batch is atomic. Each touched zone's serial
// advances once, in name order.

import { BeaconError } from "../../core/errors.js";
import type { ChangeBatch, CommitResult } from "../types.js";
import type { MemoryHistory } from "./history.js";
import type { MemoryMirrors } from "./mirrors.js";
import type { ZoneTables } from "./zone-tables.js";

export interface CommitParts {
  readonly tables: Pick<ZoneTables, "hosts" | "setsOf" | "writeSet" | "deleteHost" | "advanceSerial">;
  readonly history: Pick<MemoryHistory, "append">;
  readonly mirrors: Pick<MemoryMirrors, "enqueue">;
}

export function commitBatch({ tables, history, mirrors }: CommitParts, batch: ChangeBatch): CommitResult {
  for (const w of batch.writes) {
    if (!tables.hosts.has(w.fqdn)) throw new BeaconError("host_not_found", `host ${w.fqdn} does not exist`);
  }
  const touched = new Set<string>();
  for (const w of structuredClone(batch.writes)) {
    const zone = tables.hosts.get(w.fqdn)?.zone;
    if (zone === undefined) continue; // checked above
    touched.add(zone);
    tables.writeSet(zone, w, batch.at);
  }
  history.append(batch.history, batch.keepPerHost);
  for (const w of batch.writes) {
    const zone = tables.hosts.get(w.fqdn)?.zone;
    if (zone !== undefined) mirrors.enqueue(zone, [w], batch.at);
  }
  const removedHosts = new Map<string, string>();
  for (const w of batch.writes) {
    const host = tables.hosts.get(w.fqdn);
    if (w.rrset !== null || host?.implicit !== true || tables.setsOf(w.fqdn).length > 0) continue;
    tables.deleteHost(host, batch.at);
    removedHosts.set(host.fqdn, host.zone);
  }
  const serials = new Map<string, number>();
  for (const zone of [...touched].sort()) serials.set(zone, tables.advanceSerial(zone));
  return { serials, removedHosts };
}
