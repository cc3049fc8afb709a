// The TOTP part of the Store contract (called from runStoreContract): a factor needs an existing user,
// is replaced whole by putTotp and dies with its user; a time step is claimed only when it is newer
// than the last one, and a recovery code only once, even when two callers race; sign-in challenges
// need a user, die with it, can be deleted once and are pruned when expired.

import { describe, expect, it } from "vitest";

import type { TotpStore, UserStore } from "../ports.js";
import type { LoginChallenge, TotpFactor } from "../types.js";
import { T0 } from "./fixtures.js";

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);

function factor(user: string, extra: Partial<TotpFactor> = {}): TotpFactor {
  return {
    user,
    secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    enabled: true,
    lastStep: undefined,
    createdAt: T0,
    enabledAt: T0 + 1000,
    recoveryCodes: [
      { hash: HASH_A, usedAt: undefined },
      { hash: HASH_B, usedAt: undefined },
    ],
    ...extra,
  };
}

function challenge(idHash: string, user: string, expiresAt = T0 + 300_000): LoginChallenge {
  return { idHash, user, createdAt: T0, expiresAt };
}

async function addUser(store: UserStore, name: string): Promise<void> {
  await store.createUser({
    name,
    passwordHash: `scrypt$32768$8$1$c2FsdHNhbHRzYWx0$${name}`,
    role: "admin",
    createdAt: T0,
    passwordChangedAt: T0,
  });
}

export function totpContract(get: () => UserStore & TotpStore): void {
  describe("TOTP factors and sign-in challenges", () => {
    it("stores, reads, replaces, lists and deletes a factor", async () => {
      const s = get();
      await addUser(s, "bob");
      await addUser(s, "alice");
      expect(await s.getTotp("bob")).toBeUndefined();
      await s.putTotp(factor("bob", { enabled: false, enabledAt: undefined, recoveryCodes: [] }));
      expect(await s.getTotp("bob")).toEqual(
        factor("bob", { enabled: false, enabledAt: undefined, recoveryCodes: [] }),
      );
      await s.putTotp(factor("bob", { lastStep: 7 }));
      expect(await s.getTotp("bob")).toEqual(factor("bob", { lastStep: 7 }));
      await s.putTotp(factor("alice"));
      expect((await s.listTotp()).map((f) => f.user)).toEqual(["alice", "bob"]);
      expect(await s.deleteTotp("bob")).toBe(true);
      expect(await s.deleteTotp("bob")).toBe(false);
      expect(await s.getTotp("bob")).toBeUndefined();
    });

    it("refuses a factor or a challenge for an unknown user", async () => {
      const s = get();
      await expect(s.putTotp(factor("nobody"))).rejects.toMatchObject({ code: "user_not_found" });
      await expect(s.createLoginChallenge(challenge("c".repeat(64), "nobody"))).rejects.toMatchObject({
        code: "user_not_found",
      });
    });

    it("claims only a newer time step, once, even when callers race", async () => {
      const s = get();
      await addUser(s, "bob");
      expect(await s.claimTotpStep("bob", 10)).toBe(false); // no factor
      await s.putTotp(factor("bob"));
      expect(await s.claimTotpStep("bob", 10)).toBe(true);
      expect(await s.claimTotpStep("bob", 10)).toBe(false);
      expect(await s.claimTotpStep("bob", 9)).toBe(false);
      const race = await Promise.all([s.claimTotpStep("bob", 11), s.claimTotpStep("bob", 11)]);
      expect(race.filter(Boolean)).toHaveLength(1);
      expect((await s.getTotp("bob"))?.lastStep).toBe(11);
    });

    it("uses a recovery code once, even when callers race, and only the user's own", async () => {
      const s = get();
      await addUser(s, "bob");
      await addUser(s, "alice");
      await s.putTotp(factor("bob"));
      expect(await s.useRecoveryCode("alice", HASH_A, T0)).toBe(false);
      const race = await Promise.all([
        s.useRecoveryCode("bob", HASH_A, T0 + 5),
        s.useRecoveryCode("bob", HASH_A, T0 + 5),
      ]);
      expect(race.filter(Boolean)).toHaveLength(1);
      expect(await s.useRecoveryCode("bob", HASH_A, T0 + 6)).toBe(false);
      expect(await s.useRecoveryCode("bob", "f".repeat(64), T0)).toBe(false);
      expect((await s.getTotp("bob"))?.recoveryCodes).toEqual([
        { hash: HASH_A, usedAt: T0 + 5 },
        { hash: HASH_B, usedAt: undefined },
      ]);
    });

    it("keeps challenges until deleted once or expired", async () => {
      const s = get();
      await addUser(s, "bob");
      await s.createLoginChallenge(challenge("1".repeat(64), "bob", T0 + 100));
      await s.createLoginChallenge(challenge("2".repeat(64), "bob", T0 + 200));
      expect(await s.getLoginChallenge("1".repeat(64))).toEqual(challenge("1".repeat(64), "bob", T0 + 100));
      expect(await s.pruneLoginChallenges(T0 + 100)).toBe(1);
      expect(await s.getLoginChallenge("1".repeat(64))).toBeUndefined();
      expect(await s.deleteLoginChallenge("2".repeat(64))).toBe(true);
      expect(await s.deleteLoginChallenge("2".repeat(64))).toBe(false);
    });

    it("deletes the factor, its codes and the challenges with their user", async () => {
      const s = get();
      await addUser(s, "bob");
      await s.putTotp(factor("bob"));
      await s.createLoginChallenge(challenge("3".repeat(64), "bob"));
      await s.deleteUser("bob");
      await addUser(s, "bob");
      expect(await s.getTotp("bob")).toBeUndefined();
      expect(await s.getLoginChallenge("3".repeat(64))).toBeUndefined();
      expect(await s.useRecoveryCode("bob", HASH_A, T0)).toBe(false);
    });
  });
}
