// Polls the local interfaces on the injected timers and reports which ones changed
// (interface-watch.ts compares the snapshots). Cheap: no network. The first poll only takes the
// baseline; each next poll starts `pollMs` after the previous one ended, so polls never overlap.
//
// Promises: never throws; a failed read is logged at debug and the poll goes on; `onChange` gets
// only non-empty sets; after stop() no timer is left and no new poll starts (one already reading
// may still report). Callers must make `onChange` not throw.

import type { Log } from "../../core/log.js";
import type { TimerHandle, Timers } from "../../core/timers.js";
import { changedInterfaces, interfaceSignature, type InterfaceSignature } from "./interface-watch.js";
import type { ReadInterfaces } from "../system/types.js";

export interface InterfacePollerDeps {
  readonly timers: Timers;
  readonly log: Log;
  readonly readInterfaces: ReadInterfaces;
  readonly pollMs: number;
  readonly onChange: (changed: ReadonlySet<string>) => void;
}

export interface InterfacePoller {
  /** Polls now, then every `pollMs`. Once; no-op after stop(). */
  start(): void;
  stop(): void;
}

export function createInterfacePoller(deps: InterfacePollerDeps): InterfacePoller {
  let started = false;
  let stopped = false;
  let timer: TimerHandle | undefined;
  let last: InterfaceSignature | undefined;

  async function poll(): Promise<void> {
    try {
      const sig = interfaceSignature(await deps.readInterfaces());
      const changed = last === undefined ? new Set<string>() : changedInterfaces(last, sig);
      last = sig;
      if (changed.size > 0) deps.onChange(changed);
    } catch (e) {
      deps.log.debug({ err: String(e) }, "cannot read interfaces");
    }
  }

  function pollThenWait(): void {
    void poll().finally(() => {
      if (!stopped) timer = deps.timers.setTimeout(pollThenWait, deps.pollMs);
    });
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      pollThenWait();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) deps.timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
