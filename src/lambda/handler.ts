// The Lambda handler: each invocation is classified (events.ts) and then
// - an HTTP request (Function URL, API Gateway HTTP API v2, REST API v1) goes through hono's
//   aws-lambda adapter to Beacon's app, and its reply comes back in the event's own result shape;
// - a scheduled event (EventBridge) runs `onSchedule` (the retry of changes Route 53 has not
//   accepted yet) and returns a small JSON summary;
// - anything else answers 400 with a problem document saying what is wrong with the event.
// After every invocation `afterInvocation` runs (the limit buckets' flush) before the handler
// returns: Lambda freezes the process between invocations, so nothing may be left to a timer.
//
// Promises: the returned function never throws or rejects. The runtime is composed on the first
// invocation (`load`, lazily, so a configuration error is an answer — 500 config_invalid, logged —
// rather than a crash loop) and again on the next invocation while it fails. The client address
// the app sees is read only from the request context (`clientAddress`), never from a header.

import type { Context } from "hono";
import { handle } from "hono/aws-lambda";
import { BeaconError, toBeaconError } from "../core/errors.js";
import type { Log } from "../core/log.js";
import { problemFor } from "../http/problem.js";
import { classifyEvent, sourceIpOf, type HttpEvent } from "./events.js";

/** What the handler runs; composed once per cold start (compose.ts). */
export interface LambdaRuntime {
  readonly fetch: (req: Request, env: LambdaBindings) => Response | Promise<Response>;
  /** The scheduled retry; resolves a small summary. */
  onSchedule(): Promise<object>;
  /** Runs at the end of every invocation. Must not reject. */
  afterInvocation(): Promise<void>;
}

/** What hono's adapter passes the app as `c.env`. */
export interface LambdaBindings {
  readonly event: HttpEvent;
  readonly requestContext: unknown;
  readonly lambdaContext: unknown;
}

/** An HTTP result in the shape Function URLs and both API Gateway payloads accept. */
export interface HttpResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
  readonly cookies?: string[];
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

export type LambdaHandler = (event: unknown, context?: unknown) => Promise<HttpResult | object>;

/** AppDeps.clientAddress under Lambda: the request context's source address, nothing else. */
export function clientAddress(c: Context): string | undefined {
  const env = c.env as Partial<LambdaBindings> | undefined;
  return env?.event === undefined ? undefined : sourceIpOf(env.event);
}

export function createLambdaHandler(d: { load: () => Promise<LambdaRuntime>; log: Log }): LambdaHandler {
  const { log } = d;
  let runtime: Promise<LambdaRuntime> | undefined;
  const ready = (): Promise<LambdaRuntime> =>
    (runtime ??= d.load().catch((e: unknown) => {
      runtime = undefined;
      throw e;
    }));
  // The events the app saw; an event hono's adapter could not turn into a Request never gets there.
  const reached = new WeakSet<object>();
  const adapter = handle({
    fetch: async (req: Request, env: LambdaBindings) => {
      reached.add(env.event);
      return (await ready()).fetch(req, env);
    },
  } as unknown as Parameters<typeof handle>[0]);

  return async (raw, context) => {
    const classified = classifyEvent(raw);
    if (classified.kind === "bad")
      return problemResult(new BeaconError("bad_request", `bad event: ${classified.message}`));
    let rt: LambdaRuntime;
    try {
      rt = await ready();
    } catch (e) {
      log.error({ err: e }, "the Lambda function could not start");
      // The code only: a configuration or store message is for the log, not for the Internet.
      const failure = new BeaconError(toBeaconError(e).code);
      return classified.kind === "schedule"
        ? { ok: false, error: describe(failure) }
        : problemResult(failure);
    }
    try {
      if (classified.kind === "schedule") return await schedule(rt, log);
      const event = { ...classified.event };
      const result = (await adapter(event as never, context as never)) as HttpResult;
      return reached.has(event)
        ? result
        : problemResult(
            new BeaconError("bad_request", "bad event: it cannot be turned into an HTTP request"),
          );
    } catch (e) {
      log.error({ err: e }, "the invocation failed");
      return problemResult(e);
    } finally {
      await rt.afterInvocation();
    }
  };
}

async function schedule(rt: LambdaRuntime, log: Log): Promise<object> {
  try {
    return { ok: true, ...(await rt.onSchedule()) };
  } catch (e) {
    log.error({ err: e }, "the scheduled retry failed");
    return { ok: false, error: describe(e) };
  }
}

function describe(e: unknown): string {
  const p = problemFor(e);
  return `${p.code}: ${p.detail}`;
}

function problemResult(e: unknown): HttpResult {
  const body = problemFor(e);
  return {
    statusCode: body.status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
