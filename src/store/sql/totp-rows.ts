// Row ↔ record conversions of TotpStore (ports.ts), shared by the SQL adapters (sqlite/totp.ts,
// postgres/totp.ts: the same tables, migrations/0019_totp.ts). A factor is one totp_factors row plus
// its totp_recovery_codes rows; a challenge is one login_challenges row.

import type { LoginChallenge, RecoveryCode, TotpFactor } from "../types.js";

export interface TotpFactorRow {
  readonly user_name: string;
  readonly secret: string;
  readonly enabled: number;
  readonly last_step: number | string | null;
  readonly created_at: number | string;
  readonly enabled_at: number | string | null;
}

export interface RecoveryCodeRow {
  readonly user_name: string;
  readonly code_hash: string;
  readonly used_at: number | string | null;
}

export interface LoginChallengeRow {
  readonly id_hash: string;
  readonly user_name: string;
  readonly created_at: number | string;
  readonly expires_at: number | string;
}

/** Every column, in the order the insert statements bind them. */
export const TOTP_FACTOR_COLUMNS = "user_name, secret, enabled, last_step, created_at, enabled_at";
export const RECOVERY_CODE_COLUMNS = "user_name, code_hash, used_at";
export const LOGIN_CHALLENGE_COLUMNS = "id_hash, user_name, created_at, expires_at";

const optional = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));

/** The factor of `r` with its recovery codes among `codes` (any order; kept in hash order). */
export function totpFactorFromRows(r: TotpFactorRow, codes: readonly RecoveryCodeRow[]): TotpFactor {
  const recoveryCodes: RecoveryCode[] = codes
    .filter((c) => c.user_name === r.user_name)
    .map((c) => ({ hash: c.code_hash, usedAt: optional(c.used_at) }))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  return {
    user: r.user_name,
    secret: r.secret,
    enabled: Number(r.enabled) === 1,
    lastStep: optional(r.last_step),
    createdAt: Number(r.created_at),
    enabledAt: optional(r.enabled_at),
    recoveryCodes,
  };
}

/** The values of the factor's insert, in TOTP_FACTOR_COLUMNS order. */
export function totpFactorValues(f: TotpFactor): unknown[] {
  return [f.user, f.secret, f.enabled ? 1 : 0, f.lastStep ?? null, f.createdAt, f.enabledAt ?? null];
}

/** The values of each recovery code's insert, in RECOVERY_CODE_COLUMNS order. */
export function recoveryCodeValues(f: TotpFactor): unknown[][] {
  return f.recoveryCodes.map((c) => [f.user, c.hash, c.usedAt ?? null]);
}

export function loginChallengeFromRow(r: LoginChallengeRow): LoginChallenge {
  return {
    idHash: r.id_hash,
    user: r.user_name,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  };
}

export function loginChallengeValues(c: LoginChallenge): unknown[] {
  return [c.idHash, c.user, c.createdAt, c.expiresAt];
}
