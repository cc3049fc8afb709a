// Notifications: what the agent tells people when a record changes or fails. Webhook and exec hook
// today; each is one file plus a registry line.
//
// Contract: notify() never throws and never hangs past its signal; delivery failures are logged by
// the caller from the returned result and never affect updates.

import type { z } from "zod";
import type { Clock } from "../../core/clock.js";
import type { RunCommand } from "../system/types.js";
import type { HttpRequest } from "../../net/http.js";

export type AgentEventKind = "change" | "failure" | "recovered";

export interface AgentEvent {
  readonly kind: AgentEventKind;
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  /** Values published before (undefined: unknown / first run). */
  readonly old: readonly string[] | undefined;
  /** Values now published, or that failed to publish. */
  readonly new: readonly string[] | undefined;
  /** PublishResult status or verdict status ("updated", "fatal", "backoff", "retry", "disagreed", …). */
  readonly status: string;
  readonly detail: string;
  readonly target: string;
  readonly at: number;
}

export type NotifyResult = { readonly ok: true } | { readonly ok: false; readonly detail: string };

export interface Notifier {
  readonly id: string;
  /** Which kinds this notifier wants (from its settings, default all). */
  readonly kinds: readonly AgentEventKind[];
  notify(event: AgentEvent, signal: AbortSignal): Promise<NotifyResult>;
}

export interface NotifierDeps {
  readonly httpRequest: HttpRequest;
  readonly runCommand: RunCommand;
  readonly clock: Clock;
  readonly userAgent: string;
}

export interface NotifierDefinition<S = unknown> {
  readonly type: string;
  readonly description: string;
  readonly settings: z.ZodType<S>;
  /**
   * True when notifying starts a program. A check of an unsaved configuration never notifies anyway;
   * such a notifier is also replaced there by a stand-in (src/agent/ui/check-assembly.ts).
   */
  readonly runsProgram?: boolean;
  create(id: string, settings: S, deps: NotifierDeps): Notifier;
}
