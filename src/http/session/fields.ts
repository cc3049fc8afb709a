// Reads the small JSON bodies of the sign-in routes: an object whose named fields are all strings of
// bounded length. Anything else is a 400 naming the field (never echoing its value: it may be a password).

import { BeaconError } from "../../core/errors.js";
import { readJsonBody } from "../body.js";

/** Sign-in bodies are small; 32 KiB holds the longest fields even with every character JSON-escaped. */
export const MAX_SIGN_IN_BODY = 32 * 1024;

export async function readStringFields<K extends string>(
  req: Request,
  fields: Readonly<Record<K, number>>,
  maxBytes = MAX_SIGN_IN_BODY,
): Promise<Record<K, string>> {
  const body = await readJsonBody(req, maxBytes);
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new BeaconError("bad_request", "the body must be a JSON object");
  const out = {} as Record<K, string>;
  for (const [name, max] of Object.entries(fields) as [K, number][]) {
    const v: unknown = (body as Record<string, unknown>)[name];
    if (typeof v !== "string") throw new BeaconError("bad_request", `"${name}" must be a string`);
    if (v.length > max) throw new BeaconError("bad_request", `"${name}" is longer than ${max} characters`);
    out[name] = v;
  }
  return out;
}
