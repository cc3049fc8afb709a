// "What is my IP": the caller's address as this server sees it (after the trusted-proxy rules).
//   GET /ip                → "<ip>\n" (text/plain)
//   GET /ip?format=json    → {"ip":"<ip>","family":4|6}
//   GET /ip?mode=get       → {"return_message":"<ip>","return_status":"success"} (serverless DDNS form)
// Limited per client network (limits.client_ip): 429 rate_limited + Retry-After.

import type { Hono } from "hono";
import { BeaconError } from "../../core/errors.js";
import { limitClients } from "../client-limit.js";
import type { AppDeps, AppEnv } from "../deps.js";

export function registerIpRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/ip", limitClients(deps, "client_ip"), (c) => {
    const ip = c.get("clientIp");
    if (ip === undefined) throw new BeaconError("internal", "the runtime gave no client address");
    c.header("cache-control", "no-store");
    if (c.req.query("mode") === "get") return c.json({ return_message: ip.text, return_status: "success" });
    if (c.req.query("format") === "json") return c.json({ ip: ip.text, family: ip.family });
    return c.text(`${ip.text}\n`);
  });
}
