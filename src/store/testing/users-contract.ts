// The users-and-sessions part of the Store contract (called from runStoreContract): user names are
// unique; the first user is created only into an empty table, even when two callers race; a session
// needs an existing user and dies with it; prune removes absolutely or idly expired sessions only.

import { describe, expect, it } from "vitest";

import type { SessionRecord, UserRecord } from "../types.js";
import type { SessionStore, UserStore } from "../ports.js";
import { T0 } from "./fixtures.js";

function user(name: string, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    name,
    passwordHash: `scrypt$32768$8$1$c2FsdHNhbHRzYWx0$${name}`,
    role: "admin",
    createdAt: T0,
    passwordChangedAt: T0,
    ...extra,
  };
}

function session(idHash: string, owner: string, extra: Partial<SessionRecord> = {}): SessionRecord {
  return {
    idHash,
    user: owner,
    csrfToken: `csrf-${idHash}`,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + 3_600_000,
    ...extra,
  };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: "BeaconError", code });
}

export function usersContract(get: () => UserStore & SessionStore): void {
  describe("users", () => {
    it("creates, reads, counts and lists users sorted by name", async () => {
      const store = get();
      expect(await store.countUsers()).toBe(0);
      expect(await store.listUsers()).toEqual([]);
      await store.createUser(user("zoe"));
      await store.createUser(user("adam"));
      expect(await store.countUsers()).toBe(2);
      expect(await store.getUser("zoe")).toEqual(user("zoe"));
      expect(await store.getUser("nobody")).toBeUndefined();
      expect((await store.listUsers()).map((u) => u.name)).toEqual(["adam", "zoe"]);
    });

    it("refuses a taken name with user_exists and keeps the first", async () => {
      const store = get();
      await store.createUser(user("adam"));
      await expectCode(store.createUser(user("adam", { passwordHash: "other" })), "user_exists");
      expect((await store.getUser("adam"))?.passwordHash).toBe(user("adam").passwordHash);
    });

    it("creates the first user only while there is none, even when callers race", async () => {
      const store = get();
      const results = await Promise.all([
        store.createFirstUser(user("first")),
        store.createFirstUser(user("second")),
        store.createFirstUser(user("third")),
      ]);
      expect(results.filter((r) => r)).toHaveLength(1);
      expect(await store.countUsers()).toBe(1);
      expect(await store.createFirstUser(user("late"))).toBe(false);
      expect(await store.getUser("late")).toBeUndefined();
    });

    it("changes a password, resolving false for an unknown user", async () => {
      const store = get();
      await store.createUser(user("adam"));
      expect(await store.setUserPassword("adam", "newhash", T0 + 5)).toBe(true);
      expect(await store.getUser("adam")).toEqual(
        user("adam", { passwordHash: "newhash", passwordChangedAt: T0 + 5 }),
      );
      expect(await store.setUserPassword("nobody", "x", T0)).toBe(false);
    });

    it("deletes a user with all of their sessions", async () => {
      const store = get();
      await store.createUser(user("adam"));
      await store.createUser(user("eve"));
      await store.createSession(session("s1", "adam"));
      await store.createSession(session("s2", "eve"));
      expect(await store.deleteUser("adam")).toBe(true);
      expect(await store.deleteUser("adam")).toBe(false);
      expect(await store.getSession("s1")).toBeUndefined();
      expect(await store.getSession("s2")).toEqual(session("s2", "eve"));
    });

    it("returns copies", async () => {
      const store = get();
      await store.createUser(user("adam"));
      const got = await store.getUser("adam");
      (got as { passwordHash: string }).passwordHash = "tampered";
      expect((await store.getUser("adam"))?.passwordHash).toBe(user("adam").passwordHash);
    });
  });

  describe("sessions", () => {
    it("needs an existing user (user_not_found)", async () => {
      const store = get();
      await expectCode(store.createSession(session("s1", "ghost")), "user_not_found");
      expect(await store.getSession("s1")).toBeUndefined();
    });

    it("stores, touches and deletes a session", async () => {
      const store = get();
      await store.createUser(user("adam"));
      await store.createSession(session("s1", "adam"));
      expect(await store.getSession("s1")).toEqual(session("s1", "adam"));
      await store.touchSession("s1", T0 + 100);
      await store.touchSession("absent", T0 + 100);
      expect(await store.getSession("s1")).toEqual(session("s1", "adam", { lastSeenAt: T0 + 100 }));
      expect(await store.deleteSession("s1")).toBe(true);
      expect(await store.deleteSession("s1")).toBe(false);
      expect(await store.getSession("s1")).toBeUndefined();
    });

    it("deletes a user's sessions except one, leaving other users alone", async () => {
      const store = get();
      await store.createUser(user("adam"));
      await store.createUser(user("eve"));
      for (const id of ["a1", "a2", "a3"]) await store.createSession(session(id, "adam"));
      await store.createSession(session("e1", "eve"));
      expect(await store.deleteUserSessions("adam", "a2")).toBe(2);
      expect(await store.getSession("a1")).toBeUndefined();
      expect(await store.getSession("a2")).toBeDefined();
      expect(await store.getSession("e1")).toBeDefined();
      expect(await store.deleteUserSessions("adam")).toBe(1);
      expect(await store.deleteUserSessions("nobody")).toBe(0);
    });

    it("prunes absolutely and idly expired sessions only", async () => {
      const store = get();
      await store.createUser(user("adam"));
      await store.createSession(session("live", "adam", { lastSeenAt: T0 + 50, expiresAt: T0 + 1000 }));
      await store.createSession(session("old", "adam", { expiresAt: T0 + 100 }));
      await store.createSession(session("idle", "adam", { lastSeenAt: T0 + 10, expiresAt: T0 + 1000 }));
      expect(await store.pruneSessions(T0 + 100, T0 + 10)).toBe(2);
      expect(await store.getSession("live")).toBeDefined();
      expect(await store.getSession("old")).toBeUndefined();
      expect(await store.getSession("idle")).toBeUndefined();
    });
  });
}
