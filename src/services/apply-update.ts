// Applies desired record sets to existing hosts. The contract every protocol relies on:
// - one outcome per requested host, in request order; failures are values, not exceptions; a name
//   requested again in the same request gets the first one's outcome and is neither planned nor
//   recorded again;
// - every history entry is clipped to HISTORY_LIMITS here (history-entry.ts), whatever the protocol;
// - all changes of one request go into ONE store.commit (rrsets + history), so nothing is half-applied;
//   requests that arrive while a commit is in flight share the next commit (group commit: one fsync for
//   many updates), each still decided in arrival order against the ones before it;
// - outcomes are returned and the ChangeListener told only after that commit resolved;
// - requests are serialised, so the read-compare-write of one request never interleaves with another;
// - with `limits`, a request over its credential's limit, or a host over its own, fails rate_limited
//   before anything is read or recorded (no history row: a flood must not grow the store).

import type { Clock } from "../core/clock.js";
import { BeaconError, isBeaconError, toBeaconError, type ErrorCode } from "../core/errors.js";
import { isGlobalUnicast, parseIp, type ParsedIp } from "../core/ip.js";
import { normalizeName } from "../core/names.js";
import {
  canonicalValues,
  isRecordType,
  sameValues,
  validateTtl,
  type RecordType,
  type RRSet,
} from "../core/records.js";
import type { DesiredSets, HostOutcome, UpdateSource } from "../core/update.js";
import { retryAfterSeconds } from "../core/rate.js";
import type { HistoryEntry, RRSetWrite, TokenRecord } from "../store/types.js";
import type { ZoneStore } from "../store/ports.js";
import type { Zone } from "../core/zones.js";
import type { UpdateLimits } from "./ports.js";
import type { ChangeListener } from "../store/change-listener.js";
import type { Log } from "../core/log.js";
import { HISTORY_DEFAULTS } from "./history.js";
import { boundedEntry } from "./history-entry.js";
import { tokenAllows, tokenBoundTo, tokenCoversName } from "./scope.js";
import { createWriteQueue, type WriteQueue } from "./write-queue.js";

export interface UpdateServiceDeps {
  readonly store: ZoneStore;
  readonly clock: Clock;
  readonly listener: ChangeListener;
  readonly log: Log;
  /** Allow private, loopback, link-local… addresses in A/AAAA sets (lab setups only). */
  readonly allowNonGlobal: boolean;
  /** Share one queue with the zone service so serials reach the listener in commit order. */
  readonly queue?: WriteQueue;
  /** Abuse controls (services/limits); none: nothing is limited. */
  readonly limits?: UpdateLimits;
  /**
   * Told how many host outcomes each request produced, once they are decided (every outcome counts:
   * good, nochg and failed), for the console's update rate. Must not throw.
   */
  readonly counted?: (outcomes: number) => void;
  /** history.max_entries_per_host: each host keeps its newest this many entries (default 1000). */
  readonly historyPerHost?: number;
  /**
   * Runs `fn` once the work already under way has had its turn (default: setImmediate, i.e. after the
   * requests read in this event-loop turn reached the service), so they share one commit.
   */
  readonly defer?: (fn: () => void) => void;
}

export interface UpdateRequest {
  /** undefined = trusted administrator (CLI): no scope check. */
  readonly token: TokenRecord | undefined;
  readonly hosts: readonly string[];
  readonly sets: DesiredSets;
  readonly source: UpdateSource;
  /** Per-host sets that replace `sets` for the hosts named here (RFC 2136: each name its own change). */
  readonly setsByHost?: ReadonlyMap<string, DesiredSets>;
  /**
   * Hosts (fqdn → zone) to create when they do not exist yet, before their sets are written, marked
   * implicit (the commit that deletes their last set deletes them). The host row is its own store call
   * just before the commit: if the commit then fails, the host stays, empty.
   */
  readonly createHosts?: ReadonlyMap<string, string>;
}

export interface UpdateService {
  update(req: UpdateRequest): Promise<HostOutcome[]>;
  /**
   * Runs `fn` in the update queue with an `apply` that updates without queueing again, so a
   * read-check-write (RFC 2136 prerequisites read the store) never interleaves with another writer.
   */
  transact<T>(fn: (apply: (req: UpdateRequest) => Promise<HostOutcome[]>) => Promise<T>): Promise<T>;
  /** Whether an address may be published under this service's policy (global unicast unless allowed). */
  acceptsAddress(ip: ParsedIp): boolean;
}

type HostState = Map<RecordType, RRSet>;

export function createUpdateService(deps: UpdateServiceDeps): UpdateService {
  const { store, clock, listener, log, allowNonGlobal, limits } = deps;
  const queue = deps.queue ?? createWriteQueue();
  const keepPerHost = deps.historyPerHost ?? HISTORY_DEFAULTS.maxEntriesPerHost;
  const defer = deps.defer ?? ((fn: () => void) => void setImmediate(fn));

  const acceptsAddress = (ip: ParsedIp): boolean => allowNonGlobal || isGlobalUnicast(ip);

  /** Validates the desired sets against the host's defaults; throws the per-host error. */
  function resolveSets(sets: DesiredSets, types: RecordType[], ttl: number): Map<RecordType, RRSet | null> {
    const out = new Map<RecordType, RRSet | null>();
    for (const type of types) {
      const want = sets[type];
      if (want === undefined) continue;
      if (want === null) {
        out.set(type, null);
        continue;
      }
      const values = canonicalValues(type, want.values);
      if (type !== "TXT") {
        for (const v of values) {
          const ip = parseIp(v);
          if (ip === undefined || !acceptsAddress(ip)) {
            throw new BeaconError("ip_not_global", `${v} is not a global unicast address`);
          }
        }
      }
      out.set(type, { type, ttl: validateTtl(want.ttl ?? ttl), values });
    }
    return out;
  }

  /**
   * Decides one request against the batch's view of the hosts (earlier requests of the same batch
   * included), touching nothing shared: the caller merges the result only if this did not throw.
   * Store reads may throw store_unavailable; that fails this request alone.
   */
  async function plan(req: UpdateRequest, batch: Batch): Promise<Planned> {
    const { at, zones } = batch;
    const planned: Planned = {
      outcomes: [],
      writes: new Map(),
      history: [],
      states: new Map(),
      changed: new Map(),
    };
    const { outcomes, writes, history, states, changed } = planned;
    const credentialWait = limits?.request(req.source);
    if (credentialWait !== undefined) {
      for (const requested of req.hosts) outcomes.push(failed(requested, rateLimited(credentialWait)));
      return planned;
    }

    /** `next`: the values after the change, or (refused) the values asked for; undefined: none. */
    const entry = (
      fqdn: string,
      type: RecordType,
      old: RRSet | undefined,
      next: { readonly values: readonly string[] } | null | undefined,
      outcome: string,
    ) =>
      history.push(
        boundedEntry({
          fqdn,
          type,
          oldValues: old?.values,
          newValues: next?.values ?? undefined,
          at,
          outcome,
          protocol: req.source.protocol,
          tokenId: req.source.tokenId,
          sourceIp: req.source.ip,
          userAgent: req.source.userAgent,
        }),
      );

    /** Outcome of each name already decided in this request (duplicates get it again). */
    const decided = new Map<string, HostOutcome>();
    for (const requested of req.hosts) {
      let fqdn = requested;
      let sets = req.sets;
      let types: RecordType[] = [];
      const settle = (outcome: HostOutcome) => {
        outcomes.push(outcome);
        decided.set(fqdn, outcome);
      };
      try {
        fqdn = normalizeName(requested);
        const earlier = decided.get(fqdn);
        if (earlier !== undefined) {
          outcomes.push(earlier);
          continue;
        }
        sets = req.setsByHost?.get(fqdn) ?? req.sets;
        types = Object.keys(sets).filter(isRecordType).sort();
        if (req.token !== undefined) {
          const token = req.token;
          if (!tokenCoversName(token, fqdn) || !types.every((t) => tokenAllows(token, fqdn, t))) {
            throw new BeaconError("forbidden", `the token may not change ${types.join("/")} of "${fqdn}"`);
          }
        }
        const hostWait = limits?.host(fqdn, req.source);
        if (hostWait !== undefined) throw rateLimited(hostWait);
      } catch (e) {
        settle(failed(fqdn, e));
        continue;
      }
      let host = await store.getHost(fqdn);
      const createIn = req.createHosts?.get(fqdn);
      if (host === undefined && createIn !== undefined)
        host = await store.createHost({
          fqdn,
          zone: createIn,
          ttl: undefined,
          description: "",
          createdAt: at,
          implicit: true,
        });
      if (host === undefined) {
        settle(failed(fqdn, new BeaconError("host_not_found", `no host "${fqdn}"`)));
        continue;
      }
      // A token made for a host never acts on a later host of the same name (nor records in its history).
      if (req.token !== undefined && !tokenBoundTo(req.token, host)) {
        settle(failed(fqdn, new BeaconError("forbidden", `the token was made for an earlier "${fqdn}"`)));
        continue;
      }
      if (!zones.has(host.zone)) zones.set(host.zone, await store.getZone(host.zone));
      let state = states.get(fqdn);
      if (state === undefined) {
        state = new Map(batch.states.get(fqdn) ?? (await readState(fqdn)));
        states.set(fqdn, state);
      }

      let desired: Map<RecordType, RRSet | null>;
      try {
        desired = resolveSets(sets, types, host.ttl ?? zones.get(host.zone)?.ttl ?? 60);
      } catch (e) {
        const f = failed(fqdn, e);
        for (const type of types) entry(fqdn, type, state.get(type), sets[type], f.code);
        settle(f);
        continue;
      }

      let hostChanged = false;
      for (const [type, want] of desired) {
        const old = state.get(type);
        if (
          want === null
            ? old === undefined
            : old !== undefined && old.ttl === want.ttl && sameValues(old.values, want.values)
        ) {
          entry(fqdn, type, old, old, "nochg");
          continue;
        }
        hostChanged = true;
        if (want === null) state.delete(type);
        else state.set(type, want);
        writes.set(`${fqdn} ${type}`, { fqdn, type, rrset: want && { ttl: want.ttl, values: want.values } });
        entry(fqdn, type, old, want, want === null ? "deleted" : "good");
      }
      if (hostChanged && !changed.has(fqdn)) changed.set(fqdn, host.zone);
      if (!hostChanged) limits?.noChange(fqdn, req.source);
      settle({ status: hostChanged ? "good" : "nochg", fqdn, sets: snapshot(state) });
    }
    return planned;
  }

  async function readState(fqdn: string): Promise<HostState> {
    const sets = await store.getRRSets(fqdn);
    return new Map(sets.map((s) => [s.type, { type: s.type, ttl: s.ttl, values: s.values }]));
  }

  /**
   * Applies requests with ONE store.commit for all of them (group commit): outcomes per request, in
   * order. A request that failed while planning fails alone; a failed commit fails every request
   * that had planned, and nothing is applied. Never rejects.
   */
  /** Decides and commits `reqs` together (one commit): one outcome list per request, in order. */
  async function applyAll(reqs: readonly UpdateRequest[]): Promise<HostOutcome[][]> {
    const outcomes = await decideAndCommit(reqs);
    for (const o of outcomes) deps.counted?.(o.length);
    return outcomes;
  }

  async function decideAndCommit(reqs: readonly UpdateRequest[]): Promise<HostOutcome[][]> {
    const batch: Batch = { at: clock(), zones: new Map(), states: new Map() };
    const results: (Planned | HostOutcome[])[] = [];
    for (const req of reqs) {
      try {
        const planned = await plan(req, batch);
        for (const [fqdn, state] of planned.states) batch.states.set(fqdn, state);
        results.push(planned);
      } catch (e) {
        results.push(failAll(req, e));
      }
    }
    const plans = results.filter(isPlanned);
    try {
      await commitPlans(plans, batch);
    } catch (e) {
      return reqs.map((req, i) => {
        const r = results[i]!;
        return isPlanned(r) ? failAll(req, e) : r;
      });
    }
    return results.map((r) => (isPlanned(r) ? r.outcomes : r));
  }

  async function commitPlans(plans: readonly Planned[], batch: Batch): Promise<void> {
    const writes = new Map<string, RRSetWrite>();
    const history: HistoryEntry[] = [];
    const changed = new Map<string, string>(); // fqdn → zone, in first-change order
    for (const p of plans) {
      for (const [key, write] of p.writes) writes.set(key, write);
      history.push(...p.history);
      for (const [fqdn, zone] of p.changed) if (!changed.has(fqdn)) changed.set(fqdn, zone);
    }
    if (writes.size === 0 && history.length === 0) return;
    const result = await store.commit({ writes: [...writes.values()], history, at: batch.at, keepPerHost });
    try {
      for (const [fqdn, zone] of changed) {
        if (result.removedHosts.has(fqdn)) listener.hostRemoved(fqdn, zone);
        else
          listener.hostChanged(fqdn, zone, snapshot(batch.states.get(fqdn) ?? new Map<RecordType, RRSet>()));
      }
      for (const [zone, serial] of result.serials) listener.serialChanged(zone, serial);
    } catch (e) {
      // Listeners must not throw; the change is committed, so the reply still reports it.
      log.error({ err: e }, "change listener threw");
    }
  }

  function failAll(req: UpdateRequest, e: unknown): HostOutcome[] {
    const err = toBeaconError(e);
    log.warn({ err: e, code: err.code, hosts: req.hosts.length }, "update failed; nothing applied");
    return req.hosts.map((h) => ({
      status: "failed" as const,
      fqdn: h,
      code: err.code,
      message: err.message,
    }));
  }

  // Group commit: requests arriving while a commit is in flight wait together and share the next one.
  const waiting: { readonly req: UpdateRequest; readonly done: (outcomes: HostOutcome[]) => void }[] = [];
  const flush = async (): Promise<void> => {
    const batch = waiting.splice(0, MAX_BATCH);
    if (waiting.length > 0) void queue.run(flush);
    const results = await applyAll(batch.map((w) => w.req));
    // Replies wait until every reader of the index (DNS worker processes) has the change — read your
    // writes — but the queue does not: the next batch may commit meanwhile.
    void settled().then(() => batch.forEach((w, i) => w.done(results[i]!)));
  };
  /** Bounded by the listener's contract; never rejects. */
  const settled = (): Promise<void> => (listener.settled?.() ?? Promise.resolve()).catch(() => undefined);

  return {
    acceptsAddress,
    update: (req) =>
      new Promise((done) => {
        waiting.push({ req, done });
        if (waiting.length === 1) defer(() => void queue.run(flush));
      }),
    transact: (fn) =>
      queue.run(() =>
        fn(async (req) => {
          const [outcomes] = await applyAll([req]);
          await settled();
          return outcomes!;
        }),
      ),
  };
}

/** Most requests sharing one commit. */
const MAX_BATCH = 128;

/** The hosts' record sets as the requests planned so far in one batch leave them. */
interface Batch {
  readonly at: number;
  readonly zones: Map<string, Zone | undefined>;
  readonly states: Map<string, HostState>;
}

/** What one request would change; merged into its batch only when planning it did not throw. */
interface Planned {
  readonly outcomes: HostOutcome[];
  readonly writes: Map<string, RRSetWrite>;
  readonly history: HistoryEntry[];
  /** Hosts this request read or changed, with their sets after it. */
  readonly states: Map<string, HostState>;
  readonly changed: Map<string, string>;
}

function isPlanned(r: Planned | HostOutcome[]): r is Planned {
  return !Array.isArray(r);
}

function failed(fqdn: string, e: unknown): HostOutcome & { status: "failed" } {
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

function rateLimited(waitMs: number): BeaconError {
  const seconds = retryAfterSeconds(waitMs);
  return new BeaconError("rate_limited", `too many updates; try again in ${seconds} s`, {
    details: { retryAfterSeconds: seconds },
  });
}

function snapshot(state: HostState): RRSet[] {
  return [...state.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
