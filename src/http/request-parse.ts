// Request parsing shared by the JSON routes (v1 and admin): size-limited JSON bodies checked by a zod schema, and
// integer query parameters. Every failure is a catalogue problem (bad_request, parameter_too_large).

import type { Context } from "hono";
import type { z } from "zod";
import { BeaconError } from "../core/errors.js";
import { readJsonBody } from "./body.js";
import type { AppEnv } from "./deps.js";

/** The body as `schema` parses it; bad_request names the first wrong field (never echoes values). */
export async function parseBody<T>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
  maxBytes: number | undefined,
): Promise<T> {
  const result = schema.safeParse(await readJsonBody(c.req.raw, maxBytes));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".").slice(0, 100)}: ` : "";
  throw new BeaconError("bad_request", `${where}${issue?.message.slice(0, 200) ?? "invalid body"}`);
}

/** A non-negative integer query parameter, or undefined when absent or empty. */
export function intQuery(c: Context<AppEnv>, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new BeaconError("bad_request", `${name} must be a non-negative integer`);
  return Number(raw);
}

/** A boolean flag: absent, "", "0", "false" → false; "1", "true" → true; anything else bad_request. */
export function flagQuery(c: Context<AppEnv>, name: string): boolean {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "" || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new BeaconError("bad_request", `${name} must be 1 or 0`);
}
