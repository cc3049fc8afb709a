// Valid sample records for store tests (and for any test that needs a populated store). Every
// fixture takes overrides, so a test states only the fields it is about.

import { expect } from "vitest";
import type { ErrorCode } from "../../core/errors.js";
import type { ChangeBatch, HistoryEntry, NewHost, RRSetWrite, TokenRecord } from "../types.js";
import type { ZoneStore } from "../ports.js";
import type { Zone } from "../../core/zones.js";

/** The timestamp fixtures use (2023-11-14T22:13:20Z). */
export const T0 = 1_700_000_000_000;

export function zoneFixture(name: string, extra: Partial<Zone> = {}): Zone {
  return {
    name,
    serial: 1000,
    ttl: 300,
    soa: {
      mname: `ns1.${name}`,
      rname: `hostmaster.${name}`,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minimum: 60,
    },
    nameservers: [`ns1.${name}`, `ns2.${name}`],
    createdAt: T0,
    ...extra,
  };
}

/** What createHost takes (the store gives the id). */
export function hostFixture(fqdn: string, zone: string, extra: Partial<NewHost> = {}): NewHost {
  return { fqdn, zone, ttl: undefined, description: "", createdAt: T0, ...extra };
}

/** Secret hashes are unique in a store, so each fixture's derives from its id (64 hex digits). */
export function tokenFixture(id: string, extra: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id,
    secretHash: Buffer.from(id).toString("hex").padEnd(64, "0").slice(0, 64),
    label: `token ${id}`,
    names: [{ name: "home.example.com", subtree: true }],
    types: ["A", "AAAA"],
    allowedCidrs: ["192.0.2.0/24"],
    createdAt: T0,
    expiresAt: undefined,
    lastUsedAt: undefined,
    revokedAt: undefined,
    ...extra,
  };
}

export function historyFixture(fqdn: string, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    fqdn,
    type: "A",
    oldValues: undefined,
    newValues: ["192.0.2.1"],
    at: T0,
    outcome: "good",
    protocol: "dyndns2",
    tokenId: "tk_1",
    sourceIp: "192.0.2.1",
    userAgent: "test/1.0",
    ...extra,
  };
}

/** Resolves once `p` rejected with a BeaconError of this code. */
export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: "BeaconError", code });
}

/** A write of an A set. */
export function setA(fqdn: string, values: string[], ttl = 60): RRSetWrite {
  return { fqdn, type: "A", rrset: { ttl, values } };
}

/** A commit of these writes and entries, at T0 + 1000 unless `at` is given. */
export function batch(writes: RRSetWrite[], history: HistoryEntry[] = [], at = T0 + 1000): ChangeBatch {
  return { writes, history, at };
}

/** The zone's serial as stored; throws if the zone is missing. */
export async function serialOf(store: Pick<ZoneStore, "getZone">, zone: string): Promise<number> {
  const z = await store.getZone(zone);
  if (z === undefined) throw new Error(`zone ${zone} missing`);
  return z.serial;
}

/**
 * example.com (serial 1000) with hosts a. and b. (ttl 30, description "b"), example.net (serial 5000)
 * with host c.: each createHost advances its zone's serial, so they end at 1002 and 5001.
 */
export async function seedExampleZones(store: Pick<ZoneStore, "createZone" | "createHost">): Promise<void> {
  await store.createZone(zoneFixture("example.com"));
  await store.createZone(zoneFixture("example.net", { serial: 5000 }));
  await store.createHost(hostFixture("a.example.com", "example.com"));
  await store.createHost(hostFixture("b.example.com", "example.com", { ttl: 30, description: "b" }));
  await store.createHost(hostFixture("c.example.net", "example.net"));
}
