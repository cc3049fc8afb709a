// JSON shapes of mirrors for the CLI (--json) and the API (docs/api.md), one place for both. Times
// are ISO 8601 strings, absent values null. No view carries a secret: settings are shown by the marks
// of the provider's schema (providers/kit/secrets.ts), and text is redacted by value with every secret of
// the mirror's settings. The vendor's own words (the last error's message) are for admins only: a
// token holder sees the error's code and the catalogue's generic title.

import type { z } from "zod";
import { ERRORS, type ErrorCode } from "../../core/errors.js";
import { createRedactor, type Redactor } from "../../providers/kit/redactor.js";
import { displaySettings, secretValues } from "../../providers/kit/secrets.js";
import type { MirrorStatus, MirrorTarget } from "../../store/types.js";

/** A provider's settings schema by type; undefined for a type this build does not know. */
export type SchemaOf = (provider: string) => z.ZodType | undefined;

type Settings = Pick<MirrorTarget, "provider" | "settings">;

/**
 * Redacts text about `m` with every secret of its stored settings (an unknown provider: every string
 * setting but `X_file` paths). What the delivery worker records is redacted already, with the values
 * read from `X_file` too; this is the second line, for text recorded by an older version.
 */
export function mirrorRedactor(m: Settings, schemaOf: SchemaOf): Redactor {
  const schema = schemaOf(m.provider);
  const values =
    schema === undefined
      ? Object.entries(m.settings).flatMap(([k, v]) =>
          typeof v === "string" && !k.endsWith("_file") ? [v] : [],
        )
      : secretValues(schema, m.settings);
  return createRedactor(values);
}

/** The settings as shown: secret settings `<redacted>`, URLs without their secret parts. */
export function mirrorSettingsView(m: Settings, schemaOf: SchemaOf): Record<string, unknown> {
  return displaySettings(schemaOf(m.provider), m.settings, mirrorRedactor(m, schemaOf).text);
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function mirrorView(m: MirrorTarget, schemaOf: SchemaOf) {
  return {
    id: m.id,
    zone: m.zone,
    provider: m.provider,
    settings: mirrorSettingsView(m, schemaOf),
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

/** Said to token holders instead of the vendor's words. */
export const GENERIC_FAILURE = "The mirror delivery failed";

/**
 * The delivery state. With `vendorText` (admins: a mirrorRedactor's text), the last error's message
 * is the vendor's words redacted; without (token holders), the catalogue's title of its code.
 */
export function mirrorStatusView(s: MirrorStatus, vendorText?: (text: string) => string) {
  return {
    id: s.id,
    zone: s.zone,
    provider: s.provider,
    pending: s.pending,
    oldestPendingAt: iso(s.oldestPendingAt),
    lastSuccessAt: iso(s.lastSuccessAt),
    delivered: s.delivered,
    skipped: s.skipped,
    attempts: s.attempts,
    lastError:
      s.lastError === undefined
        ? null
        : {
            code: s.lastError.code,
            message:
              vendorText === undefined ? genericMessage(s.lastError.code) : vendorText(s.lastError.message),
            at: new Date(s.lastError.at).toISOString(),
          },
    nextTryAt: iso(s.nextTryAt),
  };
}

function genericMessage(code: string): string {
  return Object.hasOwn(ERRORS, code) ? ERRORS[code as ErrorCode].title : GENERIC_FAILURE;
}

/**
 * The admin view of every mirror's status (GET /api/v1/admin/mirrors, `beacon mirror status --json`):
 * its settings as shown, its error text redacted with its own secrets, and which node holds its
 * delivery lease until when (null: none; a time past: it expired, the next node to look takes it).
 */
export function mirrorStatusViews(
  status: readonly MirrorStatus[],
  targets: readonly MirrorTarget[],
  schemaOf: SchemaOf,
) {
  const byId = new Map(targets.map((t) => [t.id, t]));
  return status.map((s) => {
    // A mirror removed between the two reads is shown with no settings.
    const target = byId.get(s.id) ?? { provider: s.provider, settings: {} };
    return {
      ...mirrorStatusView(s, mirrorRedactor(target, schemaOf).text),
      settings: mirrorSettingsView(target, schemaOf),
      lease: s.lease === undefined ? null : { owner: s.lease.owner, until: iso(s.lease.until) },
    };
  });
}
