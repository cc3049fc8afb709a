// GET /nic/heartbeat?hostname=…: a heartbeat for router scripts that speak dyndns2 (docs/pools.md,
// "Heartbeats"). Authenticated exactly as /nic/update (Basic with the token as password, or Bearer;
// `hostname` may be a comma list and defaults to a hostname-shaped Basic user), answered in dyndns2
// words, one line per name: good (recorded), nohost (the token may not update it, or no such host),
// notfqdn (not a domain name); once per reply: badauth (401), badagent, numhost, 911 (a server
// failure; over the per-client limit or the store away: HTTP 503 + Retry-After). It records no
// address: the host's records are the update endpoint's business.

import type { Context, Hono } from "hono";
import { dyndns2CodeFor } from "../../core/dyndns2.js";
import { isBeaconError } from "../../core/errors.js";
import { clientWait } from "../client-limit.js";
import type { AppDeps, AppEnv } from "../deps.js";
import { parseParams, rawQuery, readHostnames } from "../dyndns2-params.js";
import { recordHeartbeat, type HeartbeatDeps } from "../heartbeat.js";
import { answerWords, authenticate, limited, reply } from "./dyndns2.js";

type Deps = AppDeps & HeartbeatDeps;

export function registerDyndns2HeartbeatRoute(app: Hono<AppEnv>, deps: AppDeps): void {
  const heartbeats = deps.heartbeats;
  if (heartbeats === undefined) return;
  app.get("/nic/heartbeat", (c) =>
    answerWords(c, deps, "dyndns2 heartbeat", "GET", () => handle(c, { ...deps, heartbeats })),
  );
}

async function handle(c: Context<AppEnv>, deps: Deps): Promise<Response> {
  const wait = clientWait(deps, c, "client_heartbeat");
  if (wait !== undefined) return limited(c, "911", wait);
  if (!c.req.header("user-agent")?.trim()) return reply(c, "badagent");
  const params = parseParams(rawQuery(c.req.url));
  const auth = await authenticate(c, deps, params);
  if (auth instanceof Response) return auth;
  const hosts = readHostnames(params, auth.cred.user);
  if (hosts.kind === "none" || hosts.kind === "unreadable") return reply(c, "notfqdn");
  if (hosts.kind === "too_many") return reply(c, "numhost");
  const lines: string[] = [];
  for (const name of hosts.items) {
    try {
      await recordHeartbeat(deps, auth.token, name);
      lines.push("good");
    } catch (e) {
      const word = isBeaconError(e) ? dyndns2CodeFor(e.code) : "911";
      // nohost and notfqdn are this name's; anything else is the whole reply's (answerWords).
      if (word !== "nohost" && word !== "notfqdn") throw e;
      lines.push(word);
    }
  }
  return reply(c, lines.join("\n"));
}
