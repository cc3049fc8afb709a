// Per-minute roll-ups of one node's probe samples ("canary results"), kept in memory until a flush
// takes them: the store gets one row per member and minute, not one per probe (100 members every
// 10 s would otherwise be 600 rows a minute). Rows taken and then put back (a failed write) merge with
// what was added meanwhile, so nothing is counted twice or lost.

import type { ProbeRollup, ProbeSample } from "../../core/pools.js";

export const MINUTE_MS = 60_000;

export interface Rollups {
  add(pool: string, member: string, sample: ProbeSample): void;
  /** Removes and returns the rows of minutes that ended at or before `now` (Infinity: every row). */
  take(now: number): ProbeRollup[];
  putBack(rows: readonly ProbeRollup[]): void;
}

export function createRollups(node: string): Rollups {
  const rows = new Map<string, ProbeRollup>();

  function merge(row: ProbeRollup): void {
    const k = `${row.pool}\n${row.member}\n${row.minute}`;
    const old = rows.get(k);
    rows.set(k, old === undefined ? row : combine(old, row));
  }

  return {
    add(pool, member, s) {
      const minute = Math.floor(s.at / MINUTE_MS) * MINUTE_MS;
      const rtt = s.ok ? s.rttMs : undefined;
      merge({
        pool,
        member,
        node,
        minute,
        ok: s.ok ? 1 : 0,
        fail: s.ok ? 0 : 1,
        rttSumMs: rtt ?? 0,
        ...(rtt === undefined ? {} : { rttMinMs: rtt, rttMaxMs: rtt }),
      });
    },
    take(now) {
      const out: ProbeRollup[] = [];
      for (const [k, row] of rows) {
        if (row.minute + MINUTE_MS <= now) {
          out.push(row);
          rows.delete(k);
        }
      }
      return out;
    },
    putBack(taken) {
      for (const row of taken) merge(row);
    },
  };
}

function combine(a: ProbeRollup, b: ProbeRollup): ProbeRollup {
  const min = [a.rttMinMs, b.rttMinMs].filter((v): v is number => v !== undefined);
  const max = [a.rttMaxMs, b.rttMaxMs].filter((v): v is number => v !== undefined);
  return {
    ...a,
    ok: a.ok + b.ok,
    fail: a.fail + b.fail,
    rttSumMs: a.rttSumMs + b.rttSumMs,
    ...(min.length > 0 ? { rttMinMs: Math.min(...min) } : {}),
    ...(max.length > 0 ? { rttMaxMs: Math.max(...max) } : {}),
  };
}
