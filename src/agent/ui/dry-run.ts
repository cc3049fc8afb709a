// The dry run of a candidate configuration: every record of it runs one cycle with the candidate's
// own sources (reconcile.ts, the same function the loop and `beacon update --dry-run` use) with
// dryRun set, so nothing is published, saved or notified. The records come from assembleForCheck
// (check-assembly.ts): a source that runs a program is a stand-in reporting "not run in a check". It compares with what the running agent
// last published for the same record; stops and waits from earlier replies are ignored (the question
// is what the new configuration would do). Bounded: each source by its record's timeout, the whole
// run by `signal`.

import type { AgentRecord } from "../loop/agent-record.js";
import { reconcile, type ReconcileDeps } from "../loop/reconcile.js";
import type { CycleReport, RecordStatus } from "../loop/record-state.js";
import type { RecordMemory } from "../state-file.js";

/** Never throws; one report per record, in order. */
export function dryRunRecords(
  records: readonly AgentRecord[],
  running: readonly RecordStatus[],
  deps: ReconcileDeps,
  signal: AbortSignal,
): Promise<CycleReport[]> {
  return Promise.all(
    records.map((record) => {
      const cfg = record.config;
      const now = running.find((s) => s.fqdn === cfg.fqdn && s.type === cfg.type && s.target === cfg.target);
      const memory: RecordMemory | undefined =
        now?.published === undefined
          ? undefined
          : { published: { values: now.published, at: now.publishedAt ?? 0 } };
      return reconcile({ record, memory, verify: false, force: false, dryRun: true, signal }, deps);
    }),
  );
}
