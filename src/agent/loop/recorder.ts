// Applies a cycle's report to what the agent keeps: the records' memory (saved when it changed),
// the notifications the report implies (transition.ts), the record's tally for status, a log line
// whose level follows the outcome, and the caller's hook.
//
// Promises: never throws for a report (a throwing hook is logged); the memory is loaded once, from
// `state`, and saved whole; the tally is advanced before the hook runs. Callers must pass the record
// as it is configured now (a fatal stop is tied to its fingerprint).

import type { Log } from "../../core/log.js";
import type { AgentRecord } from "./agent-record.js";
import type { AgentEvent } from "../notify/types.js";
import { isHealthy, type CycleReport } from "./record-state.js";
import { tallied, type Tally } from "./record-tally.js";
import type { RecordMemory, StateStore } from "../state-file.js";
import { applyReport } from "./transition.js";

export interface RecorderDeps {
  readonly state: StateStore;
  readonly log: Log;
  /** Hands an event to the notifiers; must not throw (notify/dispatch.ts). */
  readonly notify: (event: AgentEvent) => void;
  /** Called after every recorded report (metrics, logs of the caller). */
  readonly onReport?: (report: CycleReport) => void;
}

/** A record and its tally (the scheduler's slots are these). */
export interface Tallied {
  readonly record: AgentRecord;
  tally: Tally;
}

export interface Recorder {
  /** The record's memory: published values, a fatal stop, the end of a requested wait. */
  memory(key: string): RecordMemory | undefined;
  /** Applies the report and advances `to.tally`. */
  record(to: Tallied, report: CycleReport): void;
}

export function createRecorder(deps: RecorderDeps): Recorder {
  const memory = new Map<string, RecordMemory>(deps.state.load());
  return {
    memory: (key) => memory.get(key),

    record(to, report) {
      const record = to.record;
      const before = memory.get(record.key);
      const t = applyReport(before, report, record.config.fingerprint);
      if (JSON.stringify(t.memory) !== JSON.stringify(before)) {
        if (t.memory === undefined) memory.delete(record.key);
        else memory.set(record.key, t.memory);
        deps.state.save(memory);
      }
      for (const e of t.events) deps.notify(e);
      to.tally = tallied(to.tally, report, t.failed);
      logReport(deps.log, report);
      try {
        deps.onReport?.(report);
      } catch (e) {
        deps.log.error({ err: String(e) }, "onReport hook threw");
      }
    },
  };
}

/** info for a publish and for nothing to do, debug for other healthy cycles, error for fatal, else warn. */
export function logReport(log: Log, report: CycleReport): void {
  const fields = { fqdn: report.fqdn, type: report.type, target: report.target, outcome: report.outcome };
  if (report.outcome === "updated" || report.outcome === "noop") log.info(fields, report.detail);
  else if (isHealthy(report.outcome)) log.debug(fields, report.detail);
  else if (report.outcome === "fatal") log.error(fields, report.detail);
  else log.warn(fields, report.detail);
}
