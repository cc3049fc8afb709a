// @ts-check
// Error text for people, from the shared ApiError (stable codes) or anything else thrown.

import { ApiError } from "../shared/api.js";

/** One line; a 429 says how long to wait. */
export function errorText(/** @type {unknown} */ e) {
  if (e instanceof ApiError && e.code === "too_many_attempts") {
    return e.retryAfterSeconds === undefined
      ? "Too many attempts. Wait a moment and try again."
      : `Too many attempts. Try again in ${e.retryAfterSeconds} s.`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The stable code of an API failure ("" for anything else). */
export function errorCode(/** @type {unknown} */ e) {
  return e instanceof ApiError ? e.code : "";
}
