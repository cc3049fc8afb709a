// Delivers AgentEvents to the notifiers that want them, in the background: a slow or failing
// notifier is logged and never delays or affects updates. Each delivery is bounded by a timeout.

import type { Log } from "../../core/log.js";
import { deadline } from "../loop/deadline.js";
import type { AgentEvent, Notifier } from "./types.js";
import type { Timers } from "../../core/timers.js";

export interface Dispatcher {
  send(event: AgentEvent): void;
  /** Resolves when every delivery started so far has finished. */
  drain(): Promise<void>;
  /** Cancels deliveries in flight (shutdown). */
  abort(): void;
}

export function createDispatcher(
  notifiers: readonly Notifier[],
  deps: { readonly timers: Timers; readonly log: Log; readonly timeoutMs: number },
): Dispatcher {
  const inFlight = new Set<Promise<void>>();
  let ac = new AbortController();
  return {
    send(event) {
      for (const n of notifiers) {
        if (!n.kinds.includes(event.kind)) continue;
        const d = deadline(ac.signal, deps.timeoutMs, deps.timers);
        const p = Promise.resolve()
          .then(() => n.notify(event, d.signal))
          .then(
            (r) => {
              if (!r.ok)
                deps.log.warn(
                  { notifier: n.id, kind: event.kind, fqdn: event.fqdn, detail: r.detail },
                  "notification failed",
                );
            },
            (e: unknown) =>
              deps.log.warn(
                { notifier: n.id, kind: event.kind, fqdn: event.fqdn, err: String(e) },
                "notification failed",
              ),
          )
          .finally(() => {
            d.done();
            inFlight.delete(p);
          });
        inFlight.add(p);
      }
    },
    async drain() {
      // Bounded: deliveries do not start new ones.
      for (let i = 0; i < 3 && inFlight.size > 0; i++) await Promise.all([...inFlight]);
    },
    abort() {
      ac.abort(new Error("agent stopping"));
      ac = new AbortController();
    },
  };
}
