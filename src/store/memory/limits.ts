// The memory store's rate-limit buckets and host flags (the LimitStore part of the Store port), with
// the same rules as store/sqlite/limits.ts. Every method checks and mutates without awaiting in
// between, so each is atomic.

/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import type { HostFlag, LimitBucket } from "../types.js";
import type { LimitStore } from "../ports.js";

const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export interface MemoryLimits extends LimitStore {
  /** A host was deleted: its flag goes with it. */
  readonly dropHost: (fqdn: string) => void;
}

/** `hostExists` says whether a flag may be set (a flag needs its host). */
export function createMemoryLimits(open: () => void, hostExists: (fqdn: string) => boolean): MemoryLimits {
  const buckets = new Map<string, number>();
  const flags = new Map<string, HostFlag>();

  const expire = (now: number) => {
    for (const [key, tat] of buckets) if (tat <= now) buckets.delete(key);
  };

  return {
    async loadLimitBuckets(now) {
      open();
      const out: LimitBucket[] = [];
      for (const [key, tat] of buckets) if (tat > now) out.push({ key, tat });
      return out.sort(byKey);
    },

    async saveLimitBuckets(changes, now) {
      open();
      for (const c of changes) {
        const saved = buckets.get(c.key);
        buckets.set(c.key, saved === undefined ? c.tat : Math.max(saved + c.consumedMs, c.tat));
      }
      expire(now);
      const out: LimitBucket[] = [];
      for (const key of new Set(changes.map((c) => c.key))) {
        const tat = buckets.get(key);
        if (tat !== undefined) out.push({ key, tat });
      }
      return out.sort(byKey);
    },

    async deleteLimitBuckets(keys) {
      open();
      for (const key of keys) buckets.delete(key);
    },

    async flagHost(flag) {
      open();
      if (!hostExists(flag.fqdn) || flags.has(flag.fqdn)) return false;
      flags.set(flag.fqdn, { ...flag });
      return true;
    },

    async clearHostFlag(fqdn) {
      open();
      return flags.delete(fqdn);
    },

    async listHostFlags() {
      open();
      return [...flags.values()]
        .sort((a, b) => (a.fqdn < b.fqdn ? -1 : a.fqdn > b.fqdn ? 1 : 0))
        .map((f) => ({ ...f }));
    },

    dropHost(fqdn) {
      flags.delete(fqdn);
    },
  };
}
