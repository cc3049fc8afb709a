// Headers every answer carries, whatever produced it — a route, a problem document, the 404, a page:
// `X-Content-Type-Options: nosniff`, so a browser never reads a JSON answer, a dyndns2 reply or an
// echoed parameter as HTML or script, whatever type it would guess from the bytes; and, when `hsts`
// says so for the request (the server's app: a secure request with http.tls.hsts on, transport.ts),
// `Strict-Transport-Security`. The server's app and the agent's status port both mount it.

import type { Context, MiddlewareHandler } from "hono";

export interface SecurityHeaderOptions {
  /** Read after the request was handled; the header value, or undefined for none. */
  readonly hsts?: (c: Context) => string | undefined;
}

export function securityHeaders(options: SecurityHeaderOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers: [string, string][] = [["x-content-type-options", "nosniff"]];
    const hsts = options.hsts?.(c);
    if (hsts !== undefined) headers.push(["strict-transport-security", hsts]);
    for (const [name, value] of headers) {
      try {
        c.res.headers.set(name, value);
      } catch {
        // Immutable headers (a Response passed through as is): Hono copies the response to set one.
        c.header(name, value);
      }
    }
  };
}
