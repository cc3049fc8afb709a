// Sets the request id (a sane incoming X-Request-Id is kept, so traces join up across a proxy) and the
// client address, and writes one access-log line per request. The line never holds the query string
// or any header that may carry a secret.

import type { MiddlewareHandler } from "hono";
import type { AppDeps, AppEnv } from "../deps.js";
import { resolveClientIp } from "../client-ip.js";

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestContext(deps: AppDeps, trusted: readonly string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = deps.clock();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", requestId);
    c.set("clientIp", resolveClientIp(deps.clientAddress(c), c.req.header("x-forwarded-for"), trusted));
    await next();
    c.header("x-request-id", requestId);
    deps.log.info(
      {
        requestId,
        method: c.req.method,
        path: new URL(c.req.url).pathname,
        status: c.res.status,
        ip: c.get("clientIp")?.text,
        userAgent: c.req.header("user-agent")?.slice(0, 200),
        tokenId: c.get("token")?.id,
        ms: deps.clock() - started,
      },
      "request",
    );
  };
}
