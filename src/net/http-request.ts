// The real HttpRequest: node:http / node:https, one fresh connection per call (no keep-alive pool, so
// an echo service always sees the path the packets take now, and multi-WAN binds are never shared).
// Redirects are not followed: a 3xx is returned like any other reply.

import http from "node:http";
import https from "node:https";
import { BeaconError } from "../core/errors.js";
import type { HttpReply, HttpRequest, HttpRequestOptions } from "./http.js";

const DEFAULT_MAX_BYTES = 64 * 1024;

/** Where the request went, for messages: never the query string or credentials (dyndns2 URLs carry secrets). */
function describe(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function createHttpRequest(): HttpRequest {
  return (url, opts) => send(url, opts);
}

function send(rawUrl: string, opts: HttpRequestOptions): Promise<HttpReply> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return Promise.reject(new BeaconError("bad_request", "not a valid URL"));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return Promise.reject(new BeaconError("bad_request", `unsupported URL scheme ${url.protocol}`));
  const where = describe(url);
  if (opts.signal.aborted)
    return Promise.reject(new BeaconError("aborted", `${where}: aborted before sending`));
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const lib = url.protocol === "https:" ? https : http;

  return new Promise<HttpReply>((resolve, reject) => {
    let settled = false;
    const finish = (err: BeaconError | undefined, reply?: HttpReply) => {
      if (settled) return;
      settled = true;
      opts.signal.removeEventListener("abort", onAbort);
      if (err !== undefined) {
        req.destroy();
        reject(err);
      } else resolve(reply!);
    };
    const onAbort = () => finish(new BeaconError("aborted", `${where}: aborted`));

    const body = opts.body === undefined ? undefined : Buffer.from(opts.body, "utf8");
    const req = lib.request(url, {
      method: opts.method ?? "GET",
      headers: {
        ...opts.headers,
        ...(body === undefined ? {} : { "content-length": String(body.length) }),
      },
      agent: false,
      ...(opts.family === undefined ? {} : { family: opts.family }),
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
    });
    opts.signal.addEventListener("abort", onAbort, { once: true });

    req.on("error", (e) => finish(new BeaconError("network_error", `${where}: ${e.message}`, { cause: e })));
    req.on("response", (res) => {
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) {
        finish(
          new BeaconError("parameter_too_large", `${where}: reply of ${declared} bytes exceeds ${maxBytes}`),
        );
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          finish(new BeaconError("parameter_too_large", `${where}: reply exceeds ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (e) =>
        finish(new BeaconError("network_error", `${where}: ${e.message}`, { cause: e })),
      );
      res.on("close", () => {
        if (!res.complete)
          finish(new BeaconError("network_error", `${where}: connection closed before the reply ended`));
      });
      res.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    req.end(body);
  });
}
