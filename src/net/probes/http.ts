// The http and https probes: dial the member's ADDRESS (the Host is never resolved), send
// `GET path` with the Host header `host` (https: SNI and certificate name too), follow no redirect.
// Up when the status matches `expect` (./expect-status.ts) and, when `body` is given, the first
// 5,120 bytes of the body contain it; reading stops there. RTT is the time to the response headers
// (connect and TLS included). Reasons: "status 503", "body mismatch", "closed" (the body ended
// early), "tls: <code>", "bad reply: <parser code>", and the connection reasons of ./reasons.ts.

import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { attempt, type ProbeContext, type ProbeResult } from "./attempt.js";
import { statusAccepted } from "../../core/http-status.js";
import { reasonOf } from "./reasons.js";

/** Bytes of the body searched for `body` (Route 53's rule). */
export const BODY_LIMIT = 5_120;

export interface HttpProbe {
  readonly address: string;
  readonly port: number;
  readonly tls: boolean;
  /** Host header, SNI and the name the certificate must match. */
  readonly host: string;
  readonly path: string;
  readonly expect?: string;
  readonly body?: string;
  /** https: verify the certificate (default true). */
  readonly tlsVerify?: boolean;
  readonly userAgent: string;
}

export function probeHttp(probe: HttpProbe, ctx: ProbeContext): Promise<ProbeResult> {
  return attempt(ctx, (done) => {
    const started = ctx.now();
    let secured = !probe.tls;
    const options: https.RequestOptions = {
      host: probe.address,
      port: probe.port,
      path: probe.path,
      method: "GET",
      headers: { host: probe.host, "user-agent": probe.userAgent, accept: "*/*", connection: "close" },
      agent: false,
    };
    if (probe.tls) {
      options.rejectUnauthorized = probe.tlsVerify !== false;
      // SNI carries names only (RFC 6066); for an address the certificate is checked against it
      if (isIP(probe.host) === 0) options.servername = probe.host;
    }
    const req = (probe.tls ? https : http).request(options);
    req.once("socket", (socket) => {
      if (probe.tls) (socket as TLSSocket).once("secureConnect", () => (secured = true));
    });
    req.on("error", (e) => done({ ok: false, reason: reasonOf(e, !secured) }));
    req.once("response", (res) => {
      const rttMs = ctx.now() - started;
      const status = res.statusCode ?? 0;
      if (!statusAccepted(probe.expect, status)) return done({ ok: false, reason: `status ${status}` });
      if (probe.body === undefined || probe.body === "") return done({ ok: true, rttMs });
      const want = Buffer.from(probe.body, "utf8");
      let head = Buffer.alloc(0);
      res.on("data", (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]).subarray(0, BODY_LIMIT);
        if (head.includes(want)) done({ ok: true, rttMs });
        else if (head.length >= BODY_LIMIT) done({ ok: false, reason: "body mismatch" });
      });
      res.once("end", () => done({ ok: false, reason: "body mismatch" }));
      res.on("error", () => done({ ok: false, reason: "closed" }));
      res.once("close", () => done({ ok: false, reason: "closed" }));
    });
    req.end();
    return () => req.destroy();
  });
}
