// Decides an update request without touching anything: given its names screened (`screen`), what the
// update service found in the store for each (`HostFacts`) and the sets the earlier requests of the same
// batch left, the outcome of each requested host and the writes and history entries to commit. Pure: no
// store, no clock (the time comes in), no promises; nothing it is given is changed. The contract every
// protocol relies on (the rest is apply-update.ts's):
// - one outcome per requested host, in request order; failures are values, not exceptions; a name
//   requested again in the same request gets the first one's outcome and is neither planned nor
//   recorded again;
// - every history entry is clipped to HISTORY_LIMITS here (history-entry.ts), whatever the protocol;
// - a request is decided against the sets the requests before it in its batch left (`earlier`), so
//   requests sharing one commit are each decided in arrival order against the ones before it;
// - a host refused before its sets were read (over its limit, not found, the token made for another
//   host of its name) records nothing; a refused change of a host that was read is recorded with the
//   error code and the values asked for, once per type.
// Callers must: screen a request before reading anything (the token's scope is checked before any
// limit or read), give `plan` the facts of every `read` target, and merge a plan's `states` into
// `earlier` only once `plan` returned (it throws only for a bug: an error that is not a BeaconError).

import { BeaconError, isBeaconError, type ErrorCode } from "../core/errors.js";
import type { ParsedIp } from "../core/ip.js";
import { normalizeName } from "../core/names.js";
import { retryAfterSeconds } from "../core/rate.js";
import { isRecordType, type RecordType, type RRSet } from "../core/records.js";
import type { DesiredSets, HostOutcome, UpdateSource } from "../core/update.js";
import type { HistoryEntry, RRSetWrite, TokenRecord } from "../store/types.js";
import { resolveSets, unchangedBy } from "./desired-sets.js";
import { boundedEntry } from "./history-entry.js";
import { tokenAllows, tokenCoversName } from "./scope.js";

/** A host's record sets by type. */
export type HostSets = ReadonlyMap<RecordType, RRSet>;

/** What a request asks for, as far as deciding it goes (apply-update.ts's UpdateRequest fits). */
export interface Requested {
  /** undefined = trusted administrator (CLI): no scope check. */
  readonly token: Pick<TokenRecord, "names" | "types"> | undefined;
  readonly hosts: readonly string[];
  readonly sets: DesiredSets;
  readonly setsByHost?: ReadonlyMap<string, DesiredSets>;
}

/** One requested name, screened before anything is read. */
export type Target =
  /** Decided already: not a domain name, or outside the token's scope. */
  | { readonly kind: "refused"; readonly outcome: FailedOutcome }
  /** A name requested earlier in the same request: it gets that name's outcome. */
  | { readonly kind: "again"; readonly fqdn: string }
  /** To be read (its facts), then planned. `types`: the types asked for, sorted. */
  | {
      readonly kind: "read";
      readonly fqdn: string;
      readonly sets: DesiredSets;
      readonly types: readonly RecordType[];
    };

/** What the update service found for a `read` target, looking in this order. */
export type HostFacts =
  /** Over the host's own limit: nothing was read. */
  | { readonly kind: "limited"; readonly waitMs: number }
  | { readonly kind: "missing" }
  /** The token was made for an earlier host of this name: the host's sets were not read. */
  | { readonly kind: "foreign" }
  | {
      readonly kind: "found";
      readonly zone: string;
      readonly hostTtl: number | undefined;
      /** undefined: the zone was not found. */
      readonly zoneTtl: number | undefined;
      /** The sets in the store; undefined when `earlier` holds the host (it is not read again). */
      readonly stored: readonly RRSet[] | undefined;
    };

export interface PlanContext {
  /** The batch's time, every entry's `at`. */
  readonly at: number;
  readonly source: UpdateSource;
  /** Whether an A/AAAA value may be published (the service's policy). */
  readonly acceptsAddress: (ip: ParsedIp) => boolean;
  /** The sets of each host the earlier requests of the batch read or changed, as they left them. */
  readonly earlier: ReadonlyMap<string, HostSets>;
}

/** What one request changes. */
export interface Plan {
  /** The caller's to keep (the service replies with it). */
  readonly outcomes: HostOutcome[];
  /** At most one per host and type. */
  readonly writes: readonly RRSetWrite[];
  readonly history: readonly HistoryEntry[];
  /** Every host found, with its sets after this request. */
  readonly states: ReadonlyMap<string, HostSets>;
  /** The hosts it changes: fqdn → zone, in request order. */
  readonly changed: ReadonlyMap<string, string>;
  /** The hosts found whose update changed nothing (for UpdateLimits.noChange), in request order. */
  readonly unchanged: readonly string[];
}

/** What a batch of plans commits, in one store.commit. */
export interface BatchChanges {
  /** The last write of each host and type. */
  readonly writes: readonly RRSetWrite[];
  readonly history: readonly HistoryEntry[];
  /** fqdn → zone, in first-change order. */
  readonly changed: ReadonlyMap<string, string>;
}

export type FailedOutcome = HostOutcome & { readonly status: "failed" };

/** Default ttl of a set when neither the request, the host nor its zone gives one. */
const FALLBACK_TTL = 60;

/** The request's names, normalised, deduplicated and checked against the token's scope. */
export function screen(req: Requested): Target[] {
  const seen = new Set<string>();
  return req.hosts.map((requested): Target => {
    let fqdn = requested;
    try {
      fqdn = normalizeName(requested);
      if (seen.has(fqdn)) return { kind: "again", fqdn };
      seen.add(fqdn);
      const sets = req.setsByHost?.get(fqdn) ?? req.sets;
      const types = Object.keys(sets).filter(isRecordType).sort();
      const token = req.token;
      if (token !== undefined) {
        if (!tokenCoversName(token, fqdn) || !types.every((t) => tokenAllows(token, fqdn, t))) {
          throw new BeaconError("forbidden", `the token may not change ${types.join("/")} of "${fqdn}"`);
        }
      }
      return { kind: "read", fqdn, sets, types };
    } catch (e) {
      return { kind: "refused", outcome: failed(fqdn, e) };
    }
  });
}

/** Decides the screened request. `facts` must hold every `read` target's fqdn. */
export function plan(
  targets: readonly Target[],
  facts: ReadonlyMap<string, HostFacts>,
  ctx: PlanContext,
): Plan {
  const outcomes: HostOutcome[] = [];
  const writes: RRSetWrite[] = [];
  const history: HistoryEntry[] = [];
  const states = new Map<string, HostSets>();
  const changed = new Map<string, string>();
  const unchanged: string[] = [];
  /** Outcome of each name decided so far (a name requested again gets it). */
  const decided = new Map<string, HostOutcome>();
  const settle = (outcome: HostOutcome) => {
    outcomes.push(outcome);
    decided.set(outcome.fqdn, outcome);
  };
  for (const target of targets) {
    if (target.kind === "again") outcomes.push(decided.get(target.fqdn)!);
    else if (target.kind === "refused") settle(target.outcome);
    else {
      const { fqdn } = target;
      const found = facts.get(fqdn);
      if (found === undefined) throw new Error(`no facts for "${fqdn}"`);
      if (found.kind !== "found") {
        settle(failed(fqdn, refusal(found, fqdn)));
        continue;
      }
      const host = planHost(target, found, ctx);
      settle(host.outcome);
      writes.push(...host.writes);
      history.push(...host.history);
      states.set(fqdn, host.after);
      if (host.outcome.status === "good") changed.set(fqdn, found.zone);
      if (host.outcome.status === "nochg") unchanged.push(fqdn);
    }
  }
  return { outcomes, writes, history, states, changed, unchanged };
}

/** A request refused whole for its credential's limit: each requested name fails, nothing recorded. */
export function planOverLimit(hosts: readonly string[], waitMs: number): Plan {
  return {
    outcomes: hosts.map((requested) => failed(requested, rateLimited(waitMs))),
    writes: [],
    history: [],
    states: new Map(),
    changed: new Map(),
    unchanged: [],
  };
}

/** The plans of one batch, in order, as one commit: a later write of a host and type replaces an earlier. */
export function mergePlans(plans: readonly Plan[]): BatchChanges {
  const writes = new Map<string, RRSetWrite>();
  const history: HistoryEntry[] = [];
  const changed = new Map<string, string>();
  for (const p of plans) {
    for (const w of p.writes) writes.set(`${w.fqdn} ${w.type}`, w);
    history.push(...p.history);
    for (const [fqdn, zone] of p.changed) if (!changed.has(fqdn)) changed.set(fqdn, zone);
  }
  return { writes: [...writes.values()], history, changed };
}

/** The sets as an outcome and the ChangeListener carry them: sorted by type. */
export function sortedSets(sets: HostSets): RRSet[] {
  return [...sets.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** The failed outcome for a BeaconError; anything else is a bug and is thrown again. */
function failed(fqdn: string, e: unknown): FailedOutcome {
  if (!isBeaconError(e)) throw e;
  const code: ErrorCode = e.code;
  const retry = e.details?.["retryAfterSeconds"];
  return {
    status: "failed",
    fqdn,
    code,
    message: e.message,
    ...(typeof retry === "number" ? { retryAfterSeconds: retry } : {}),
  };
}

type ReadTarget = Extract<Target, { kind: "read" }>;
type FoundFacts = Extract<HostFacts, { kind: "found" }>;

/** Why a host that was not found (or not read) is refused. */
function refusal(facts: Exclude<HostFacts, FoundFacts>, fqdn: string): BeaconError {
  switch (facts.kind) {
    case "limited":
      return rateLimited(facts.waitMs);
    case "missing":
      return new BeaconError("host_not_found", `no host "${fqdn}"`);
    case "foreign":
      return new BeaconError("forbidden", `the token was made for an earlier "${fqdn}"`);
  }
}

interface HostPlan {
  readonly outcome: HostOutcome;
  readonly writes: readonly RRSetWrite[];
  readonly history: readonly HistoryEntry[];
  /** The host's sets after the request. */
  readonly after: HostSets;
}

/** One host that was found: its desired sets checked and compared with what it has. */
function planHost(target: ReadTarget, facts: FoundFacts, ctx: PlanContext): HostPlan {
  const { fqdn, sets, types } = target;
  const before = ctx.earlier.get(fqdn) ?? new Map((facts.stored ?? []).map((s) => [s.type, copySet(s)]));
  const entry = entryMaker(fqdn, ctx);
  let desired: Map<RecordType, RRSet | null>;
  try {
    desired = resolveSets(sets, types, facts.hostTtl ?? facts.zoneTtl ?? FALLBACK_TTL, ctx.acceptsAddress);
  } catch (e) {
    const outcome = failed(fqdn, e);
    const history = types.map((type) => entry(type, before.get(type), sets[type], outcome.code));
    return { outcome, writes: [], history, after: before };
  }
  const after = new Map(before);
  const writes: RRSetWrite[] = [];
  const history: HistoryEntry[] = [];
  for (const [type, want] of desired) {
    const old = after.get(type);
    if (unchangedBy(old, want)) {
      history.push(entry(type, old, old, "nochg"));
      continue;
    }
    if (want === null) after.delete(type);
    else after.set(type, want);
    writes.push({ fqdn, type, rrset: want && { ttl: want.ttl, values: want.values } });
    history.push(entry(type, old, want, want === null ? "deleted" : "good"));
  }
  const status = writes.length > 0 ? "good" : "nochg";
  return { outcome: { status, fqdn, sets: sortedSets(after) }, writes, history, after };
}

/**
 * The history entries of one host. `next`: the values after the change, or (refused) the values asked
 * for; undefined: none.
 */
function entryMaker(fqdn: string, ctx: PlanContext) {
  const { at, source } = ctx;
  return (
    type: RecordType,
    old: RRSet | undefined,
    next: { readonly values: readonly string[] } | null | undefined,
    outcome: string,
  ): HistoryEntry =>
    boundedEntry({
      fqdn,
      type,
      oldValues: old?.values,
      newValues: next?.values ?? undefined,
      at,
      outcome,
      protocol: source.protocol,
      tokenId: source.tokenId,
      sourceIp: source.ip,
      userAgent: source.userAgent,
    });
}

function rateLimited(waitMs: number): BeaconError {
  const seconds = retryAfterSeconds(waitMs);
  return new BeaconError("rate_limited", `too many updates; try again in ${seconds} s`, {
    details: { retryAfterSeconds: seconds },
  });
}

function copySet(s: RRSet): RRSet {
  return { type: s.type, ttl: s.ttl, values: s.values };
}
