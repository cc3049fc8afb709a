// Row ↔ record conversions of TrustStore (ports.ts), shared by the SQL adapters (sqlite/trust.ts,
// postgres/trust.ts: the same columns, migrations/0018_oidc_trust.ts). The issuer and audience have
// columns of their own (readable in the database); the lists travel as one JSON document, read
// defensively: a damaged row throws (store_unavailable) rather than authorise with half a rule.

import type { TrustRule } from "../types.js";
import { parseScopes, parseStrings, parseTypes } from "./rows.js";

export interface TrustRow {
  readonly id: string;
  readonly issuer: string;
  readonly audience: string;
  readonly rule_json: string;
  readonly created_at: number;
}

/** Every column, in the order the insert statements bind them. */
export const TRUST_COLUMNS = "id, issuer, audience, rule_json, created_at";

export function trustFromRow(r: TrustRow): TrustRule {
  const doc: unknown = JSON.parse(r.rule_json);
  const o = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  const column = "trust_rules.rule_json";
  const claims = Array.isArray(o["claims"]) ? (o["claims"] as unknown[]) : undefined;
  if (claims === undefined) throw new Error(`column ${column} holds no claims list`);
  return {
    id: r.id,
    issuer: r.issuer,
    audience: r.audience,
    algorithms: parseStrings(JSON.stringify(o["algorithms"] ?? null), column),
    claims: claims.map((c) => {
      const { claim, value } = (c ?? {}) as Record<string, unknown>;
      if (typeof claim !== "string" || typeof value !== "string")
        throw new Error(`column ${column} holds a malformed claim condition`);
      return { claim, value };
    }),
    names: parseScopes(JSON.stringify(o["names"] ?? null), column),
    types: parseTypes(JSON.stringify(o["types"] ?? null), column),
    createdAt: Number(r.created_at),
  };
}

/** The values of an insert, in TRUST_COLUMNS order. */
export function trustValues(t: TrustRule): unknown[] {
  const doc = {
    algorithms: t.algorithms,
    claims: t.claims.map((c) => ({ claim: c.claim, value: c.value })),
    names: t.names.map((s) => ({ name: s.name, subtree: s.subtree })),
    types: t.types,
  };
  return [t.id, t.issuer, t.audience, JSON.stringify(doc), t.createdAt];
}
