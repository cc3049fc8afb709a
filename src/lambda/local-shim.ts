// A local stand-in for a Lambda Function URL: a node:http server that turns each request into a
// Function URL event (payload 2.0) as AWS builds it — rawPath and rawQueryString as sent, headers
// lowercased (repeated ones joined with ","), the Cookie header moved to `cookies`, a body that is not
// text base64-encoded, requestContext.http.sourceIp = the socket's peer address — calls `handler`,
// and writes its result back (statusCode, headers, cookies as Set-Cookie, a base64 body decoded).
// So curl, ddclient and the Beacon agent can talk to the handler in end-to-end tests.
//
// Like a Function URL: a body over 6 MB is refused with 413 without calling the handler; a handler
// that throws gives 502; a result without a statusCode is sent as JSON with 200. Tests only: it
// listens on loopback (port 0 by default) and close() ends open connections too.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Lambda's payload limit for synchronous invocations. */
export const FUNCTION_URL_MAX_BODY = 6 * 1024 * 1024;

const TEXT = /^(text\/|application\/(json|xml|x-www-form-urlencoded|problem\+json|[\w.+-]+\+(json|xml)))/i;

export type ShimHandler = (event: unknown) => Promise<unknown>;

export interface LocalShim {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startLocalShim(handler: ShimHandler, host = "127.0.0.1", port = 0): Promise<LocalShim> {
  const server = createServer((req, res) => void serve(handler, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(handler: ShimHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, {}, "Request Entity Too Large");
    let result: unknown;
    try {
      result = await handler(toEvent(req, body));
    } catch {
      return send(res, 502, {}, "Internal Server Error");
    }
    writeResult(res, result);
  } catch {
    if (!res.headersSent) send(res, 400, {}, "Bad Request");
    else res.destroy();
  }
}

/** Undefined when over FUNCTION_URL_MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FUNCTION_URL_MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function toEvent(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const target = req.url ?? "/";
  const q = target.indexOf("?");
  const rawPath = q < 0 ? target : target.slice(0, q);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === "cookie") continue;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const cookies = req.headers.cookie?.split(/;\s*/).filter((c) => c !== "");
  const text = TEXT.test(req.headers["content-type"] ?? "");
  const sourceIp = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString: q < 0 ? "" : target.slice(q + 1),
    ...(cookies === undefined || cookies.length === 0 ? {} : { cookies }),
    headers,
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: req.headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: req.headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length === 0 ? {} : { body: text ? body.toString("utf8") : body.toString("base64") }),
    isBase64Encoded: body.length > 0 && !text,
  };
}

interface Result {
  statusCode?: unknown;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body?: unknown;
  isBase64Encoded?: unknown;
}

function writeResult(res: ServerResponse, raw: unknown): void {
  const r = (typeof raw === "object" && raw !== null ? raw : {}) as Result;
  if (typeof r.statusCode !== "number")
    return send(res, 200, { "content-type": "application/json" }, JSON.stringify(raw ?? null));
  const headers: Record<string, string | string[]> = { ...r.headers, ...r.multiValueHeaders };
  if (r.cookies !== undefined && r.cookies.length > 0) headers["set-cookie"] = r.cookies;
  const text = typeof r.body === "string" ? r.body : "";
  send(res, r.statusCode, headers, r.isBase64Encoded === true ? Buffer.from(text, "base64") : text);
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
) {
  res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
