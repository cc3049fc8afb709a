// In-memory Store for service and HTTP tests: plain Maps, same semantics and errors as the SQLite
// store (both pass store/testing/contract.ts). Every method validates before it mutates, and runs
// without awaiting in between, so each change is atomic. Objects are cloned on the way in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import { findZone } from "../../core/names.js";
import type { RecordType } from "../../core/records.js";
import { initialSerial, nextSerial } from "../../core/serial.js";
import {
  HISTORY_FOLD_WINDOW_MS,
  type ChangeBatch,
  type CommitResult,
  type HistoryEntry,
  type Host,
  type Snapshot,
  type StoredHistoryEntry,
  type StoredRRSet,
  type TokenRecord,
} from "../types.js";
import { type Store } from "../ports.js";
import { type Zone } from "../../core/zones.js";
import { assembleDelta, touchedBy, zonesToRead } from "../change-log.js";
import { applyZoneUpdate } from "../zone-update.js";
import { MemoryChangeLog } from "./changes.js";
import { MemoryKeys } from "./keys.js";
import { createMemoryLimits } from "./limits.js";
import { MemoryMirrors, type SetRef } from "./mirrors.js";
import { createMemoryUsers } from "./users.js";

const DEFAULT_HISTORY_LIMIT = 100;

/** A history row plus the zone it belongs to (deleted with the zone on cascade). */
type HistoryRow = StoredHistoryEntry & { readonly zone: string | undefined };

/** As the SQLite store's FOLD: a non-change identical to the latest entry of its type, within the window. */
function foldsInto(e: HistoryEntry, latest: HistoryRow): boolean {
  return (
    e.outcome !== "good" &&
    e.outcome !== "deleted" &&
    latest.at > e.at - HISTORY_FOLD_WINDOW_MS &&
    latest.outcome === e.outcome &&
    latest.protocol === e.protocol &&
    latest.tokenId === e.tokenId &&
    latest.sourceIp === e.sourceIp &&
    latest.userAgent === e.userAgent &&
    JSON.stringify(latest.oldValues) === JSON.stringify(e.oldValues) &&
    JSON.stringify(latest.newValues) === JSON.stringify(e.newValues)
  );
}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

export function createMemoryStore(): Store {
  const zones = new Map<string, Zone>();
  const hosts = new Map<string, Host>();
  /** fqdn → type → set. */
  const rrsets = new Map<string, Map<RecordType, StoredRRSet>>();
  const tokens = new Map<string, TokenRecord>();
  /** secretHash → id: the index authentication reads. */
  const tokenBySecret = new Map<string, string>();
  let history: HistoryRow[] = [];
  let nextHistoryId = 1;
  let lastHostId = 0;
  const mirrors = new MemoryMirrors();
  const keys = new MemoryKeys();
  const changes = new MemoryChangeLog();
  let closed = false;
  const { dropHost, ...limits } = createMemoryLimits(open, (fqdn) => hosts.has(fqdn));

  function open(): void {
    if (closed) throw new BeaconError("store_unavailable", "the memory store is closed");
  }

  function advanceSerial(zone: string): number {
    const z = zones.get(zone);
    if (z === undefined) throw new BeaconError("internal", `zone ${zone} vanished`);
    const serial = nextSerial(z.serial);
    zones.set(zone, { ...z, serial });
    changes.record(zone, null, "update");
    return serial;
  }

  /** Deletes the host and its sets and revokes its tokens (no serial, no outbox). */
  function removeHost(host: Host, at: number): void {
    hosts.delete(host.fqdn);
    rrsets.delete(host.fqdn);
    dropHost(host.fqdn);
    changes.record(host.zone, host.fqdn, "delete");
    for (const t of tokens.values())
      if (t.hostId === host.id && t.revokedAt === undefined) tokens.set(t.id, { ...t, revokedAt: at });
  }

  /** Appends or folds one entry (see Store.commit); the host id when it added a row for a host. */
  function appendHistory(e: HistoryEntry): number | undefined {
    const host = hosts.get(e.fqdn);
    if (host !== undefined) {
      const latest = history.findLast((r) => r.hostId === host.id && r.type === e.type);
      if (latest !== undefined && foldsInto(e, latest)) {
        const folded = { ...latest, count: latest.count + 1, lastAt: Math.max(latest.lastAt, e.at) };
        history[history.indexOf(latest)] = folded;
        return undefined;
      }
    }
    const zone = host?.zone ?? findZone(e.fqdn, zones.keys());
    history.push({ ...e, id: nextHistoryId++, hostId: host?.id, count: 1, lastAt: e.at, zone });
    return host?.id;
  }

  function setsOf(fqdn: string): StoredRRSet[] {
    return [...(rrsets.get(fqdn)?.values() ?? [])].sort(byKey((s) => s.type));
  }

  const store: Store = {
    ...createMemoryUsers(open),
    ...limits,

    async createZone(zone) {
      open();
      if (zones.has(zone.name)) throw new BeaconError("zone_exists", `zone ${zone.name} already exists`);
      const stored: Zone = structuredClone({ ...zone, serial: zone.serial ?? initialSerial(zone.createdAt) });
      zones.set(stored.name, stored);
      changes.record(stored.name, null, "insert");
      return structuredClone(stored);
    },

    async getZone(name) {
      open();
      return structuredClone(zones.get(name));
    },

    async listZones() {
      open();
      return structuredClone([...zones.values()].sort(byKey((z) => z.name)));
    },

    async updateZone(name, change) {
      open();
      const before = zones.get(name);
      if (before === undefined) throw new BeaconError("zone_not_found", `zone ${name} does not exist`);
      const after = applyZoneUpdate(before, change);
      if (after !== before) {
        zones.set(name, after);
        changes.record(name, null, "update");
      }
      return structuredClone(after);
    },

    async deleteZone(name, opts) {
      open();
      if (!zones.has(name)) return false;
      const inZone = [...hosts.values()].filter((h) => h.zone === name);
      if (inZone.length > 0 && opts?.cascade !== true) {
        throw new BeaconError("zone_not_empty", `zone ${name} still has ${inZone.length} host(s)`);
      }
      for (const h of inZone) removeHost(h, Date.now());
      history = history.filter((e) => e.zone !== name);
      mirrors.dropZone(name);
      zones.delete(name);
      changes.record(name, null, "delete");
      return true;
    },

    async createHost(host) {
      open();
      if (!zones.has(host.zone)) throw new BeaconError("zone_not_found", `zone ${host.zone} does not exist`);
      if (hosts.has(host.fqdn)) throw new BeaconError("host_exists", `host ${host.fqdn} already exists`);
      const stored: Host = { ...structuredClone(host), id: ++lastHostId, implicit: host.implicit ?? false };
      hosts.set(stored.fqdn, stored);
      changes.record(stored.zone, stored.fqdn, "insert");
      advanceSerial(stored.zone);
      return structuredClone(stored);
    },

    async getHost(fqdn) {
      open();
      return structuredClone(hosts.get(fqdn));
    },

    async listHosts(zone) {
      open();
      const list = [...hosts.values()].filter((h) => zone === undefined || h.zone === zone);
      return structuredClone(list.sort(byKey((h) => h.fqdn)));
    },

    async deleteHost(fqdn, at = Date.now()) {
      open();
      const host = hosts.get(fqdn);
      if (host === undefined) return false;
      mirrors.enqueue(
        host.zone,
        setsOf(fqdn).map((s) => ({ fqdn, type: s.type, rrset: null })),
        at,
      );
      removeHost(host, at);
      advanceSerial(host.zone);
      return true;
    },

    async getRRSets(fqdn) {
      open();
      return structuredClone(setsOf(fqdn));
    },

    async commit(batch: ChangeBatch): Promise<CommitResult> {
      open();
      for (const w of batch.writes) {
        if (!hosts.has(w.fqdn)) throw new BeaconError("host_not_found", `host ${w.fqdn} does not exist`);
      }
      const touched = new Set<string>();
      for (const w of structuredClone(batch.writes)) {
        const host = hosts.get(w.fqdn);
        if (host === undefined) continue; // checked above
        touched.add(host.zone);
        changes.record(host.zone, w.fqdn, w.rrset === null ? "delete" : "update");
        let sets = rrsets.get(w.fqdn);
        if (w.rrset === null) {
          sets?.delete(w.type);
          continue;
        }
        if (sets === undefined) rrsets.set(w.fqdn, (sets = new Map<RecordType, StoredRRSet>()));
        sets.set(w.type, { type: w.type, ttl: w.rrset.ttl, values: w.rrset.values, updatedAt: batch.at });
      }
      const grown = new Set<number>();
      for (const e of structuredClone(batch.history)) {
        const id = appendHistory(e);
        if (id !== undefined) grown.add(id);
      }
      const keep = batch.keepPerHost;
      if (keep !== undefined) {
        for (const id of grown) {
          const mine = history.filter((r) => r.hostId === id);
          const drop = new Set(mine.slice(0, Math.max(0, mine.length - keep)));
          if (drop.size > 0) history = history.filter((r) => !drop.has(r));
        }
      }
      for (const w of batch.writes) {
        const zone = hosts.get(w.fqdn)?.zone;
        if (zone !== undefined) mirrors.enqueue(zone, [w], batch.at);
      }
      const removedHosts = new Map<string, string>();
      for (const w of batch.writes) {
        const host = hosts.get(w.fqdn);
        if (w.rrset !== null || host?.implicit !== true || (rrsets.get(w.fqdn)?.size ?? 0) > 0) continue;
        removeHost(host, batch.at);
        removedHosts.set(host.fqdn, host.zone);
      }
      const serials = new Map<string, number>();
      for (const zone of [...touched].sort()) serials.set(zone, advanceSerial(zone));
      return { serials, removedHosts };
    },

    async createMirror(mirror) {
      open();
      return mirrors.create(mirror, zones.has(mirror.zone));
    },

    async getMirror(id) {
      open();
      return mirrors.get(id);
    },

    async listMirrors(zone) {
      open();
      return mirrors.list(zone);
    },

    async deleteMirror(id) {
      open();
      return mirrors.delete(id);
    },

    async enqueueResync(id, at) {
      open();
      const setsOfZone = (zone: string): SetRef[] =>
        [...hosts.values()]
          .filter((h) => h.zone === zone)
          .sort(byKey((h) => h.fqdn))
          .flatMap((h) =>
            setsOf(h.fqdn).map((s) => ({
              fqdn: h.fqdn,
              type: s.type,
              rrset: { ttl: s.ttl, values: s.values },
            })),
          );
      return mirrors.resync(id, setsOfZone, at);
    },

    async pendingOutbox(mirror, limit) {
      open();
      return mirrors.pending(mirror, limit);
    },

    async ackOutbox(mirror, seqs, at, outcome = "delivered") {
      open();
      mirrors.ack(mirror, seqs, at, outcome);
    },

    async failMirror(mirror, failure) {
      open();
      mirrors.fail(mirror, failure);
    },

    async mirrorStatus() {
      open();
      return mirrors.status();
    },

    async createTsigKey(key) {
      open();
      keys.create(key);
    },

    async listTsigKeys() {
      open();
      return keys.list();
    },

    async deleteTsigKey(name) {
      open();
      return keys.delete(name);
    },

    async createToken(token) {
      open();
      if (tokens.has(token.id) || tokenBySecret.has(token.secretHash))
        throw new BeaconError("token_exists", `token ${token.id} or its secret already exists`);
      tokens.set(token.id, structuredClone(token));
      tokenBySecret.set(token.secretHash, token.id);
    },

    async getToken(id) {
      open();
      return structuredClone(tokens.get(id));
    },

    async findTokenBySecretHash(secretHash) {
      open();
      const id = tokenBySecret.get(secretHash);
      return id === undefined ? undefined : structuredClone(tokens.get(id));
    },

    async listTokens() {
      open();
      const list = [...tokens.values()].sort(
        (a, b) => a.createdAt - b.createdAt || byKey<TokenRecord>((t) => t.id)(a, b),
      );
      return structuredClone(list);
    },

    async revokeToken(id, at) {
      open();
      const t = tokens.get(id);
      if (t === undefined || t.revokedAt !== undefined) return false;
      tokens.set(id, { ...t, revokedAt: at });
      return true;
    },

    async touchToken(id, at) {
      open();
      const t = tokens.get(id);
      if (t !== undefined) tokens.set(id, { ...t, lastUsedAt: at });
    },

    async listHistory(fqdn, opts) {
      open();
      const limit = Math.max(0, Math.floor(opts?.limit ?? DEFAULT_HISTORY_LIMIT));
      const { before, hostId } = opts ?? {};
      const out: StoredHistoryEntry[] = [];
      for (let i = history.length - 1; i >= 0 && out.length < limit; i--) {
        const row = history[i];
        if (row === undefined || (before !== undefined && row.id >= before)) continue;
        if (hostId === undefined ? row.fqdn !== fqdn : row.hostId !== hostId) continue;
        const { zone: _zone, ...entry } = row;
        out.push(entry);
      }
      return structuredClone(out);
    },

    async pruneHistory(olderThan, limit) {
      open();
      const oldest = new Set(history.slice(0, Math.max(0, Math.floor(limit))));
      const before = history.length;
      history = history.filter((r) => !(oldest.has(r) && r.lastAt < olderThan));
      return before - history.length;
    },

    async snapshot(): Promise<Snapshot> {
      open();
      const sets: (StoredRRSet & { fqdn: string })[] = [];
      for (const fqdn of [...rrsets.keys()].sort()) {
        for (const s of setsOf(fqdn)) sets.push({ fqdn, ...s });
      }
      return structuredClone({
        zones: [...zones.values()].sort(byKey((z) => z.name)),
        hosts: [...hosts.values()].sort(byKey((h) => h.fqdn)),
        rrsets: sets,
      });
    },

    async externalVersion() {
      open();
      return 0; // nothing outside this process can write here
    },

    async changeSeq() {
      open();
      return changes.last;
    },

    async changesSince(after, limit) {
      open();
      const rows = changes.since(after, limit);
      if (rows === undefined) return undefined;
      const touched = touchedBy(rows);
      const present = [...touched.hosts.keys()].flatMap((fqdn) => hosts.get(fqdn) ?? []);
      const zoneNames = zonesToRead(touched, present);
      return structuredClone(
        assembleDelta({
          seq: changes.last,
          touched,
          hosts: present,
          rrsets: present.flatMap((h) => setsOf(h.fqdn).map((set) => ({ fqdn: h.fqdn, ...set }))),
          zoneNames,
          zones: [...zoneNames].flatMap((z) => zones.get(z) ?? []),
        }),
      );
    },

    async pruneChanges(keep, limit) {
      open();
      return changes.prune(keep, limit);
    },

    health() {
      return closed
        ? { writable: false, problem: { code: "store_unavailable", message: "the memory store is closed" } }
        : { writable: true };
    },

    async close() {
      closed = true;
    },
  };
  return store;
}
