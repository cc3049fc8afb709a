// JSON shapes of mirrors for the CLI (--json) and the API (docs/api.md), one place for both. Times
// are ISO 8601 strings, absent values null. Settings are shown with secrets redacted.

import type { MirrorStatus, MirrorTarget } from "../../store/types.js";

export const REDACTED = "<redacted>";

/** A setting that holds a secret: its name mentions token, secret, password or key (an `X_file` path is not one). */
export function isSecretSetting(key: string): boolean {
  return /token|secret|password|key/i.test(key) && !key.endsWith("_file");
}

export function redactSettings(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, isSecretSetting(k) ? REDACTED : v]));
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function mirrorView(m: MirrorTarget) {
  return {
    id: m.id,
    zone: m.zone,
    provider: m.provider,
    settings: redactSettings(m.settings),
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

export function mirrorStatusView(s: MirrorStatus) {
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
            message: s.lastError.message,
            at: new Date(s.lastError.at).toISOString(),
          },
    nextTryAt: iso(s.nextTryAt),
  };
}
