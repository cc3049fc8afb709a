// Notifier "exec": runs a program per event (no shell). Event values travel ONLY in environment
// variables (BEACON_EVENT, BEACON_FQDN, …), never in argv, so no value can inject arguments or
// shell syntax; a hook that wants a shell runs `sh -c '… "$BEACON_FQDN" …'` and quotes them itself.

import { z } from "zod";
import { AGENT_EVENT_KINDS, eventFields, onSetting } from "./fields.js";
import type { AgentEvent, AgentEventKind, NotifierDefinition } from "./types.js";

export interface ExecSettings {
  /** argv: the program and its fixed arguments. */
  readonly command: readonly string[];
  readonly on?: readonly AgentEventKind[] | undefined;
}

const settings: z.ZodType<ExecSettings> = z.strictObject({
  command: z
    .array(z.string().min(1, { error: "an argument cannot be empty" }), {
      error: 'expected a list: the program and its arguments, e.g. ["/usr/local/bin/hook", "--quiet"]',
    })
    .min(1, { error: "name the program to run" }),
  on: onSetting,
});

/** The environment a hook sees for `event` (in addition to the agent's own). */
export function eventEnv(event: AgentEvent): Record<string, string> {
  const f = eventFields(event);
  return {
    BEACON_EVENT: f.kind,
    BEACON_FQDN: f.fqdn,
    BEACON_TYPE: f.type,
    BEACON_OLD: f.old,
    BEACON_NEW: f.new,
    BEACON_STATUS: f.status,
    BEACON_DETAIL: f.detail,
    BEACON_TARGET: f.target,
    BEACON_AT: f.at,
  };
}

export const execNotifier: NotifierDefinition<ExecSettings> = {
  type: "exec",
  description: "Runs a program per event; values in BEACON_* environment variables",
  settings,
  runsProgram: true,
  create(id, s, deps) {
    const program = s.command[0] ?? "";
    return {
      id,
      kinds: s.on ?? AGENT_EVENT_KINDS,
      async notify(event, signal) {
        if (signal.aborted) return { ok: false, detail: `${program}: not run, aborted` };
        try {
          const r = await deps.runCommand(s.command, { env: eventEnv(event), signal });
          if (r.code === 0) return { ok: true };
          const err = r.stderr.trim().split("\n", 1)[0]?.slice(0, 200) ?? "";
          return {
            ok: false,
            detail: `${program} exited with code ${r.code}${err === "" ? "" : `: ${err}`}`,
          };
        } catch (e) {
          const why = signal.aborted ? "timed out" : e instanceof Error ? e.message : "failed to start";
          return { ok: false, detail: `${program}: ${why}` };
        }
      },
    };
  },
};
