// Applies desired record sets to existing hosts: reads what each request needs from the store, has
// update-plan.ts decide it, commits and tells the ChangeListener. The contract every protocol relies on:
// - the outcomes and history entries are update-plan.ts's: one outcome per requested host, in request
//   order; failures are values, not exceptions; every history entry clipped to HISTORY_LIMITS;
// - all changes of one request go into ONE store.commit (rrsets + history), so nothing is half-applied;
//   requests that arrive while a commit is in flight share the next commit (group commit: one fsync for
//   many updates; group-commit.ts), each still decided in arrival order against the ones before it;
// - outcomes are returned and the ChangeListener told only after that commit resolved;
// - requests are serialised, so the read-compare-write of one request never interleaves with another;
// - with `limits`, a request over its credential's limit, or a host over its own, fails rate_limited
//   before anything is read or recorded (no history row: a flood must not grow the store).

import type { Clock } from "../core/clock.js";
import { toBeaconError } from "../core/errors.js";
import { isGlobalUnicast, type ParsedIp } from "../core/ip.js";
import type { DesiredSets, HostOutcome, UpdateSource } from "../core/update.js";
import type { CommitResult, TokenRecord } from "../store/types.js";
import type { ZoneStore } from "../store/ports.js";
import type { Zone } from "../core/zones.js";
import type { UpdateLimits } from "./ports.js";
import type { ChangeListener } from "../store/change-listener.js";
import type { Log } from "../core/log.js";
import { createGroupCommit } from "./group-commit.js";
import { HISTORY_DEFAULTS } from "./history.js";
import { tokenBoundTo } from "./scope.js";
import {
  mergePlans,
  plan,
  planOverLimit,
  screen,
  sortedSets,
  type HostFacts,
  type HostSets,
  type Plan,
} from "./update-plan.js";
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

export function createUpdateService(deps: UpdateServiceDeps): UpdateService {
  const { store, clock, listener, log, allowNonGlobal, limits } = deps;
  const queue = deps.queue ?? createWriteQueue();
  const keepPerHost = deps.historyPerHost ?? HISTORY_DEFAULTS.maxEntriesPerHost;

  const acceptsAddress = (ip: ParsedIp): boolean => allowNonGlobal || isGlobalUnicast(ip);
  /** Bounded by the listener's contract; never rejects. */
  const settled = (): Promise<void> => (listener.settled?.() ?? Promise.resolve()).catch(() => undefined);

  /**
   * Decides one request against the batch (earlier requests of the same batch included), leaving the
   * batch's sets alone: the caller merges the plan only if this did not throw. Store reads may throw
   * store_unavailable; that fails this request alone.
   */
  async function planRequest(req: UpdateRequest, batch: Batch): Promise<Plan> {
    const credentialWait = limits?.request(req.source);
    if (credentialWait !== undefined) return planOverLimit(req.hosts, credentialWait);
    const targets = screen(req);
    const facts = new Map<string, HostFacts>();
    for (const t of targets) {
      if (t.kind === "read") facts.set(t.fqdn, await readHost(deps, t.fqdn, req, batch));
    }
    const planned = plan(targets, facts, {
      at: batch.at,
      source: req.source,
      acceptsAddress,
      earlier: batch.states,
    });
    for (const fqdn of planned.unchanged) limits?.noChange(fqdn, req.source);
    return planned;
  }

  /**
   * Applies requests with ONE store.commit for all of them (group commit): outcomes per request, in
   * order. A request that failed while planning fails alone; a failed commit fails every request
   * that had planned, and nothing is applied. Never rejects.
   */
  async function applyAll(reqs: readonly UpdateRequest[]): Promise<HostOutcome[][]> {
    const batch: Batch = { at: clock(), zones: new Map(), states: new Map() };
    const results: (Plan | HostOutcome[])[] = [];
    for (const req of reqs) {
      try {
        const planned = await planRequest(req, batch);
        for (const [fqdn, sets] of planned.states) batch.states.set(fqdn, sets);
        results.push(planned);
      } catch (e) {
        results.push(failAll(log, req, e));
      }
    }
    let outcomes: HostOutcome[][];
    try {
      await commitPlans(results.filter(isPlan), batch);
      outcomes = results.map((r) => (isPlan(r) ? r.outcomes : r));
    } catch (e) {
      outcomes = reqs.map((req, i) => {
        const r = results[i]!;
        return isPlan(r) ? failAll(log, req, e) : r;
      });
    }
    for (const o of outcomes) deps.counted?.(o.length);
    return outcomes;
  }

  async function commitPlans(plans: readonly Plan[], batch: Batch): Promise<void> {
    const { writes, history, changed } = mergePlans(plans);
    if (writes.length === 0 && history.length === 0) return;
    const result = await store.commit({ writes, history, at: batch.at, keepPerHost });
    try {
      tell(listener, changed, result, batch.states);
    } catch (e) {
      // Listeners must not throw; the change is committed, so the reply still reports it.
      log.error({ err: e }, "change listener threw");
    }
  }

  return {
    acceptsAddress,
    update: createGroupCommit({
      queue,
      apply: applyAll,
      settled,
      defer: deps.defer ?? ((fn: () => void) => void setImmediate(fn)),
      maxBatch: MAX_BATCH,
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

/** One batch's time, the zones it read and the hosts' record sets as the requests planned so far leave them. */
interface Batch {
  readonly at: number;
  readonly zones: Map<string, Zone | undefined>;
  readonly states: Map<string, HostSets>;
}

function isPlan(r: Plan | HostOutcome[]): r is Plan {
  return !Array.isArray(r);
}

/** What the planner needs of one host, read in the order it is refused: its limit, existence, token. */
async function readHost(
  deps: Pick<UpdateServiceDeps, "store" | "limits">,
  fqdn: string,
  req: UpdateRequest,
  batch: Batch,
): Promise<HostFacts> {
  const { store, limits } = deps;
  const wait = limits?.host(fqdn, req.source);
  if (wait !== undefined) return { kind: "limited", waitMs: wait };
  let host = await store.getHost(fqdn);
  const createIn = req.createHosts?.get(fqdn);
  if (host === undefined && createIn !== undefined)
    host = await store.createHost({
      fqdn,
      zone: createIn,
      ttl: undefined,
      description: "",
      createdAt: batch.at,
      implicit: true,
    });
  if (host === undefined) return { kind: "missing" };
  // A token made for a host never acts on a later host of the same name (nor records in its history).
  if (req.token !== undefined && !tokenBoundTo(req.token, host)) return { kind: "foreign" };
  if (!batch.zones.has(host.zone)) batch.zones.set(host.zone, await store.getZone(host.zone));
  // A host an earlier request of the batch read is not read again: the planner takes its sets from there.
  const stored = batch.states.has(fqdn) ? undefined : await store.getRRSets(fqdn);
  return {
    kind: "found",
    zone: host.zone,
    hostTtl: host.ttl,
    zoneTtl: batch.zones.get(host.zone)?.ttl,
    stored,
  };
}

/** Tells the listener what one commit changed; `states`: the hosts' sets after it. */
function tell(
  listener: ChangeListener,
  changed: ReadonlyMap<string, string>,
  result: CommitResult,
  states: ReadonlyMap<string, HostSets>,
): void {
  for (const [fqdn, zone] of changed) {
    if (result.removedHosts.has(fqdn)) listener.hostRemoved(fqdn, zone);
    else listener.hostChanged(fqdn, zone, sortedSets(states.get(fqdn) ?? new Map()));
  }
  for (const [zone, serial] of result.serials) listener.serialChanged(zone, serial);
}

/** Every requested host failed with `e`'s code: a request that failed while planning or committing. */
function failAll(log: Log, req: UpdateRequest, e: unknown): HostOutcome[] {
  const err = toBeaconError(e);
  log.warn({ err: e, code: err.code, hosts: req.hosts.length }, "update failed; nothing applied");
  return req.hosts.map((h) => ({
    status: "failed" as const,
    fqdn: h,
    code: err.code,
    message: err.message,
  }));
}
