// Row ↔ record conversions of AcmeStore (store/acme.ts), shared by the SQL adapters (sqlite/acme.ts,
// postgres/acme.ts: the same columns, migrations/0016_acme.ts), and the statements they share (both
// dialects take `insert … on conflict … do …`; only the placeholders differ, each used once, in the
// order of the values the helpers below give).

import { ACME_ERROR_LIMIT, type AcmeAccount, type AcmeCertificate, type AcmeState } from "../acme.js";

export interface AcmeAccountRow {
  readonly directory_url: string;
  readonly key_pem: string;
  readonly account_url: string | null;
  readonly created_at: number;
}

export interface AcmeStateRow {
  readonly id: string;
  readonly names_json: string | null;
  readonly chain_pem: string | null;
  readonly key_pem: string | null;
  readonly not_before: number | null;
  readonly not_after: number | null;
  readonly issued_at: number | null;
  readonly last_attempt_at: number | null;
  readonly last_error: string | null;
  readonly failures: number;
  readonly next_attempt_at: number | null;
}

export const ACME_ACCOUNT_COLUMNS = "directory_url, key_pem, account_url, created_at";

export const ACME_STATE_COLUMNS =
  "id, names_json, chain_pem, key_pem, not_before, not_after, issued_at, last_attempt_at, last_error, " +
  "failures, next_attempt_at";

/** `p(i)` is the dialect's i-th placeholder (1-based). */
type Placeholder = (i: number) => string;

export function acmeStatements(p: Placeholder) {
  return {
    /** directory_url, key_pem, account_url, created_at */
    putAccount:
      `insert into acme_accounts (${ACME_ACCOUNT_COLUMNS}) values (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}) ` +
      "on conflict (directory_url) do update set key_pem = excluded.key_pem, " +
      "account_url = excluded.account_url, created_at = excluded.created_at",
    /** id */
    ensureState: `insert into acme_states (id) values (${p(1)}) on conflict (id) do nothing`,
    /** acmeCertificateValues */
    saveCertificate:
      `update acme_states set names_json = ${p(1)}, chain_pem = ${p(2)}, key_pem = ${p(3)}, ` +
      `not_before = ${p(4)}, not_after = ${p(5)}, issued_at = ${p(6)}, last_attempt_at = ${p(7)}, ` +
      `last_error = null, failures = 0, next_attempt_at = null where id = ${p(8)}`,
    /** acmeFailureValues */
    fail:
      `update acme_states set last_attempt_at = ${p(1)}, last_error = ${p(2)}, failures = failures + 1, ` +
      `next_attempt_at = ${p(3)} where id = ${p(4)}`,
    /** acmeClaimValues */
    claim:
      `update acme_states set lease_owner = ${p(1)}, lease_until = ${p(2)} where id = ${p(3)} and ` +
      `(lease_owner is null or lease_owner = ${p(4)} or lease_until <= ${p(5)})`,
    /** id, owner */
    release: `update acme_states set lease_owner = null, lease_until = null where id = ${p(1)} and lease_owner = ${p(2)}`,
    /** id */
    getState: `select ${ACME_STATE_COLUMNS} from acme_states where id = ${p(1)}`,
    listStates: `select ${ACME_STATE_COLUMNS} from acme_states order by id`,
    /** directory_url */
    getAccount: `select ${ACME_ACCOUNT_COLUMNS} from acme_accounts where directory_url = ${p(1)}`,
  };
}

export function acmeAccountFromRow(r: AcmeAccountRow): AcmeAccount {
  return {
    directoryUrl: r.directory_url,
    keyPem: r.key_pem,
    accountUrl: r.account_url ?? undefined,
    createdAt: Number(r.created_at),
  };
}

export function acmeAccountValues(a: AcmeAccount): unknown[] {
  return [a.directoryUrl, a.keyPem, a.accountUrl ?? null, a.createdAt];
}

const optionalNumber = (v: number | null): number | undefined => (v === null ? undefined : Number(v));

export function acmeStateFromRow(r: AcmeStateRow): AcmeState {
  const certificate: AcmeCertificate | undefined =
    r.chain_pem === null || r.key_pem === null || r.names_json === null
      ? undefined
      : {
          names: JSON.parse(r.names_json) as string[],
          chainPem: r.chain_pem,
          keyPem: r.key_pem,
          notBefore: Number(r.not_before),
          notAfter: Number(r.not_after),
          issuedAt: Number(r.issued_at),
        };
  return {
    id: r.id,
    certificate,
    lastAttemptAt: optionalNumber(r.last_attempt_at),
    lastError: r.last_error ?? undefined,
    failures: Number(r.failures),
    nextAttemptAt: optionalNumber(r.next_attempt_at),
  };
}

/** saveCertificate's values. */
export function acmeCertificateValues(id: string, c: AcmeCertificate): unknown[] {
  return [JSON.stringify(c.names), c.chainPem, c.keyPem, c.notBefore, c.notAfter, c.issuedAt, c.issuedAt, id];
}

/** fail's values. */
export function acmeFailureValues(
  id: string,
  f: { at: number; error: string; nextAttemptAt: number },
): unknown[] {
  return [f.at, f.error.slice(0, ACME_ERROR_LIMIT), f.nextAttemptAt, id];
}

/** claim's values. */
export function acmeClaimValues(id: string, owner: string, now: number, leaseMs: number): unknown[] {
  return [owner, now + leaseMs, id, owner, now];
}
