// Acknowledged updates for runtimes with no background (the serverless edition, docs/serverless.md):
// an update is answered good only once it is stored AND its zone's mirrors (Route 53) accepted it.
// A decorator of the UpdateService: the inner service stores the change as always (record sets,
// history and one outbox row per changed set and mirror, in one commit); this one then delivers the
// outbox of the mirrors of the zones it touched, in the request, with mirror/drain.ts.
//
// What a client sees, per host whose stored outcome was good or nochg:
// - good: stored, and every mirror of its zone holds it (no outbox row of the host is left).
// - When a mirror (Route 53) fails after the write (an error reply, throttling, a timeout, or no time
//   left in `budgetMs`): the change stays stored, with its outbox rows. The outcome becomes failed
//   dns_pending, "<fqdn> is saved; Route 53 has not accepted it yet (<the error>); retry", with
//   retryAfterSeconds: until the mirror's next try after a failure (its backoff, or Route 53's own
//   Retry-After), else PENDING_RETRY_AFTER_SECONDS. dyndns2 answers 911 with HTTP 503 and Retry-After;
//   the JSON API a 503 problem dns_pending with Retry-After.
// - The rows are delivered by whichever comes first: the client's own retry, any later update of a
//   host of the same zone, or the scheduled pass (drainAll, every minute). A mirror that failed is not
//   called again before its nextTryAt, by anyone.
// - The retry: the same address is nochg for the store, but when this request delivered a row of the
//   host that was still waiting, the outcome is good (the change became visible now). nochg means the
//   stored state already held it and nothing of the host is waiting: it is read from the store and one
//   outbox read per mirror, never from Route 53.
// - History records the update as good at the time of the write, whatever Route 53 did; the mirror's
//   state (`beacon mirror status`) shows the failure and the rows waiting.
// A host with a row still waiting stays dns_pending even if this request's own change was delivered:
// the name is not yet what Route 53 should hold. A change a mirror can never hold (mirror/deliver.ts:
// skipped) does not hold the host back. Failed outcomes (nohost, rate_limited…) pass through untouched,
// and so does a host the update itself removed (no zone to look up). `transact` and `acceptsAddress`
// pass through.
//
// The mirror list is read once per instance and read again when a zone has none in it (a mirror added
// since), when a mirror turned out to be gone, and once it is MIRROR_LIST_TTL_MS old. Never throws: a store failure while checking makes the
// hosts dns_pending (their change is stored; whether Route 53 has it is unknown).

import { toBeaconError } from "../core/errors.js";
import type { HostOutcome } from "../core/update.js";
import type { Provider } from "../providers/types.js";
import type { MirrorStore, ZoneStore } from "../store/ports.js";
import type { MirrorTarget } from "../store/types.js";
import type { UpdateRequest, UpdateService } from "./apply-update.js";
import { drainMirror, mayBePending, type DrainDeps, type DrainResult } from "./mirror/drain.js";

/** Retry-After of a dns_pending without a recorded failure (out of time, another delivery under way). */
export const PENDING_RETRY_AFTER_SECONDS = 5;

/** A mirror list older than this is read again (a mirror replaced with other settings is seen). */
export const MIRROR_LIST_TTL_MS = 60_000;

/** The drain's deps (provider, clock, timers, log, node, delivery settings) with the store and a budget. */
export interface AcknowledgeDeps extends Omit<DrainDeps, "store"> {
  readonly store: MirrorStore & Pick<ZoneStore, "getHost">;
  /** The most time acknowledging may add to an update (its deliveries and lease waits). */
  readonly budgetMs: number;
}

export function acknowledgeUpdates(updates: UpdateService, deps: AcknowledgeDeps): UpdateService {
  const { store, clock, log } = deps;
  const providers = new Map<string, { createdAt: number; provider: Provider }>();
  const drainDeps: DrainDeps = {
    ...deps,
    // One provider per mirror for the instance's life (its SDK client and zone cache are reused).
    provider(m) {
      const known = providers.get(m.id);
      if (known !== undefined && known.createdAt === m.createdAt) return known.provider;
      const provider = deps.provider(m);
      providers.set(m.id, { createdAt: m.createdAt, provider });
      return provider;
    },
  };
  let byZone: Map<string, MirrorTarget[]> | undefined;
  let listedAt = 0;

  async function mirrorsOf(zone: string): Promise<MirrorTarget[]> {
    const known = clock() - listedAt < MIRROR_LIST_TTL_MS ? byZone?.get(zone) : undefined;
    if (known !== undefined) return known;
    byZone = new Map();
    listedAt = clock();
    for (const m of await store.listMirrors()) byZone.set(m.zone, [...(byZone.get(m.zone) ?? []), m]);
    return byZone.get(zone) ?? [];
  }

  /** Each host's mirrors' pass results (hosts without a zone or a mirror are absent). */
  async function drainFor(fqdns: readonly string[]): Promise<Map<string, DrainResult[]>> {
    const deadline = clock() + deps.budgetMs;
    const passes = new Map<string, DrainResult>();
    const byHost = new Map<string, DrainResult[]>();
    for (const fqdn of fqdns) {
      const zone = (await store.getHost(fqdn))?.zone;
      if (zone === undefined) continue;
      const results: DrainResult[] = [];
      for (const m of await mirrorsOf(zone)) {
        let r = passes.get(m.id);
        if (r === undefined) {
          r = await drainMirror(m, drainDeps, deadline);
          passes.set(m.id, r);
          if (r.gone) byZone = undefined;
        }
        results.push(r);
      }
      byHost.set(fqdn, results);
    }
    return byHost;
  }

  function acknowledged(o: HostOutcome, results: readonly DrainResult[] | undefined): HostOutcome {
    if (o.status === "failed" || results === undefined) return o;
    const waiting = results.find((r) => mayBePending(r, o.fqdn));
    if (waiting !== undefined) return pending(o.fqdn, waiting, clock());
    const deliveredNow = results.some((r) => r.delivered.some((k) => k.fqdn === o.fqdn));
    return o.status === "nochg" && deliveredNow ? { ...o, status: "good" } : o;
  }

  return {
    acceptsAddress: (ip) => updates.acceptsAddress(ip),
    transact: (fn) => updates.transact(fn),
    async update(req: UpdateRequest): Promise<HostOutcome[]> {
      const outcomes = await updates.update(req);
      const stored = outcomes.filter((o) => o.status !== "failed").map((o) => o.fqdn);
      if (stored.length === 0) return outcomes;
      let results: Map<string, DrainResult[]>;
      try {
        results = await drainFor([...new Set(stored)]);
      } catch (e) {
        const err = toBeaconError(e);
        log.warn({ err: e, code: err.code }, "could not check the mirrors of an update");
        const unknown = (fqdn: string) =>
          notYet(fqdn, `could not check: ${err.message}`, PENDING_RETRY_AFTER_SECONDS);
        return outcomes.map((o) => (o.status === "failed" ? o : unknown(o.fqdn)));
      }
      return outcomes.map((o) => acknowledged(o, results.get(o.fqdn)));
    },
  };
}

/** The dns_pending outcome of `fqdn`, which `r`'s mirror still waits to deliver. */
function pending(fqdn: string, r: DrainResult, now: number): HostOutcome {
  const stop = r.stop;
  const why =
    stop?.error?.message ??
    (stop?.reason === "busy" ? "another update is delivering it" : "no time was left to deliver it");
  const seconds =
    stop?.nextTryAt === undefined
      ? PENDING_RETRY_AFTER_SECONDS
      : Math.max(1, Math.ceil((stop.nextTryAt - now) / 1000));
  return notYet(fqdn, why, seconds);
}

function notYet(fqdn: string, why: string, retryAfterSeconds: number): HostOutcome {
  return {
    status: "failed",
    fqdn,
    code: "dns_pending",
    message: `${fqdn} is saved; Route 53 has not accepted it yet (${why}); retry`,
    retryAfterSeconds,
  };
}
