// JSON shapes of the admin API (docs/admin.md). Times are ISO 8601 strings, absent values null.
// No view carries a secret: token views have no hash, key views no secret, mirror settings redacted.

import type { RRSet } from "../../../core/records.js";
import { rnameToContact } from "../../../core/soa.js";
import type {
  Host,
  HostFlag,
  SampleCredential,
  StoredHistoryEntry,
  StoredRRSet,
  TokenRecord,
  TsigKeyRecord,
} from "../../../store/types.js";
import type { Zone } from "../../../core/zones.js";

export const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

export function zoneView(z: Zone, counts: { hosts: number; mirrors: number }) {
  return {
    name: z.name,
    serial: z.serial,
    ttl: z.ttl,
    nameservers: [...z.nameservers],
    soa: { ...z.soa, contact: rnameToContact(z.soa.rname) },
    hosts: counts.hosts,
    mirrors: counts.mirrors,
    createdAt: new Date(z.createdAt).toISOString(),
  };
}

export function recordView(set: RRSet | StoredRRSet) {
  return {
    type: set.type,
    ttl: set.ttl,
    values: [...set.values],
    updatedAt: "updatedAt" in set ? new Date(set.updatedAt).toISOString() : null,
  };
}

import { historyView } from "../v1/views.js";

/** History entries have the v1 API's shape. */
export { historyView };

export function hostView(
  h: Host,
  zoneTtl: number,
  rrsets: readonly StoredRRSet[],
  last: StoredHistoryEntry | undefined,
  flag: HostFlag | undefined,
) {
  return {
    fqdn: h.fqdn,
    zone: h.zone,
    ttl: h.ttl ?? zoneTtl,
    description: h.description,
    records: rrsets.map(recordView),
    lastUpdate: last === undefined ? null : historyView(last),
    /** Flagged for update abuse (services/limits/abuse-flags.ts); null: not flagged. */
    abuse:
      flag === undefined ? null : { flaggedAt: new Date(flag.flaggedAt).toISOString(), reason: flag.reason },
  };
}

/** What the console says of the AWS sample's protocol (docs/protocols/aws-sample.md). */
export const SAMPLE_WEAKNESS =
  "The AWS sample's protocol is weaker than a token: its hash can be replayed by anyone who sees it while the address stays the same, and its secret is stored as given.";

/** A host's AWS-sample credential, never its secret; null: none. `valid`: made for this host (not an earlier one of the name). */
export function sampleCredentialView(c: SampleCredential | undefined, host: Pick<Host, "id">) {
  if (c === undefined) return null;
  return {
    createdAt: new Date(c.createdAt).toISOString(),
    lastUsedAt: iso(c.lastUsedAt),
    valid: c.hostId === host.id,
    weakness: SAMPLE_WEAKNESS,
  };
}

export type TokenState = "active" | "revoked" | "expired";

export function tokenState(t: TokenRecord, now: number): TokenState {
  if (t.revokedAt !== undefined) return "revoked";
  if (t.expiresAt !== undefined && now >= t.expiresAt) return "expired";
  return "active";
}

export function tokenView(t: TokenRecord, now: number) {
  return {
    id: t.id,
    label: t.label,
    names: t.names.map((n) => ({ name: n.name, subtree: n.subtree })),
    types: [...t.types],
    allowedCidrs: [...t.allowedCidrs],
    createdAt: new Date(t.createdAt).toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    state: tokenState(t, now),
    hostId: t.hostId ?? null,
    // Signed requests (docs/protocols/signed-requests.md): the key's algorithm only, never the key.
    signing: t.signingKey?.alg ?? null,
    requireSignature: t.requireSignature === true,
  };
}

export function keyView(k: TsigKeyRecord) {
  return {
    name: k.name,
    algorithm: k.algorithm,
    names: k.names.map((n) => ({ name: n.name, subtree: n.subtree })),
    types: [...k.types],
    allowedCidrs: [...k.allowedCidrs],
    createdAt: new Date(k.createdAt).toISOString(),
  };
}
