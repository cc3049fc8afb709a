// A stand-in for the acknowledged-update layer, for tests of the HTTP side and the bundle benchmark
// (which run without Route 53): updates are answered once stored, and the schedule delivers nothing,
// so changes wait in the outbox. main.ts passes the real layer.

import type { AckLayer } from "../compose.js";

export const unacknowledged: AckLayer = {
  acknowledgeUpdates: (updates) => updates,
  drainAll: () => Promise.resolve({ mirrors: 0, delivered: 0, pending: 0, failed: 0 }),
};
