// The TOTP second factor of admin users (docs/admin.md "Two-factor sign-in").
//
// Enrolment: begin() stores a fresh secret, pending (not yet asked at sign-in), and returns it with its
// otpauth:// URI; confirm() checks a code of that secret, turns the factor on and returns ten recovery
// codes — the only time they exist in clear. verify() accepts, for an enabled factor, a TOTP code of the
// current step ± 1 that is newer than the last one accepted (a code is never accepted twice, even on
// another node: the store claims the step atomically), or an unused recovery code (used up atomically).
// remove() turns the factor off (the console's disable after password + code; `beacon user totp reset`).
// The secret is stored as given, like TSIG secrets: codes are computed from it, so it cannot be hashed.

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import type { TotpStore } from "../../store/ports.js";
import type { TotpFactor } from "../../store/types.js";
import { newRecoveryCodes, recoveryCodeHash } from "./recovery-codes.js";
import { checkTotp, newTotpSecret, totpUri } from "./totp-code.js";

export interface TotpStatus {
  readonly user: string;
  /** Asked for at sign-in. */
  readonly enabled: boolean;
  /** Enrolment started, no code confirmed yet. */
  readonly pending: boolean;
  readonly recoveryCodesLeft: number;
  readonly enabledAt: number | undefined;
}

export interface SecondFactor {
  /** True when `user` must give a code after the password. */
  required(user: string): Promise<boolean>;
  status(user: string): Promise<TotpStatus>;
  /** Sorted by user: every user with a factor, enabled or pending. */
  list(): Promise<TotpStatus[]>;
  /** totp_enabled when on already; user_not_found. Replaces a pending secret. */
  begin(user: string, issuer: string): Promise<{ secret: string; uri: string }>;
  /** totp_not_enabled without a pending secret; wrong_code. Resolves with the recovery codes. */
  confirm(user: string, code: string): Promise<string[]>;
  /** For an enabled factor: which kind of code `code` was, or undefined (wrong, used, or no factor). */
  verify(user: string, code: string): Promise<"totp" | "recovery" | undefined>;
  /** Removes the factor (enabled or pending); false when there was none. */
  remove(user: string): Promise<boolean>;
}

function statusOf(f: TotpFactor): TotpStatus {
  return {
    user: f.user,
    enabled: f.enabled,
    pending: !f.enabled,
    recoveryCodesLeft: f.enabled ? f.recoveryCodes.filter((c) => c.usedAt === undefined).length : 0,
    enabledAt: f.enabledAt,
  };
}

export function createSecondFactor(deps: {
  readonly store: TotpStore;
  readonly clock: Clock;
  readonly randomBytes?: (n: number) => Uint8Array;
}): SecondFactor {
  const { store, clock, randomBytes } = deps;
  return {
    async required(user) {
      return (await store.getTotp(user))?.enabled === true;
    },

    async status(user) {
      const f = await store.getTotp(user);
      return f === undefined
        ? { user, enabled: false, pending: false, recoveryCodesLeft: 0, enabledAt: undefined }
        : statusOf(f);
    },

    async list() {
      return (await store.listTotp()).map(statusOf);
    },

    async begin(user, issuer) {
      if ((await store.getTotp(user))?.enabled === true)
        throw new BeaconError("totp_enabled", "turn two-factor sign-in off first");
      const secret = newTotpSecret(randomBytes);
      await store.putTotp({
        user,
        secret,
        enabled: false,
        lastStep: undefined,
        createdAt: clock(),
        enabledAt: undefined,
        recoveryCodes: [],
      });
      return { secret, uri: totpUri(secret, user, issuer) };
    },

    async confirm(user, code) {
      const f = await store.getTotp(user);
      if (f === undefined || f.enabled) throw new BeaconError("totp_not_enabled", "start the setup again");
      const now = clock();
      const step = checkTotp(f.secret, code, now);
      if (step === undefined) throw new BeaconError("wrong_code");
      const codes = newRecoveryCodes(randomBytes);
      await store.putTotp({
        ...f,
        enabled: true,
        lastStep: step,
        enabledAt: now,
        recoveryCodes: codes.map((c) => ({ hash: recoveryCodeHash(c)!, usedAt: undefined })),
      });
      return codes;
    },

    async verify(user, code) {
      const f = await store.getTotp(user);
      if (f === undefined || !f.enabled) return undefined;
      const now = clock();
      const step = checkTotp(f.secret, code, now);
      if (step !== undefined) return (await store.claimTotpStep(user, step)) ? "totp" : undefined;
      const hash = recoveryCodeHash(code);
      if (hash !== undefined && (await store.useRecoveryCode(user, hash, now))) return "recovery";
      return undefined;
    },

    remove(user) {
      return store.deleteTotp(user);
    },
  };
}
