// Row ↔ domain conversions, shared by the SQL adapters (sqlite/, postgres/: the same columns). Reading is defensive: a JSON column that does not have the expected
// shape throws (and surfaces as store_unavailable), so a damaged row never reaches DNS answers.

import type { Selectable } from "kysely";

import type { UpdateProtocol } from "../../core/update.js";
import { isRecordType, type RecordType } from "../../core/records.js";
import type {
  Host,
  MirrorStatus,
  MirrorTarget,
  OutboxEntry,
  SessionRecord,
  SigningKey,
  StoredHistoryEntry,
  StoredRRSet,
  TokenRecord,
  TsigKeyRecord,
  UserRecord,
} from "../types.js";
import type { NameScope, Zone } from "../../core/zones.js";
import type {
  HistoryTable,
  HostsTable,
  MirrorsTable,
  OutboxTable,
  RRSetsTable,
  SessionsTable,
  TokensTable,
  TsigKeysTable,
  UsersTable,
  ZonesTable,
} from "./schema.js";

function parseArray(json: string, column: string): unknown[] {
  const v: unknown = JSON.parse(json);
  if (!Array.isArray(v)) throw new Error(`column ${column} does not hold a JSON array`);
  return v;
}

export function parseStrings(json: string, column: string): string[] {
  const v = parseArray(json, column);
  if (!v.every((s) => typeof s === "string")) throw new Error(`column ${column} holds a non-string`);
  return v;
}

export function parseTypes(json: string, column: string): RecordType[] {
  const v = parseStrings(json, column);
  if (!v.every(isRecordType)) throw new Error(`column ${column} holds an unknown record type`);
  return v;
}

export function parseScopes(json: string, column: string): NameScope[] {
  return parseArray(json, column).map((s) => {
    const o = s as Partial<Record<keyof NameScope, unknown>> | null;
    if (typeof o?.name !== "string" || typeof o.subtree !== "boolean") {
      throw new Error(`column ${column} holds a malformed name scope`);
    }
    return { name: o.name, subtree: o.subtree };
  });
}

function recordType(s: string): RecordType {
  if (!isRecordType(s)) throw new Error(`unknown record type ${JSON.stringify(s)} in the database`);
  return s;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function zoneFromRow(r: Selectable<ZonesTable>): Zone {
  return {
    name: r.name,
    serial: r.serial,
    ttl: r.ttl,
    soa: {
      mname: r.mname,
      rname: r.rname,
      refresh: r.refresh,
      retry: r.retry,
      expire: r.expire,
      minimum: r.minimum,
    },
    nameservers: parseStrings(r.nameservers_json, "zones.nameservers_json"),
    createdAt: r.created_at,
  };
}

export function zoneToRow(z: Zone): Selectable<ZonesTable> {
  return {
    name: z.name,
    serial: z.serial,
    ttl: z.ttl,
    ...z.soa,
    nameservers_json: JSON.stringify(z.nameservers),
    created_at: z.createdAt,
  };
}

export function hostFromRow(r: Selectable<HostsTable>): Host {
  return {
    id: r.id,
    fqdn: r.fqdn,
    zone: r.zone,
    ttl: opt(r.ttl),
    description: r.description,
    createdAt: r.created_at,
    implicit: r.implicit === 1,
  };
}

export function hostToRow(h: Host): Selectable<HostsTable> {
  return {
    id: h.id,
    fqdn: h.fqdn,
    zone: h.zone,
    ttl: h.ttl ?? null,
    description: h.description,
    created_at: h.createdAt,
    implicit: h.implicit ? 1 : 0,
  };
}

export function rrsetFromRow(r: Selectable<RRSetsTable>): StoredRRSet {
  return {
    type: recordType(r.type),
    ttl: r.ttl,
    values: parseStrings(r.values_json, "rrsets.values_json"),
    updatedAt: r.updated_at,
  };
}

export function tokenFromRow(r: Selectable<TokensTable>): TokenRecord {
  return {
    id: r.id,
    secretHash: r.secret_hash,
    label: r.label,
    names: parseScopes(r.names_json, "tokens.names_json"),
    types: parseTypes(r.types_json, "tokens.types_json"),
    allowedCidrs: parseStrings(r.allowed_cidrs_json, "tokens.allowed_cidrs_json"),
    createdAt: r.created_at,
    expiresAt: opt(r.expires_at),
    lastUsedAt: opt(r.last_used_at),
    revokedAt: opt(r.revoked_at),
    hostId: opt(r.host_id),
    signingKey: signingKeyFromRow(r.sign_alg, r.sign_key),
    ...(Number(r.require_signature) === 1 ? { requireSignature: true } : {}),
  };
}

function signingKeyFromRow(alg: string | null, key: string | null): SigningKey | undefined {
  if (alg === null || key === null) return undefined;
  if (alg !== "ed25519" && alg !== "hmac-sha256")
    throw new Error(`column tokens.sign_alg holds an unknown algorithm`);
  return { alg, key };
}

export function tokenToRow(t: TokenRecord): Selectable<TokensTable> {
  return {
    id: t.id,
    secret_hash: t.secretHash,
    label: t.label,
    names_json: JSON.stringify(t.names.map((s) => ({ name: s.name, subtree: s.subtree }))),
    types_json: JSON.stringify(t.types),
    allowed_cidrs_json: JSON.stringify(t.allowedCidrs),
    created_at: t.createdAt,
    expires_at: t.expiresAt ?? null,
    last_used_at: t.lastUsedAt ?? null,
    revoked_at: t.revokedAt ?? null,
    host_id: t.hostId ?? null,
    sign_alg: t.signingKey?.alg ?? null,
    sign_key: t.signingKey?.key ?? null,
    require_signature: t.requireSignature === true ? 1 : 0,
  };
}

export function historyFromRow(r: Selectable<HistoryTable>): StoredHistoryEntry {
  return {
    id: r.id,
    fqdn: r.fqdn,
    type: recordType(r.type),
    oldValues:
      r.old_values_json === null ? undefined : parseStrings(r.old_values_json, "history.old_values_json"),
    newValues:
      r.new_values_json === null ? undefined : parseStrings(r.new_values_json, "history.new_values_json"),
    at: r.at,
    outcome: r.outcome,
    // Written only from UpdateProtocol values; not re-validated so a newer protocol name still reads.
    protocol: r.protocol as UpdateProtocol,
    tokenId: opt(r.token_id),
    sourceIp: opt(r.source_ip),
    userAgent: opt(r.user_agent),
    hostId: opt(r.host_id),
    count: r.count,
    lastAt: r.last_at,
  };
}

export function mirrorFromRow(r: Selectable<MirrorsTable>): MirrorTarget {
  const settings: unknown = JSON.parse(r.settings_json);
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    throw new Error("column mirrors.settings_json does not hold a JSON object");
  }
  return {
    id: r.id,
    zone: r.zone,
    provider: r.provider,
    settings: settings as Record<string, unknown>,
    createdAt: r.created_at,
  };
}

export function mirrorToRow(m: MirrorTarget) {
  return {
    id: m.id,
    zone: m.zone,
    provider: m.provider,
    settings_json: JSON.stringify(m.settings),
    created_at: m.createdAt,
  };
}

export function outboxFromRow(r: Selectable<OutboxTable>): OutboxEntry {
  const rrset =
    r.values_json === null
      ? null
      : { ttl: r.ttl ?? 0, values: parseStrings(r.values_json, "outbox.values_json") };
  if (rrset !== null && r.ttl === null) throw new Error("column outbox.ttl is null for an upsert");
  return {
    seq: r.seq,
    mirror: r.mirror,
    fqdn: r.fqdn,
    type: recordType(r.type),
    rrset,
    createdAt: r.created_at,
  };
}

export function mirrorStatusFromRow(
  r: Selectable<MirrorsTable>,
  pending: number,
  oldestPendingAt: number | null,
): MirrorStatus {
  const lastError =
    r.last_error_code === null
      ? undefined
      : { code: r.last_error_code, message: r.last_error_message ?? "", at: r.last_error_at ?? 0 };
  return {
    id: r.id,
    zone: r.zone,
    provider: r.provider,
    pending,
    oldestPendingAt: opt(oldestPendingAt),
    lastSuccessAt: opt(r.last_success_at),
    delivered: r.delivered,
    skipped: r.skipped,
    attempts: r.attempts,
    lastError,
    nextTryAt: opt(r.next_try_at),
    lease:
      r.lease_owner === null || r.lease_until === null
        ? undefined
        : { owner: r.lease_owner, until: r.lease_until },
  };
}

export function keyFromRow(r: Selectable<TsigKeysTable>): TsigKeyRecord {
  return {
    name: r.name,
    algorithm: r.algorithm,
    secret: r.secret,
    names: parseScopes(r.names_json, "tsig_keys.names_json"),
    types: parseTypes(r.types_json, "tsig_keys.types_json"),
    allowedCidrs: parseStrings(r.allowed_cidrs_json, "tsig_keys.allowed_cidrs_json"),
    createdAt: r.created_at,
  };
}

export function userFromRow(r: Selectable<UsersTable>): UserRecord {
  if (r.role !== "admin") throw new Error(`column users.role holds an unknown role`);
  return {
    name: r.name,
    passwordHash: r.password_hash,
    role: r.role,
    createdAt: r.created_at,
    passwordChangedAt: r.password_changed_at,
  };
}

export function sessionFromRow(r: Selectable<SessionsTable>): SessionRecord {
  return {
    idHash: r.id_hash,
    user: r.user,
    csrfToken: r.csrf_token,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
  };
}
