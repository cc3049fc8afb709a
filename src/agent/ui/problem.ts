// Problem documents (RFC 9457) for the agent's page API: the same shape and codes as the server's
// (src/http/problem.ts builds the document), answered with no-store. Unknown exceptions are logged and
// answered as `internal` without detail.

import { BeaconError, type ErrorCode } from "../../core/errors.js";
import { problemFor } from "../../http/problem.js";
import type { Log } from "../../core/log.js";

export interface ProblemOptions {
  /** Overrides the catalogue's status (e.g. 400 for a rejected candidate configuration). */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export function problemResponse(e: unknown, log: Log, opts: ProblemOptions = {}): Response {
  const doc = problemFor(e);
  const status = opts.status ?? doc.status;
  if (status >= 500) log.error({ err: e, code: doc.code }, "local page request failed");
  return new Response(JSON.stringify({ ...doc, status }), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...opts.headers },
  });
}

/** Shorthand for an expected refusal with a stable code. */
export function refuse(
  code: ErrorCode,
  log: Log,
  detail?: string,
  opts: ProblemOptions & { readonly details?: Record<string, unknown> } = {},
): Response {
  return problemResponse(new BeaconError(code, detail, { details: opts.details ?? {} }), log, opts);
}
