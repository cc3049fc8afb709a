// Sessions in a Map: the agent's page keeps them here (lost on restart, which only signs people out),
// and the memory Store delegates to it. Bounded: past `maxSessions` the least recently seen go first.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import type { SessionRecord } from "../types.js";
import type { SessionStore } from "../ports.js";

export interface MemorySessionStoreOptions {
  /** Upper bound on live sessions (default 10 000). */
  readonly maxSessions?: number;
}

export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const max = options.maxSessions ?? 10_000;
  const sessions = new Map<string, SessionRecord>();

  function evict(): void {
    while (sessions.size > max) {
      let oldest: SessionRecord | undefined;
      for (const s of sessions.values())
        if (oldest === undefined || s.lastSeenAt < oldest.lastSeenAt) oldest = s;
      if (oldest === undefined) return;
      sessions.delete(oldest.idHash);
    }
  }

  return {
    async createSession(session) {
      sessions.set(session.idHash, { ...session });
      evict();
    },

    async getSession(idHash) {
      const s = sessions.get(idHash);
      return s === undefined ? undefined : { ...s };
    },

    async touchSession(idHash, at) {
      const s = sessions.get(idHash);
      if (s !== undefined) sessions.set(idHash, { ...s, lastSeenAt: at });
    },

    async deleteSession(idHash) {
      return sessions.delete(idHash);
    },

    async deleteUserSessions(user, exceptIdHash) {
      let n = 0;
      for (const s of [...sessions.values()]) {
        if (s.user === user && s.idHash !== exceptIdHash) {
          sessions.delete(s.idHash);
          n++;
        }
      }
      return n;
    },

    async pruneSessions(now, lastSeenBefore) {
      let n = 0;
      for (const s of [...sessions.values()]) {
        if (s.expiresAt <= now || s.lastSeenAt <= lastSeenBefore) {
          sessions.delete(s.idHash);
          n++;
        }
      }
      return n;
    },
  };
}
