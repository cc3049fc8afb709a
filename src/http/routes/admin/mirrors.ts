// Mirrors in the admin API (settings shown with secrets redacted, error texts without any secret):
//   GET    /mirrors                  → { mirrors: [status view + { settings }] }
//   POST   /mirrors { id, zone, provider, settings } → 201 { mirror, queued }
//   POST   /mirrors/:id/resync       → 200 { queued }
//   DELETE /mirrors/:id              → 204
//   GET    /providers                → { providers: [{ type, title? }] }
// Settings given here are stored as given; `X_file` references are refused: they name files on the
// server, which the console's user need not be allowed to read (the delivery worker would send their
// content to the provider's URL). File references stay a CLI feature for whoever runs the server.

import type { Context, Hono } from "hono";
import { z } from "zod";
import { BeaconError } from "../../../core/errors.js";
import { MIRROR_ID } from "../../../services/mirror/mirrors.js";
import { mirrorStatusViews, mirrorView, type SchemaOf } from "../../../services/mirror/views.js";
import type { AppEnv } from "../../deps.js";
import type { AdminRouteDeps } from "./deps.js";
import { parseBody } from "../../request-parse.js";

const settingValue = z.union([
  z.string().max(4096),
  z.number(),
  z.boolean(),
  z.array(z.string().max(1024)).max(64),
]);
const createBody = z.strictObject({
  id: z.string().max(63),
  zone: z.string().max(253),
  provider: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: "expected a provider type name" }),
  settings: z
    .record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, { error: "expected a setting name" }), settingValue)
    .refine((s) => Object.keys(s).length <= 64, { error: "at most 64 settings" }),
});

function idParam(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!MIRROR_ID.test(id)) throw new BeaconError("mirror_not_found", `no mirror "${id.slice(0, 64)}"`);
  return id;
}

export function registerMirrorRoutes(admin: Hono<AppEnv>, deps: AdminRouteDeps): void {
  const schemaOf: SchemaOf = (type) => deps.providers.find((p) => p.type === type)?.settings;

  admin.get("/mirrors", async (c) => {
    const [status, targets] = await Promise.all([deps.mirrors.status(), deps.mirrors.list()]);
    return c.json({ mirrors: mirrorStatusViews(status, targets, schemaOf) });
  });

  admin.post("/mirrors", async (c) => {
    const body = await parseBody(c, createBody, deps.maxBodyBytes);
    const fileSetting = Object.keys(body.settings).find((k) => k.endsWith("_file"));
    if (fileSetting !== undefined) {
      throw new BeaconError(
        "bad_request",
        `settings.${fileSetting}: file references are not accepted here; give the value itself, or add the mirror with the CLI`,
      );
    }
    const { mirror, queued } = await deps.mirrors.add(body.id, {
      zone: body.zone,
      provider: body.provider,
      settings: body.settings,
    });
    deps.mirrorsChanged();
    return c.json({ mirror: mirrorView(mirror, schemaOf), queued }, 201);
  });

  admin.post("/mirrors/:id/resync", async (c) => {
    const queued = await deps.mirrors.resync(idParam(c));
    deps.mirrorsChanged();
    return c.json({ queued });
  });

  admin.delete("/mirrors/:id", async (c) => {
    await deps.mirrors.remove(idParam(c));
    deps.mirrorsChanged();
    return c.body(null, 204);
  });

  admin.get("/providers", (c) =>
    c.json({
      providers: deps.providers.map((p) => ({
        type: p.type,
        ...(p.title === undefined ? {} : { title: p.title }),
      })),
    }),
  );
}
