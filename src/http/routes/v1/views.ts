// JSON shapes of the v1 API (docs/api.md). Times are ISO 8601 strings; absent values are null.

import type { RRSet } from "../../../core/records.js";
import { isRefused } from "../../../services/history-entry.js";
import type { StoredHistoryEntry, StoredRRSet } from "../../../store/types.js";

export interface RecordView {
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
  readonly updatedAt?: string;
}

export function recordView(set: RRSet | StoredRRSet): RecordView {
  const view = { type: set.type, ttl: set.ttl, values: set.values };
  return "updatedAt" in set ? { ...view, updatedAt: new Date(set.updatedAt).toISOString() } : view;
}

/**
 * A refused entry (`refused: true`, `outcome` the error code) has the values asked for in newValues;
 * the set kept oldValues. `count` > 1: that many identical entries folded, the last at `lastAt`.
 */
export function historyView(e: StoredHistoryEntry) {
  return {
    id: e.id,
    hostId: e.hostId ?? null,
    type: e.type,
    oldValues: e.oldValues ?? null,
    newValues: e.newValues ?? null,
    at: new Date(e.at).toISOString(),
    count: e.count,
    lastAt: new Date(e.lastAt).toISOString(),
    outcome: e.outcome,
    refused: isRefused(e.outcome),
    protocol: e.protocol,
    tokenId: e.tokenId ?? null,
    sourceIp: e.sourceIp ?? null,
    userAgent: e.userAgent ?? null,
  };
}
