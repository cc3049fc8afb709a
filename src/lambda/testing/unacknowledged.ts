// A stand-in for the acknowledged-update layer (services/acknowledged-updates.ts and
// services/mirror/drain.ts, another branch): updates are answered once stored, and the schedule
// delivers nothing, so changes wait in the outbox. For tests of the HTTP side and until that branch is
// merged; TODO(merge i17-ack): main.ts passes the real layer and this file goes.

import type { AckLayer } from "./compose.js";

export const unacknowledged: AckLayer = {
  acknowledgeUpdates: (updates) => updates,
  drainAll: () => Promise.resolve({ mirrors: 0, delivered: 0, pending: 0, failed: 0 }),
};
