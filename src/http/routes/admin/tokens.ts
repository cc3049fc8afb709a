// Tokens in the admin API (the secret is in the create and rotate answers only, never listed):
//   GET  /tokens                      → { tokens: [token view] }
//   POST /tokens { label?, names, types?, allowedCidrs?, expiresInDays? } → 201 { token, secret }
//   POST /tokens/:id/revoke           → 200 { token }
//   POST /tokens/:id/rotate           → 201 { token, secret, replaced }

import type { Context, Hono } from "hono";
import { z } from "zod";
import { BeaconError } from "../../../core/errors.js";
import { RECORD_TYPES } from "../../../core/records.js";
import { isTokenId } from "../../../services/tokens.js";
import type { AppEnv } from "../../deps.js";
import type { TokenStore } from "../../../store/ports.js";
import type { RouteDeps } from "./deps.js";
import { parseBody } from "../../request-parse.js";
import { canonicalCidrs, canonicalScopes, cidrsSchema, scopesSchema, typesSchema } from "./scopes.js";
import { tokenView } from "./views.js";

const DAY_MS = 86_400_000;

const createBody = z.strictObject({
  label: z.string().max(200).optional(),
  names: scopesSchema,
  types: typesSchema.optional(),
  allowedCidrs: cidrsSchema.optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** The :id of the path; token_not_found for anything that cannot be a token id. */
function idParam(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!isTokenId(id)) throw new BeaconError("token_not_found", `no token "${id.slice(0, 64)}"`);
  return id;
}

export function registerTokenRoutes(
  admin: Hono<AppEnv>,
  deps: RouteDeps<Pick<TokenStore, "getToken">>,
): void {
  async function current(id: string) {
    const token = await deps.store.getToken(id);
    if (token === undefined) throw new BeaconError("token_not_found", `no token "${id}"`);
    return tokenView(token, deps.clock());
  }

  admin.get("/tokens", async (c) => {
    const now = deps.clock();
    return c.json({ tokens: (await deps.tokens.list()).map((t) => tokenView(t, now)) });
  });

  admin.post("/tokens", async (c) => {
    const body = await parseBody(c, createBody, deps.maxBodyBytes);
    const names = canonicalScopes(body.names);
    const label =
      body.label?.trim() ||
      names
        .map((n) => (n.subtree ? `${n.name}/*` : n.name))
        .join(", ")
        .slice(0, 200);
    const created = await deps.tokens.create({
      label,
      names,
      types: body.types ?? [...RECORD_TYPES],
      allowedCidrs: canonicalCidrs(body.allowedCidrs),
      ...(body.expiresInDays === undefined ? {} : { expiresAt: deps.clock() + body.expiresInDays * DAY_MS }),
    });
    return c.json({ token: tokenView(created.record, deps.clock()), secret: created.token }, 201);
  });

  admin.post("/tokens/:id/revoke", async (c) => {
    const id = idParam(c);
    await deps.tokens.revoke(id);
    return c.json({ token: await current(id) });
  });

  admin.post("/tokens/:id/rotate", async (c) => {
    const rotated = await deps.tokens.rotate(idParam(c));
    return c.json(
      { token: tokenView(rotated.record, deps.clock()), secret: rotated.token, replaced: rotated.replaced },
      201,
    );
  });
}
