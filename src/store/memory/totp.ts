// The memory store's TOTP factors and sign-in challenges (TotpStore). Each method checks and mutates
// without awaiting in between, so each is atomic; records are cloned in and out. `hasUser` answers
// whether a user exists; dropUser(name) is called when a user is deleted (their factor and challenges
// go with them, as ON DELETE CASCADE does in SQL).

/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import type { TotpStore } from "../ports.js";
import type { LoginChallenge, TotpFactor } from "../types.js";

const clone = (f: TotpFactor): TotpFactor => ({
  ...f,
  recoveryCodes: f.recoveryCodes.map((c) => ({ ...c })),
});

export function createMemoryTotp(
  open: () => void,
  hasUser: (name: string) => boolean,
): TotpStore & { dropUser: (name: string) => void } {
  const factors = new Map<string, TotpFactor>();
  const challenges = new Map<string, LoginChallenge>();
  const requireUser = (name: string): void => {
    if (!hasUser(name)) throw new BeaconError("user_not_found", `user ${name} does not exist`);
  };

  return {
    async putTotp(factor) {
      open();
      requireUser(factor.user);
      factors.set(factor.user, clone(factor));
    },

    async getTotp(user) {
      open();
      const f = factors.get(user);
      return f === undefined ? undefined : clone(f);
    },

    async listTotp() {
      open();
      return [...factors.values()]
        .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0))
        .map(clone);
    },

    async deleteTotp(user) {
      open();
      return factors.delete(user);
    },

    async claimTotpStep(user, step) {
      open();
      const f = factors.get(user);
      if (f === undefined || (f.lastStep !== undefined && f.lastStep >= step)) return false;
      factors.set(user, { ...f, lastStep: step });
      return true;
    },

    async useRecoveryCode(user, hash, at) {
      open();
      const f = factors.get(user);
      const i = f?.recoveryCodes.findIndex((c) => c.hash === hash && c.usedAt === undefined) ?? -1;
      if (f === undefined || i < 0) return false;
      factors.set(user, {
        ...f,
        recoveryCodes: f.recoveryCodes.map((c, j) => (j === i ? { hash: c.hash, usedAt: at } : { ...c })),
      });
      return true;
    },

    async createLoginChallenge(challenge) {
      open();
      requireUser(challenge.user);
      challenges.set(challenge.idHash, { ...challenge });
    },

    async getLoginChallenge(idHash) {
      open();
      const c = challenges.get(idHash);
      return c === undefined ? undefined : { ...c };
    },

    async deleteLoginChallenge(idHash) {
      open();
      return challenges.delete(idHash);
    },

    async pruneLoginChallenges(now) {
      open();
      let n = 0;
      for (const c of [...challenges.values()]) if (c.expiresAt <= now && challenges.delete(c.idHash)) n++;
      return n;
    },

    dropUser(name) {
      factors.delete(name);
      for (const c of [...challenges.values()]) if (c.user === name) challenges.delete(c.idHash);
    },
  };
}
