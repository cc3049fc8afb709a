// The sign-in limits of several server nodes on one store (PostgreSQL): each node's own LoginLimiter
// (login-limiter.ts: locks per network and per account-from-network, doubling, braking) plus budgets of
// failures that every node shares through the store-backed Buckets (services/limits/buckets.ts, shared,
// flushed every second by cli/bucket-sharing.ts). A guesser spreading its attempts over N nodes meets
// the node's own locks on each, and the shared budgets across all of them: at most SHARED_LOGIN_RATES
// failures per network, and per account from one network, whatever the number of nodes — plus the
// slack of shared buckets (what the other nodes let through before their next flush: at most one burst,
// 5 failures, per other node; docs/admin.md).
//
// Contract: the LoginLimiter's. check() answers the longest wait of the node's limiter and the shared
// budgets without waiting for the store; failed() counts against both; succeeded() clears the keys in
// both (the shared bucket is deleted in the store at the next flush). The account key alone (userKey)
// never gets a shared budget: it must never lock an account for everyone (login-limiter.ts).

import type { Rate } from "../../core/rate.js";
import type { Buckets } from "../limits/buckets.js";
import { userKey, type LoginLimiter } from "./login-limiter.js";

/**
 * Failures allowed per network and per account from one network, across all nodes: 5 at once (as the
 * node's limiter), 10 an hour, 24 a day — about what one node's doubling locks allow over a day.
 */
export const SHARED_LOGIN_RATES: readonly Rate[] = [
  { limit: 5, periodMs: 15 * 60_000 },
  { limit: 10, periodMs: 3_600_000 },
  { limit: 24, periodMs: 86_400_000 },
];

const ACCOUNT = userKey("");
const bucketName = (key: string) => `login|${key}`;

export function shareLoginLimiter(
  local: LoginLimiter,
  buckets: Buckets,
  rates: readonly Rate[] = SHARED_LOGIN_RATES,
): LoginLimiter {
  const shared = (keys: readonly string[]) => keys.filter((k) => !k.startsWith(ACCOUNT)).map(bucketName);
  return {
    check(keys) {
      let wait = local.check(keys) ?? 0;
      for (const name of shared(keys)) wait = Math.max(wait, buckets.wait(name, rates) ?? 0);
      return wait > 0 ? wait : undefined;
    },
    failed(keys) {
      local.failed(keys);
      for (const name of shared(keys)) buckets.take(name, rates);
    },
    succeeded(keys) {
      local.succeeded(keys);
      for (const name of shared(keys)) buckets.forget(name, rates);
    },
  };
}
