// Headers every answer carries, whatever produced it — a route, a problem document, the 404, a page:
// `X-Content-Type-Options: nosniff`, so a browser never reads a JSON answer, a dyndns2 reply or an
// echoed parameter as HTML or script, whatever type it would guess from the bytes. The server's app
// and the agent's status port both mount it.

import type { MiddlewareHandler } from "hono";

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    try {
      c.res.headers.set("x-content-type-options", "nosniff");
    } catch {
      // Immutable headers (a Response passed through as is): Hono copies the response to set one.
      c.header("x-content-type-options", "nosniff");
    }
  };
}
