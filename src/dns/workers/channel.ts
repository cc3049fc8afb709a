// The primary's end of one worker's IPC channel. A worker attaches its message listener only once it
// runs, and says `hello` then: what the primary sends before is lost unless held, so it is held and
// sent on `opened()`, in order. Once the channel is closed (the worker disconnected or exited) a
// message is dropped; a send that throws (the channel closed meanwhile) is logged at debug and
// dropped. Never throws.

import type { Log } from "../../core/log.js";
import type { PrimaryMessage } from "./protocol.js";

export interface WorkerChannel {
  send(m: PrimaryMessage): void;
  /** The worker said hello: sends what was held, and from now on sends at once. */
  opened(): void;
}

export function createWorkerChannel(
  proc: { send(m: PrimaryMessage): void; isConnected(): boolean },
  log: Log,
): WorkerChannel {
  let open = false;
  let held: PrimaryMessage[] = [];
  const send = (m: PrimaryMessage): void => {
    if (!proc.isConnected()) return;
    if (!open) {
      held.push(m);
      return;
    }
    try {
      proc.send(m);
    } catch (err) {
      log.debug({ err }, "dns worker: send failed");
    }
  };
  return {
    send,
    opened() {
      open = true;
      const queued = held;
      held = [];
      for (const m of queued) send(m);
    },
  };
}
