// Reading a host's update history, newest first, in pages.

import { BeaconError } from "../core/errors.js";
import { normalizeName } from "../core/names.js";
import type { Store, StoredHistoryEntry } from "../store/types.js";

export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 1000;

export interface HistoryPage {
  readonly entries: StoredHistoryEntry[];
  /** Pass as `before` to get the next (older) page; absent on the last page. */
  readonly next?: number;
}

export interface HistoryService {
  /** host_not_found when the host does not exist and has no history (history outlives deleted hosts). */
  list(fqdn: string, opts?: { limit?: number; before?: number }): Promise<HistoryPage>;
}

export function createHistoryService(deps: { readonly store: Store }): HistoryService {
  const { store } = deps;
  return {
    async list(rawFqdn, opts = {}) {
      const fqdn = normalizeName(rawFqdn);
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
      });
      if (rows.length === 0 && opts.before === undefined && (await store.getHost(fqdn)) === undefined) {
        throw new BeaconError("host_not_found", `no host "${fqdn}"`);
      }
      const entries = rows.slice(0, limit);
      const last = entries[entries.length - 1];
      return rows.length > limit && last !== undefined ? { entries, next: last.id } : { entries };
    },
  };
}
