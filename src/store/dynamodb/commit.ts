// ZoneStore.commit on DynamoDB, staged on one commit of the commit log: every write's host is checked
// before anything is staged, then the sets, the history, the outbox rows, the removal of implicit
// hosts left without sets and the serials (each touched zone once, in name order) are staged, as the
// memory store applies them. Nothing is written unless the whole batch is staged.

import { BeaconError } from "../../core/errors.js";
import type { RecordType } from "../../core/records.js";
import type { ChangeBatch, CommitResult, Host, RRSetWrite, StoredRRSet } from "../types.js";
import type { Tx } from "./commit-log.js";
import { stageHistory } from "./history.js";
import { readMirrors, stageOutbox } from "./mirrors.js";
import {
  readHost,
  readSets,
  readZoneOrFail,
  stageHostDelete,
  stageNextSerial,
  stageSet,
} from "./zone-items.js";

export interface StagedCommit {
  readonly result: CommitResult;
  /** Implicit hosts the batch deleted. */
  readonly removed: Host[];
}

export async function commitBatch(tx: Tx, batch: ChangeBatch): Promise<StagedCommit> {
  const hosts = new Map<string, Host | undefined>();
  const hostOf = async (fqdn: string): Promise<Host | undefined> => {
    if (!hosts.has(fqdn)) hosts.set(fqdn, await readHost(tx, fqdn));
    return hosts.get(fqdn);
  };

  // Every write's host, checked before anything is staged, and each host's sets as the writes leave them.
  const written: { readonly w: RRSetWrite; readonly host: Host }[] = [];
  const sets = new Map<string, Map<RecordType, StoredRRSet>>();
  for (const w of batch.writes) {
    const host = await hostOf(w.fqdn);
    if (host === undefined) throw new BeaconError("host_not_found", `host ${w.fqdn} does not exist`);
    if (!sets.has(w.fqdn)) {
      sets.set(w.fqdn, new Map((await readSets(tx, host.zone, w.fqdn)).map((s) => [s.type, s])));
    }
    written.push({ w, host });
  }
  const mirrorsOf = new Map<string, string[]>(); // the touched zones, too
  for (const { w, host } of written) {
    const set = w.rrset && {
      type: w.type,
      ttl: w.rrset.ttl,
      values: [...w.rrset.values],
      updatedAt: batch.at,
    };
    if (set === null) sets.get(w.fqdn)?.delete(w.type);
    else sets.get(w.fqdn)?.set(w.type, set);
    stageSet(tx, host.zone, w.fqdn, set, w.type);
    if (!mirrorsOf.has(host.zone)) {
      mirrorsOf.set(
        host.zone,
        (await readMirrors(tx, host.zone)).map((x) => x.m.id),
      );
    }
  }

  await stageHistory(tx, batch.history, batch.keepPerHost, hostOf);

  for (const { w, host } of written) {
    const rrset = w.rrset && { ttl: w.rrset.ttl, values: [...w.rrset.values] };
    stageOutbox(tx, mirrorsOf.get(host.zone) ?? [], [{ fqdn: w.fqdn, type: w.type, rrset }], batch.at);
  }

  const removed: Host[] = [];
  for (const { w, host } of written) {
    if (w.rrset !== null || !host.implicit || (sets.get(w.fqdn)?.size ?? 0) > 0) continue;
    if (removed.includes(host)) continue;
    stageHostDelete(tx, host, []);
    removed.push(host);
  }

  const serials = new Map<string, number>();
  for (const name of [...mirrorsOf.keys()].sort()) {
    serials.set(name, stageNextSerial(tx, await readZoneOrFail(tx, name)));
  }
  return {
    result: { serials, removedHosts: new Map(removed.map((h) => [h.fqdn, h.zone])) },
    removed,
  };
}
