// How a failed HTTP exchange becomes a PublishResult. Shared by every HTTP target so that "the
// network failed" and "we gave up waiting" are reported with the same codes everywhere.

import { parseIp } from "../../core/ip.js";
import type { PublishRequest, PublishResult, TargetFailure } from "./types.js";

/** `retry` with code `timeout` when the caller's signal fired, otherwise `network`. */
export function transportFailure(e: unknown, signal: AbortSignal, what: string): TargetFailure {
  if (signal.aborted) return { status: "retry", code: "timeout", detail: `${what}: aborted before a reply` };
  return { status: "retry", code: "network", detail: `${what}: ${messageOf(e)}` };
}

/** Runs `publish`, turning any exception (a bug, never a service reply) into `retry`/`internal`. */
export async function neverThrows<R extends { readonly status: string }>(
  signal: AbortSignal,
  what: string,
  publish: () => Promise<R>,
): Promise<R | TargetFailure> {
  if (signal.aborted) return { status: "retry", code: "timeout", detail: `${what}: aborted before sending` };
  try {
    return await publish();
  } catch (e) {
    if (signal.aborted) return transportFailure(e, signal, what);
    return { status: "retry", code: "internal", detail: `${what}: ${messageOf(e)}` };
  }
}

export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === "string" ? e : "unknown error";
}

/** A reply body quoted in a detail: first line only, printable, bounded. */
export function quoteBody(body: string, max = 80): string {
  const line = body.trim().split(/\r?\n/, 1)[0] ?? "";
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/[\u0000-\u001f\u007f]/g, "?");
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}

/**
 * A request no service should see: no values, or values of the wrong family. The loop never builds
 * one; this guard exists because an empty dyndns2 `myip` means "use the connection's address".
 */
export function invalidRequest(req: PublishRequest): PublishResult | undefined {
  const family = req.type === "A" ? 4 : 6;
  if (req.values.length === 0)
    return { status: "fatal", code: "invalid_request", detail: `no ${req.type} value to publish` };
  const bad = req.values.find((v) => parseIp(v)?.family !== family);
  if (bad !== undefined)
    return {
      status: "fatal",
      code: "invalid_request",
      detail: `${JSON.stringify(bad.slice(0, 64))} is not an IPv${family} address`,
    };
  return undefined;
}
