// Notifier "webhook": an HTTP request per event. The URL and the body are `{{field}}` templates
// (fields.ts); values are URL-encoded in the URL and escaped for the body's content type (JSON
// string escapes for JSON, URL-encoding for forms, raw for anything else). Without a body template
// the body is a JSON object of every field. Headers are static (they often carry a secret).
// Failure details name the host only: webhook URLs often carry a secret in their path.

import { z } from "zod";
import { BeaconError } from "../../core/errors.js";
import { AGENT_EVENT_KINDS, eventFields, onSetting, SAMPLE_FIELDS, type EventFields } from "./fields.js";
import { compileTemplate, jsonEscape, rawEscape, urlEscape, type Template } from "./template.js";
import type { AgentEvent, AgentEventKind, Notifier, NotifierDefinition, NotifierDeps } from "./types.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export interface WebhookSettings {
  /** URL template, e.g. "https://hooks.example/ddns?host={{fqdn}}". */
  readonly url: string;
  readonly method: (typeof METHODS)[number];
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Body template; default: a JSON object of every field. Not allowed with GET. */
  readonly body?: string | undefined;
  readonly on?: readonly AgentEventKind[] | undefined;
}

interface Plan {
  readonly url: Template;
  readonly method: WebhookSettings["method"];
  readonly headers: Readonly<Record<string, string>>;
  /** undefined: no body (GET). */
  readonly body: ((fields: EventFields, event: AgentEvent) => string) | undefined;
}

type PlanResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly path: string[]; readonly message: string };

/** Checks and compiles the settings; the schema and create() share it, so they cannot disagree. */
function planWebhook(s: WebhookSettings): PlanResult {
  const fail = (path: string[], message: string): PlanResult => ({ ok: false, path, message });
  const url = compileTemplate(s.url, urlEscape);
  if (!url.ok) return fail(["url"], url.message);
  try {
    const sample = new URL(url.template.render(SAMPLE_FIELDS));
    if (sample.protocol !== "http:" && sample.protocol !== "https:")
      return fail(["url"], "expected an http:// or https:// URL");
  } catch {
    return fail(["url"], `${JSON.stringify(s.url)} is not a URL once its placeholders are filled`);
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(s.headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(name))
      return fail(["headers", name], "not a valid header name");
    if (/[\r\n]/.test(value) || value.includes("\u0000"))
      return fail(["headers", name], "a header value cannot contain line breaks");
    headers[name.toLowerCase()] = value;
  }

  if (s.method === "GET") {
    if (s.body !== undefined)
      return fail(["body"], "a GET webhook has no body: use POST, or put fields in the URL");
    return { ok: true, plan: { url: url.template, method: s.method, headers, body: undefined } };
  }
  if (s.body === undefined) {
    headers["content-type"] ??= "application/json";
    return {
      ok: true,
      plan: { url: url.template, method: s.method, headers, body: (_f, e) => defaultBody(e) },
    };
  }
  const guessed = /^\s*(\[|\{(?!\{))/.test(s.body) ? "application/json" : "text/plain; charset=utf-8";
  const type = (headers["content-type"] ??= guessed).toLowerCase();
  const isJson = /[/+]json\b/.test(type);
  const escape = isJson
    ? jsonEscape
    : type.startsWith("application/x-www-form-urlencoded")
      ? urlEscape
      : rawEscape;
  const body = compileTemplate(s.body, escape);
  if (!body.ok) return fail(["body"], body.message);
  if (isJson) {
    try {
      JSON.parse(body.template.render(SAMPLE_FIELDS));
    } catch {
      return fail(
        ["body"],
        'the body is not valid JSON once filled in (put placeholders inside quotes: "{{fqdn}}")',
      );
    }
  }
  const template = body.template;
  return {
    ok: true,
    plan: { url: url.template, method: s.method, headers, body: (f) => template.render(f) },
  };
}

/** Every field; old/new as arrays (null when unknown), at as ISO 8601. */
function defaultBody(e: AgentEvent): string {
  const f = eventFields(e);
  return JSON.stringify({ ...f, old: e.old ?? null, new: e.new ?? null });
}

const settings: z.ZodType<WebhookSettings> = z
  .strictObject({
    url: z.string({ error: "expected a URL template" }).min(1, { error: "expected a URL template" }),
    method: z.enum(METHODS, { error: `expected one of ${METHODS.join(", ")}` }).default("POST"),
    headers: z.record(z.string(), z.string({ error: "expected a string header value" })).optional(),
    body: z.string({ error: "expected a body template string" }).optional(),
    on: onSetting,
  })
  .superRefine((s, ctx) => {
    const r = planWebhook(s);
    if (!r.ok) ctx.addIssue({ code: "custom", path: r.path, message: r.message });
  });

export const webhookNotifier: NotifierDefinition<WebhookSettings> = {
  type: "webhook",
  description: "An HTTP request per event, with {{field}} templates in the URL and body",
  settings,
  create(id, s, deps) {
    const r = planWebhook(s);
    if (!r.ok) throw new BeaconError("config_invalid", `notifier ${id}: ${r.path.join(".")}: ${r.message}`);
    return createWebhook(id, r.plan, s.on ?? AGENT_EVENT_KINDS, deps);
  },
};

function createWebhook(
  id: string,
  plan: Plan,
  kinds: readonly AgentEventKind[],
  deps: NotifierDeps,
): Notifier {
  return {
    id,
    kinds,
    async notify(event, signal) {
      let host = "the webhook";
      let secretParts: string[] = [];
      try {
        const fields = eventFields(event);
        const url = plan.url.render(fields);
        const parsed = new URL(url);
        host = parsed.host;
        secretParts = [parsed.pathname, parsed.search].filter((p) => p.length > 1);
        const body = plan.body?.(fields, event);
        const reply = await deps.httpRequest(url, {
          method: plan.method,
          headers: { "user-agent": deps.userAgent, ...plan.headers },
          ...(body === undefined ? {} : { body }),
          signal,
          maxBytes: 1_048_576,
        });
        if (reply.status >= 200 && reply.status < 300) return { ok: true };
        return { ok: false, detail: `${host} answered HTTP ${reply.status}` };
      } catch (e) {
        if (signal.aborted) return { ok: false, detail: `request to ${host} timed out` };
        const why = secretParts.reduce((m, p) => m.split(p).join("/…"), e instanceof Error ? e.message : "");
        return { ok: false, detail: `request to ${host} failed${why === "" ? "" : `: ${why}`}` };
      }
    },
  };
}
