// GET /api/v1/mirrors: the delivery state of the zone mirrors the token may see. A mirror carries a
// whole zone, so a token sees it only when it covers the whole zone (a subtree scope at the zone or
// above); a token for some names of a zone learns nothing about the zone's mirrors. The last error is
// its code and generic title: the vendor's words may quote what the provider sent, and are for admins.

import type { Hono } from "hono";
import { isAtOrBelow } from "../../../core/names.js";
import { mirrorStatusView } from "../../../services/mirror/views.js";
import type { TokenRecord } from "../../../store/types.js";
import type { MirrorStore } from "../../../store/ports.js";
import type { AppEnv } from "../../deps.js";
import { tokenOf } from "./auth.js";

export function tokenCoversZone(token: Pick<TokenRecord, "names">, zone: string): boolean {
  return token.names.some((s) => s.subtree && isAtOrBelow(zone, s.name));
}

export function registerMirrorRoutes(
  v1: Hono<AppEnv>,
  deps: { readonly store: Pick<MirrorStore, "mirrorStatus"> },
): void {
  v1.get("/mirrors", async (c) => {
    const token = tokenOf(c);
    const visible = (await deps.store.mirrorStatus()).filter((m) => tokenCoversZone(token, m.zone));
    return c.json({ mirrors: visible.map((m) => mirrorStatusView(m)) });
  });
}
