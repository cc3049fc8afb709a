// Row ↔ record conversions of SampleCredentialStore (ports.ts), shared by the SQL adapters
// (sqlite/sample-credentials.ts, postgres/sample-credentials.ts: the same columns,
// migrations/0015_sample_credentials.ts).

import type { SampleCredential } from "../types.js";

export interface SampleCredentialRow {
  readonly fqdn: string;
  readonly secret: string;
  readonly host_id: number;
  readonly created_at: number;
  readonly last_used_at: number | null;
}

/** Every column, in the order the insert statements bind them. */
export const SAMPLE_CREDENTIAL_COLUMNS = "fqdn, secret, host_id, created_at, last_used_at";

export function sampleCredentialFromRow(r: SampleCredentialRow): SampleCredential {
  return {
    fqdn: r.fqdn,
    secret: r.secret,
    hostId: Number(r.host_id),
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? undefined : Number(r.last_used_at),
  };
}

/** The values of an insert, in SAMPLE_CREDENTIAL_COLUMNS order. */
export function sampleCredentialValues(c: SampleCredential): unknown[] {
  return [c.fqdn, c.secret, c.hostId, c.createdAt, c.lastUsedAt ?? null];
}
