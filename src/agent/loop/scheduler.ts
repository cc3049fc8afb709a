// Drives each record's state machine (record-machine.ts) on the injected timers: feeds it the
// events (start, timer fired, runNow, a watched interface changed, a cycle finished, reload, stop)
// and carries out its effects in order: arm or cancel the record's timer, run a cycle, record its
// report.
//
// Promises: a record never runs two cycles at once (the machine queues at most one more); a timer
// or trigger of a record that reload() dropped does nothing; after stop() no timer is left and no
// cycle starts. A record dropped while its cycle runs is kept until the cycle ends, so stop() and
// idle() still reach it.
// Callers must: make `cycle` never throw (reconcile does not; a throw is logged as a crash and ends
// that run), abort cycles themselves on stop (the scheduler does not own the signal), and await
// idle() after stop() before tearing down what cycles use.

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import type { TimerHandle, Timers } from "../../core/timers.js";
import type { AgentRecord } from "./agent-record.js";
import { isAffected } from "./interface-watch.js";
import type { CycleReport } from "./record-state.js";
import {
  initialState,
  step,
  type MachineOptions,
  type Phase,
  type RecordEvent,
  type RecordState,
} from "./record-machine.js";
import { emptyTally, type Tally } from "./record-tally.js";
import { stoppedByFatal } from "./transition.js";
import type { RecordMemory } from "../state-file.js";

/** A configured record as the scheduler holds it. */
export interface Slot {
  readonly record: AgentRecord;
  /** What its reports added up to, for status(): written by whoever records them, never read here. */
  tally: Tally;
  /** When its timer fires; undefined when none is armed. */
  readonly nextRunAt: number | undefined;
}

export interface SchedulerDeps extends MachineOptions {
  readonly timers: Timers;
  readonly clock: Clock;
  readonly log: Log;
  /** The record's memory now: its fatal stop and the end of a requested wait. */
  readonly memory: (key: string) => RecordMemory | undefined;
  /** One cycle of the record. Should never throw. */
  readonly cycle: (record: AgentRecord, verify: boolean) => Promise<CycleReport>;
  /** Applies a finished cycle's report (memory, notifications, the slot's tally). */
  readonly record: (slot: Slot, report: CycleReport) => void;
}

export interface Scheduler {
  /** Arms every record's first run. Once; no-op after stop(). */
  start(): void;
  /** Cancels every timer; cycles in flight end unrecorded. Returns at once: await idle() after. */
  stop(): void;
  /** Every record's cycle now, as if its timer fired. */
  runNow(): void;
  /** Wakes the records watching one of these interfaces. */
  interfacesChanged(changed: ReadonlySet<string>): void;
  /** New records: changed and new ones run at once, unchanged ones keep their schedule. */
  reload(records: readonly AgentRecord[]): void;
  /** The configured records, in configuration order. */
  slots(): readonly Slot[];
  /** Resolves when no cycle is running. */
  idle(): Promise<void>;
}

interface LiveSlot extends Slot {
  record: AgentRecord;
  nextRunAt: number | undefined;
  state: RecordState;
  timer: TimerHandle | undefined;
  running: Promise<void> | undefined;
}

export function createScheduler(initial: readonly AgentRecord[], deps: SchedulerDeps): Scheduler {
  let phase: Phase = "ready";
  let slots = new Map<string, LiveSlot>(initial.map((r) => [r.key, newSlot(r)]));
  /** Dropped by reload() while a cycle ran: kept until it ends, for stop() and idle(). */
  const leaving = new Set<LiveSlot>();

  function newSlot(record: AgentRecord): LiveSlot {
    return {
      record,
      tally: emptyTally,
      nextRunAt: undefined,
      state: initialState(phase),
      timer: undefined,
      running: undefined,
    };
  }

  const held = (slot: LiveSlot) =>
    stoppedByFatal(deps.memory(slot.record.key), slot.record.config.fingerprint);
  const notBefore = (slot: LiveSlot) => deps.memory(slot.record.key)?.notBefore;

  /** Steps the machine and carries out its effects; returns the cycle it asks for, if any. */
  function send(slot: LiveSlot, event: RecordEvent, report?: CycleReport): { verify: boolean } | undefined {
    const next = step(slot.state, event, deps);
    slot.state = next.state;
    let run: { verify: boolean } | undefined;
    for (const effect of next.effects) {
      switch (effect.kind) {
        case "record":
          if (report !== undefined) deps.record(slot, report);
          break;
        case "arm":
          arm(slot, effect.delayMs);
          break;
        case "disarm":
          disarm(slot);
          break;
        case "hold":
          disarm(slot);
          deps.log.error(
            {
              fqdn: slot.record.config.fqdn,
              type: slot.record.config.type,
              code: deps.memory(slot.record.key)?.fatal?.code,
            },
            "record stays stopped after a fatal reply until its configuration changes",
          );
          break;
        case "run":
          run = effect;
          break;
      }
    }
    return run;
  }

  function arm(slot: LiveSlot, delayMs: number): void {
    disarm(slot);
    slot.nextRunAt = deps.clock() + delayMs;
    slot.timer = deps.timers.setTimeout(() => {
      slot.timer = undefined;
      if (slots.get(slot.record.key) === slot) wake(slot, { kind: "trigger" });
    }, delayMs);
  }

  function disarm(slot: LiveSlot): void {
    if (slot.timer !== undefined) deps.timers.clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.nextRunAt = undefined;
  }

  function wake(slot: LiveSlot, event: RecordEvent): void {
    const run = send(slot, event);
    if (run !== undefined) slot.running = cycles(slot, run.verify);
  }

  /** The cycles of one run: the first, then any the machine asks for right after. */
  async function cycles(slot: LiveSlot, verify: boolean): Promise<void> {
    try {
      let run: { verify: boolean } | undefined = { verify };
      while (run !== undefined) {
        const report = await deps.cycle(slot.record, run.verify);
        const event: RecordEvent = {
          kind: "finished",
          report,
          notBefore: notBefore(slot),
          now: deps.clock(),
        };
        run = send(slot, event, report);
      }
    } catch (e) {
      deps.log.error({ fqdn: slot.record.config.fqdn, err: String(e) }, "agent cycle crashed");
      send(slot, { kind: "crashed" });
    } finally {
      slot.running = undefined;
      leaving.delete(slot);
    }
  }

  const everySlot = () => [...slots.values(), ...leaving];

  return {
    start() {
      if (phase !== "ready") return;
      phase = "live";
      for (const slot of slots.values())
        send(slot, { kind: "start", held: held(slot), notBefore: notBefore(slot), now: deps.clock() });
    },

    stop() {
      phase = "stopped";
      for (const slot of everySlot()) send(slot, { kind: "stop" });
    },

    runNow() {
      for (const slot of slots.values()) wake(slot, { kind: "trigger" });
    },

    interfacesChanged(changed) {
      for (const slot of slots.values()) {
        if (!isAffected(slot.record.watch, changed)) continue;
        const h = held(slot); // the machine ignores the change then; so does the log
        if (!h)
          deps.log.debug({ fqdn: slot.record.config.fqdn, interfaces: [...changed] }, "interface change");
        wake(slot, { kind: "interface", held: h });
      }
    },

    reload(records) {
      const next = new Map<string, LiveSlot>();
      for (const r of records) {
        const old = slots.get(r.key);
        const changed = old === undefined || old.record.config.fingerprint !== r.config.fingerprint;
        const slot = old ?? newSlot(r);
        slot.record = r;
        next.set(r.key, slot);
        send(slot, { kind: "reload", changed, notBefore: notBefore(slot), now: deps.clock() });
      }
      for (const [key, slot] of slots) {
        if (next.has(key)) continue;
        send(slot, { kind: "removed" });
        if (slot.running !== undefined) leaving.add(slot);
      }
      slots = next;
    },

    slots: () => [...slots.values()],

    async idle() {
      for (let i = 0; i < 10; i++) {
        const running = everySlot()
          .map((s) => s.running)
          .filter((p) => p !== undefined);
        if (running.length === 0) return;
        await Promise.all(running);
      }
    },
  };
}
