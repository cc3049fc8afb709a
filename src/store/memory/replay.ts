// The memory store's TSIG replay memory (the ReplayStore part of the Store port), with the same rules
// as store/sqlite/replay.ts. Each method checks and mutates without awaiting in between, so a claim is
// atomic: of two claims of one MAC exactly one resolves true.

/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import type { ReplayStore } from "../ports.js";
import { replayEntry } from "../tsig-replay.js";

export function createMemoryReplay(open: () => void): ReplayStore {
  /** "<key name> <MAC as base64>" → expiresAt. */
  const seen = new Map<string, number>();
  return {
    async claimTsigMac(keyName, mac, expiresAt, now) {
      open();
      const entry = replayEntry(keyName, mac, expiresAt, now);
      const id = `${entry.keyName} ${entry.mac}`;
      const known = seen.get(id);
      if (known !== undefined && known >= now) return false;
      seen.set(id, expiresAt);
      return true;
    },

    async pruneTsigMacs(now, limit) {
      open();
      let deleted = 0;
      for (const [id, expiresAt] of seen) {
        if (deleted >= limit) break;
        if (expiresAt < now && seen.delete(id)) deleted++;
      }
      return deleted;
    },
  };
}
