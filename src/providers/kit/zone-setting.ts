// The `zone` / `domain` setting several providers share: a DNS name, canonicalised like every name
// Beacon holds (lowercase, no trailing dot), refused with a message saying what a zone looks like.

import { z } from "zod";
import { normalizeName } from "../../core/names.js";

export const zoneNameSetting = z.string().transform((s, ctx) => {
  try {
    return normalizeName(s);
  } catch {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a zone name (e.g. example.com)` });
    return z.NEVER;
  }
});

/** True when `fqdn` is `zone` or below it (both canonical). */
export function inZone(fqdn: string, zone: string): boolean {
  return fqdn === zone || fqdn.endsWith(`.${zone}`);
}
