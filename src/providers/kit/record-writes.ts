// Carrying out a RecordPlan (record-plan.ts) against a one-record-per-value vendor (Cloudflare,
// DigitalOcean), in the plan's order: updates, then creates, then deletes, so the name never goes
// empty in between. A vendor that tells "someone else changed these records meanwhile" apart
// (a duplicate on create, a record gone on update) gets one fresh read-and-plan before it is reported.

import { isBeaconError } from "../../core/errors.js";
import { isEmptyPlan, type RecordPlan } from "./record-plan.js";
import type { WriteOutcome } from "../types.js";

export interface RecordWrites {
  update(id: string, value: string): Promise<void>;
  create(value: string): Promise<void>;
  remove(id: string): Promise<void>;
}

/** "unchanged" for an empty plan (nothing is sent), else "changed" once every write is acknowledged. */
export async function applyPlan(plan: RecordPlan, writes: RecordWrites): Promise<WriteOutcome> {
  if (isEmptyPlan(plan)) return "unchanged";
  for (const u of plan.updates) await writes.update(u.id, u.value);
  for (const value of plan.creates) await writes.create(value);
  for (const id of plan.deletes) await writes.remove(id);
  return "changed";
}

/**
 * Runs `attempt` (read, plan, apply); when it fails with provider_conflict — another writer got
 * between our read and our write — reads and applies once more. The outcome is "changed" then: the
 * first attempt may have written before the conflict. A second conflict is reported as it is.
 */
export async function withOneReplan(attempt: () => Promise<WriteOutcome>): Promise<WriteOutcome> {
  try {
    return await attempt();
  } catch (e) {
    if (!(isBeaconError(e) && e.code === "provider_conflict")) throw e;
    await attempt();
    return "changed";
  }
}
