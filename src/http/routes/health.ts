// Health for load balancers and monitoring: 200 {"status":"ok","writable":true} when the store
// answers a cheap read and can take updates; otherwise 503 with the problem document of why
// (store_unavailable: the store does not answer, or its file was deleted or replaced under the
// running server; store_read_only: it cannot be written). DNS keeps answering from memory either way,
// so this says "updates would fail here", not "the process is dead". The store's own checks log the
// cause once; a probe polling this does not add a log line per poll.

import type { Hono } from "hono";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import type { StoreLifecycle, ZoneStore } from "../../store/ports.js";
import type { AppEnv } from "../deps.js";
import { problemFor } from "../problem.js";

/** A cheap read that fails when the store does not answer, and whether it takes writes. */
type HealthStore = Pick<ZoneStore, "getZone"> & Pick<StoreLifecycle, "health">;

export function registerHealthRoutes(
  app: Hono<AppEnv>,
  deps: { readonly version: string; readonly store: HealthStore },
): void {
  app.get("/healthz", async (c) => {
    c.header("cache-control", "no-store");
    c.header("x-beacon-version", deps.version);
    const problem = await storeProblem(deps.store);
    if (problem === undefined) return c.json({ status: "ok", writable: true });
    const body = problemFor(problem, c.get("requestId"));
    return c.json(body, 503, { "content-type": "application/problem+json" });
  });
}

async function storeProblem(store: HealthStore): Promise<BeaconError | undefined> {
  try {
    await store.getZone("healthz.invalid");
  } catch (e) {
    return isBeaconError(e) && e.code.startsWith("store_")
      ? e
      : new BeaconError("store_unavailable", undefined, { cause: e });
  }
  const health = store.health();
  return health.problem === undefined
    ? undefined
    : new BeaconError(health.problem.code, health.problem.message);
}
