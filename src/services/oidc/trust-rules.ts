// Trust rules (TrustRule, store/types.ts): what an operator's input must be to become one, and
// whether a verified token's claims meet one. Pure: no network, no store.
//
// Promises: checkTrustRule never returns a rule that trusts plain http off loopback, an algorithm
// outside ALLOWED_ALGORITHMS (never `none`, never a shared-secret HS*), an empty audience or an empty
// scope. unmetConditions names every condition that failed, in the rule's order (for `beacon trust
// test` and the log), and never matches a claim that is absent or not a string, number or boolean.

import { BeaconError } from "../../core/errors.js";
import { normalizeName } from "../../core/names.js";
import { isRecordType, type RecordType } from "../../core/records.js";
import type { NameScope } from "../../core/zones.js";
import type { TrustRule } from "../../store/types.js";

/** Asymmetric JWS algorithms only: an HS* key would be the issuer's public key (key confusion). */
export const ALLOWED_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const;
export const DEFAULT_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;

const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const CLAIM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_CONDITIONS = 32;
const MAX_VALUE = 512;

export interface TrustRuleInput {
  readonly id: string;
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms?: readonly string[];
  readonly claims: readonly { readonly claim: string; readonly value: string }[];
  readonly names: readonly NameScope[];
  readonly types: readonly RecordType[];
}

const invalid = (message: string): BeaconError => new BeaconError("invalid_trust", message);

/** `claim=value` (the CLI's --claim): the first `=` splits; the value may hold `*`. */
export function parseCondition(text: string): { claim: string; value: string } {
  const eq = text.indexOf("=");
  if (eq <= 0) throw invalid(`--claim "${text.slice(0, 80)}" is not claim=value`);
  return { claim: text.slice(0, eq).trim(), value: text.slice(eq + 1) };
}

/** True for an issuer URL Beacon will fetch: https, or http on a loopback host (tests, a local issuer). */
export function isTrustedIssuerUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The rule `input` describes, or invalid_trust naming what is wrong. */
export function checkTrustRule(input: TrustRuleInput, now: number): TrustRule {
  if (!ID_PATTERN.test(input.id))
    throw invalid("a rule id is 1 to 63 lowercase letters, digits, - and _, starting with a letter or digit");
  if (input.issuer.length > 512 || !isTrustedIssuerUrl(input.issuer))
    throw invalid(
      `the issuer "${input.issuer.slice(0, 80)}" must be an https URL (http only on loopback), without query or credentials`,
    );
  const audience = input.audience.trim();
  if (audience.length === 0 || audience.length > 512) throw invalid("the audience is 1 to 512 characters");
  const algorithms = [...new Set(input.algorithms ?? DEFAULT_ALGORITHMS)];
  const bad = algorithms.find((a) => !(ALLOWED_ALGORITHMS as readonly string[]).includes(a));
  if (bad !== undefined || algorithms.length === 0)
    throw invalid(`algorithms must be some of ${ALLOWED_ALGORITHMS.join(", ")} (not "${bad ?? ""}")`);
  if (input.claims.length > MAX_CONDITIONS) throw invalid(`at most ${MAX_CONDITIONS} claim conditions`);
  for (const c of input.claims) {
    if (!CLAIM_NAME.test(c.claim)) throw invalid(`"${c.claim.slice(0, 80)}" is not a claim name`);
    if (c.value.length === 0 || c.value.length > MAX_VALUE)
      throw invalid(`the value of claim ${c.claim} is 1 to ${MAX_VALUE} characters`);
    if (/^\**$/.test(c.value)) throw invalid(`claim ${c.claim}: a value of only * would match anything`);
  }
  if (input.names.length === 0) throw invalid("a rule needs at least one name (--name or --subtree)");
  if (input.types.length === 0 || !input.types.every(isRecordType))
    throw invalid("a rule needs record types of A, AAAA, TXT");
  return {
    id: input.id,
    issuer: input.issuer,
    audience,
    algorithms,
    claims: input.claims.map((c) => ({ claim: c.claim, value: c.value })),
    names: input.names.map((s) => ({ name: normalizeName(s.name), subtree: s.subtree })),
    types: [...new Set(input.types)],
    createdAt: now,
  };
}

/** `*` matches any run of characters (also none, also `/`); everything else matches itself. */
export function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === value;
  const first = parts[0] ?? "";
  const last = parts[parts.length - 1] ?? "";
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last))
    return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/** The claim as text, or undefined when absent or not a string, number or boolean. */
function claimText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** Each condition of `rule` the claims fail, explained; empty when the rule matches. */
export function unmetConditions(rule: Pick<TrustRule, "claims">, claims: Record<string, unknown>): string[] {
  const unmet: string[] = [];
  for (const c of rule.claims) {
    const has = Object.hasOwn(claims, c.claim);
    const text = claimText(has ? claims[c.claim] : undefined);
    if (text === undefined)
      unmet.push(
        `claim ${c.claim} is ${has ? "not a string, number or boolean" : "absent"} (wanted ${c.value})`,
      );
    else if (!globMatches(c.value, text))
      unmet.push(`claim ${c.claim} is ${JSON.stringify(text.slice(0, 200))}, wanted ${c.value}`);
  }
  return unmet;
}
