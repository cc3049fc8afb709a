// TSIG keys in the admin API (the secret is in the create answer only, never listed):
//   GET    /keys                     → { keys: [key view] }
//   POST   /keys { name, algorithm?, names, types?, allowedCidrs? }
//                                    → 201 { key, secret, nsupdate }
//   DELETE /keys/:name               → 204
// After a change the DNS server's keyring is reloaded (deps.keysChanged) before the answer, so an
// UPDATE signed with a new key works as soon as the admin has the secret.

import type { Context, Hono } from "hono";
import { z } from "zod";
import { RECORD_TYPES } from "../../../core/records.js";
import type { TsigKeyRecord } from "../../../store/types.js";
import type { NameScope } from "../../../core/zones.js";
import type { AppEnv } from "../../deps.js";
import type { AdminRouteDeps } from "./deps.js";
import { parseBody } from "../../request-parse.js";
import { canonicalCidrs, canonicalScopes, cidrsSchema, scopesSchema, typesSchema } from "./scopes.js";
import { keyView } from "./views.js";

const createBody = z.strictObject({
  name: z.string().max(253),
  algorithm: z.string().max(32).optional(),
  names: scopesSchema,
  types: typesSchema.optional(),
  allowedCidrs: cidrsSchema.optional(),
});

export function registerKeyRoutes(
  admin: Hono<AppEnv>,
  deps: AdminRouteDeps,
  origin: (c: Context<AppEnv>) => string,
): void {
  admin.get("/keys", async (c) => c.json({ keys: (await deps.keys.list()).map(keyView) }));

  admin.post("/keys", async (c) => {
    const body = await parseBody(c, createBody, deps.maxBodyBytes);
    const key = await deps.keys.add({
      name: body.name,
      ...(body.algorithm === undefined ? {} : { algorithm: body.algorithm }),
      names: canonicalScopes(body.names),
      types: body.types ?? [...RECORD_TYPES],
      allowedCidrs: canonicalCidrs(body.allowedCidrs),
    });
    await deps.keysChanged();
    return c.json(
      { key: keyView(key), secret: key.secret, nsupdate: nsupdateText(key, serverHost(origin(c))) },
      201,
    );
  });

  admin.delete("/keys/:name", async (c) => {
    await deps.keys.remove(c.req.param("name"));
    await deps.keysChanged();
    return c.body(null, 204);
  });
}

/** The host part of the base URL, or a placeholder when it cannot be read. */
function serverHost(base: string): string {
  try {
    const host = new URL(base).hostname;
    return /^[A-Za-z0-9.:[\]-]{1,253}$/.test(host) ? host.replace(/^\[|\]$/g, "") : "<server>";
  } catch {
    return "<server>";
  }
}

/** A BIND key file (for nsupdate -k) and an example session changing a name the key covers. */
export function nsupdateText(key: TsigKeyRecord, server: string): string {
  const example = exampleName(key.names);
  const type = key.types.includes("A") ? "A" : key.types.includes("AAAA") ? "AAAA" : "TXT";
  const value = type === "A" ? "192.0.2.1" : type === "AAAA" ? "2001:db8::1" : '"hello"';
  return [
    `# Save as ${key.name}.key (readable only by you):`,
    `key "${key.name}" {`,
    `\talgorithm ${key.algorithm};`,
    `\tsecret "${key.secret}";`,
    "};",
    "",
    "# Then (the port is the server's dns.listen port, 53 by default):",
    `nsupdate -k ${key.name}.key <<'EOF'`,
    `server ${server} 53`,
    `update delete ${example}. ${type}`,
    `update add ${example}. 60 ${type} ${value}`,
    "send",
    "EOF",
    "",
  ].join("\n");
}

function exampleName(names: readonly NameScope[]): string {
  const first = names[0];
  if (first === undefined) return "host.example.com";
  return first.subtree ? `host.${first.name}` : first.name;
}
