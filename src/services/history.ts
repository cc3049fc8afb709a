// Reading update history, newest first, in pages. History belongs to a host (Host.id), not to its
// name: a host created again under a deleted host's name starts with an empty history, and a token
// never reads entries of another host. Administrators may still read everything recorded under a
// name, deleted hosts' entries included (history outlives hosts).

import { BeaconError } from "../core/errors.js";
import { normalizeName } from "../core/names.js";
import type { Host, StoredHistoryEntry } from "../store/types.js";
import type { HistoryStore, ZoneStore } from "../store/ports.js";

export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 1000;

/** Retention when the configuration says nothing (history.max_entries_per_host, history.max_age). */
export const HISTORY_DEFAULTS = { maxEntriesPerHost: 1000, maxAgeMs: 365 * 86_400_000 } as const;

export interface HistoryPage {
  readonly entries: StoredHistoryEntry[];
  /** Pass as `before` to get the next (older) page; absent on the last page. */
  readonly next?: number;
}

export interface PageOptions {
  readonly limit?: number;
  readonly before?: number;
}

export interface HistoryService {
  /** The host's own entries. */
  ofHost(host: Pick<Host, "id" | "fqdn">, opts?: PageOptions): Promise<HistoryPage>;
  /**
   * Every entry written under the name, whichever host had it then (or none): for administrators.
   * host_not_found when no host has the name and nothing was ever recorded under it.
   */
  ofName(fqdn: string, opts?: PageOptions): Promise<HistoryPage>;
}

export function createHistoryService(deps: {
  readonly store: Pick<ZoneStore, "getHost"> & HistoryStore;
}): HistoryService {
  const { store } = deps;

  async function page(
    fqdn: string,
    opts: PageOptions,
    hostId: number | undefined,
  ): Promise<{ page: HistoryPage; empty: boolean }> {
    const limit = opts.limit ?? HISTORY_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_MAX_LIMIT) {
      throw new BeaconError("bad_request", `limit must be an integer between 1 and ${HISTORY_MAX_LIMIT}`);
    }
    if (opts.before !== undefined && !Number.isInteger(opts.before)) {
      throw new BeaconError("bad_request", "before must be an integer");
    }
    // One extra entry tells whether an older page exists without a second query.
    const rows = await store.listHistory(fqdn, {
      limit: limit + 1,
      ...(opts.before === undefined ? {} : { before: opts.before }),
      ...(hostId === undefined ? {} : { hostId }),
    });
    const entries = rows.slice(0, limit);
    const last = entries[entries.length - 1];
    return {
      page: rows.length > limit && last !== undefined ? { entries, next: last.id } : { entries },
      empty: rows.length === 0 && opts.before === undefined,
    };
  }

  return {
    async ofHost(host, opts = {}) {
      return (await page(host.fqdn, opts, host.id)).page;
    },

    async ofName(rawFqdn, opts = {}) {
      const fqdn = normalizeName(rawFqdn);
      const { page: found, empty } = await page(fqdn, opts, undefined);
      if (empty && (await store.getHost(fqdn)) === undefined) {
        throw new BeaconError("host_not_found", `no host "${fqdn}" and no history under that name`);
      }
      return found;
    },
  };
}
