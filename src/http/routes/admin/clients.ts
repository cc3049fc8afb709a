// POST /clients { fqdn, token } → { clients }: the copy-ready client configurations again, for a
// token the admin still holds. The token travels in the body, never in a URL (URLs end up in logs and
// browser history). Pure rendering: nothing is looked up or stored.

import type { Context, Hono } from "hono";
import { z } from "zod";
import { clientConfigs } from "../../../services/client-configs.js";
import type { AppEnv } from "../../deps.js";
import type { AdminRouteDeps } from "./deps.js";
import { parseBody } from "../../request-parse.js";

const body = z.strictObject({ fqdn: z.string().max(253), token: z.string().max(256) });

export function registerClientRoutes(
  admin: Hono<AppEnv>,
  deps: AdminRouteDeps,
  origin: (c: Context<AppEnv>) => string,
): void {
  admin.post("/clients", async (c) => {
    const { fqdn, token } = await parseBody(c, body, deps.maxBodyBytes);
    return c.json({ clients: clientConfigs({ serverUrl: origin(c), fqdn, token }) });
  });
}
