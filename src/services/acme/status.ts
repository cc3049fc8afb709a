// What `beacon acme status` shows (and the console could): the configured names and the stored state,
// with the renewal time the server would use. Never a key: only names, dates and the last error.

import type { AcmeSettings } from "../../config/server-config.js";
import type { AcmeState } from "../../store/acme.js";
import { renewalAt } from "./schedule.js";

export interface AcmeStatusView {
  readonly enabled: boolean;
  readonly directoryUrl: string;
  readonly names: readonly string[];
  /** The stored certificate, or null (none yet, or none for these names: the server orders one). */
  readonly certificate: {
    readonly names: readonly string[];
    readonly notBefore: string;
    readonly notAfter: string;
    readonly issuedAt: string;
    /** When the server renews it (acme.renew_before, or a third of its lifetime left). */
    readonly renewalAt: string;
    /** Whether it is for exactly the configured names. */
    readonly matchesNames: boolean;
  } | null;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly failures: number;
  /** No order before this (backoff after failures). */
  readonly nextAttemptAt: string | null;
}

export function acmeStatusView(settings: AcmeSettings, state: AcmeState | undefined): AcmeStatusView {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const c = state?.certificate;
  const wanted = new Set(settings.names);
  return {
    enabled: settings.enabled,
    directoryUrl: settings.directoryUrl,
    names: settings.names,
    certificate:
      c === undefined
        ? null
        : {
            names: c.names,
            notBefore: new Date(c.notBefore).toISOString(),
            notAfter: new Date(c.notAfter).toISOString(),
            issuedAt: new Date(c.issuedAt).toISOString(),
            renewalAt: new Date(renewalAt(c, settings.renewBeforeMs)).toISOString(),
            matchesNames: c.names.length === wanted.size && c.names.every((n) => wanted.has(n)),
          },
    lastAttemptAt: iso(state?.lastAttemptAt),
    lastError: state?.lastError ?? null,
    failures: state?.failures ?? 0,
    nextAttemptAt: iso(state?.nextAttemptAt),
  };
}
