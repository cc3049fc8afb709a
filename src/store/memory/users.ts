// The memory store's admin users and their sessions. Every method checks and mutates without awaiting
// in between, so each is atomic; records are cloned in and out.

/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import { createMemorySessionStore } from "./sessions.js";
import type { UserRecord } from "../types.js";
import type { SessionStore, UserStore } from "../ports.js";

/** `onDelete` runs when a user is deleted (what else dies with them: the TOTP factor). */
export function createMemoryUsers(
  open: () => void,
  onDelete: (name: string) => void = () => {},
): UserStore & SessionStore & { hasUser: (name: string) => boolean } {
  const users = new Map<string, UserRecord>();
  // Unbounded here, like every other table of the memory store; prune keeps it small.
  const sessions = createMemorySessionStore({ maxSessions: Number.MAX_SAFE_INTEGER });

  return {
    async createUser(user) {
      open();
      if (users.has(user.name)) throw new BeaconError("user_exists", `user ${user.name} already exists`);
      users.set(user.name, { ...user });
    },

    async createFirstUser(user) {
      open();
      if (users.size > 0) return false;
      users.set(user.name, { ...user });
      return true;
    },

    async getUser(name) {
      open();
      const u = users.get(name);
      return u === undefined ? undefined : { ...u };
    },

    async listUsers() {
      open();
      const list = [...users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return list.map((u) => ({ ...u }));
    },

    async countUsers() {
      open();
      return users.size;
    },

    async setUserPassword(name, passwordHash, at) {
      open();
      const u = users.get(name);
      if (u === undefined) return false;
      users.set(name, { ...u, passwordHash, passwordChangedAt: at });
      return true;
    },

    async deleteUser(name) {
      open();
      if (!users.delete(name)) return false;
      onDelete(name);
      await sessions.deleteUserSessions(name);
      return true;
    },

    hasUser(name) {
      return users.has(name);
    },

    async createSession(session) {
      open();
      if (!users.has(session.user))
        throw new BeaconError("user_not_found", `user ${session.user} does not exist`);
      return sessions.createSession(session);
    },

    async getSession(idHash) {
      open();
      return sessions.getSession(idHash);
    },

    async touchSession(idHash, at) {
      open();
      return sessions.touchSession(idHash, at);
    },

    async deleteSession(idHash) {
      open();
      return sessions.deleteSession(idHash);
    },

    async deleteUserSessions(user, exceptIdHash) {
      open();
      return sessions.deleteUserSessions(user, exceptIdHash);
    },

    async pruneSessions(now, lastSeenBefore) {
      open();
      return sessions.pruneSessions(now, lastSeenBefore);
    },
  };
}
