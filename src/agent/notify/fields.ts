// An AgentEvent as flat named text fields: what webhook templates ({{fqdn}}) and exec hooks
// (BEACON_FQDN) see. One mapping, so the two notifiers never disagree about a value.

import { z } from "zod";
import type { AgentEvent, AgentEventKind } from "./types.js";

export const EVENT_FIELDS = [
  "fqdn",
  "type",
  "old",
  "new",
  "status",
  "detail",
  "target",
  "kind",
  "at",
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];
export type EventFields = Readonly<Record<EventField, string>>;

export const AGENT_EVENT_KINDS: readonly AgentEventKind[] = ["change", "failure", "recovered"];

/** The `on` setting: which event kinds a notifier wants (default all). */
export const onSetting = z
  .array(z.enum(["change", "failure", "recovered"], { error: "expected change, failure or recovered" }), {
    error: "expected a list of event kinds (change, failure, recovered)",
  })
  .min(1, { error: "list at least one event kind, or leave `on` out for all" })
  .optional();

/** old/new: values joined with "," ("" when unknown); at: ISO 8601 UTC. NUL characters are dropped. */
export function eventFields(e: AgentEvent): EventFields {
  const clean = (s: string) => s.replaceAll("\u0000", "");
  return {
    fqdn: clean(e.fqdn),
    type: e.type,
    old: clean((e.old ?? []).join(",")),
    new: clean((e.new ?? []).join(",")),
    status: clean(e.status),
    detail: clean(e.detail),
    target: clean(e.target),
    kind: e.kind,
    at: Number.isFinite(e.at) ? new Date(e.at).toISOString() : "",
  };
}

/** Sample fields with every character that needs escaping somewhere: used to check templates at create time. */
export const SAMPLE_FIELDS: EventFields = Object.fromEntries(
  EVENT_FIELDS.map((f) => [f, `${f} "q" \\ \n\t&=?#/%{}<>é`]),
) as EventFields;
