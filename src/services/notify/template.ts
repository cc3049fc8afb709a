// Webhook body templates (docs/webhooks.md "Templates"): a string with {{field}} placeholders, for
// receivers that want their own shape (Slack, Discord, ntfy).
// The rule: a template whose first non-blank character is `[`, or a `{` that does not open a
// placeholder, is JSON. It is sent as
// application/json and each value is inserted JSON-string-escaped (without quotes), so placeholders
// belong inside JSON strings ("text": "{{host}} is now {{new}}") and no value can break out of one.
// Any other template is text, sent as text/plain; charset=utf-8, values inserted as they are.
// Lists are joined with ", "; a field the event does not have is empty.
// Promises: checkTemplate refuses (invalid_webhook) an unknown placeholder, and a JSON template that
// does not render to valid JSON, at creation time; renderTemplate never throws on a checked template.

import { BeaconError } from "../../core/errors.js";
import { EVENT_FIELDS } from "./events.js";

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;
/** Any {{…}} at all, to catch a malformed placeholder the pattern above would leave in the text. */
const BRACES = /\{\{(.*?)\}\}/g;
export const MAX_TEMPLATE_BYTES = 16 * 1024;

export interface Rendered {
  readonly body: string;
  readonly contentType: string;
}

const isJson = (template: string): boolean => /^\s*(\[|\{(?!\{))/.test(template);

function text(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.map(text).join(", ");
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function renderTemplate(template: string, fields: Readonly<Record<string, unknown>>): Rendered {
  const json = isJson(template);
  const body = template.replace(PLACEHOLDER, (_, name: string) => {
    const v = text(fields[name]);
    return json ? JSON.stringify(v).slice(1, -1) : v;
  });
  return { body, contentType: json ? "application/json" : "text/plain; charset=utf-8" };
}

/** Throws invalid_webhook unless the template is usable (see the rule above). */
export function checkTemplate(template: string): void {
  if (new TextEncoder().encode(template).length > MAX_TEMPLATE_BYTES)
    throw new BeaconError("invalid_webhook", `the template is larger than ${MAX_TEMPLATE_BYTES} bytes`);
  const known = new Set<string>(EVENT_FIELDS);
  for (const [, inner] of template.matchAll(BRACES)) {
    const name = (inner ?? "").trim();
    if (!known.has(name))
      throw new BeaconError(
        "invalid_webhook",
        `the template names an unknown field {{${name}}} (known: ${EVENT_FIELDS.join(", ")})`,
      );
  }
  if (!isJson(template)) return;
  const sample = Object.fromEntries(EVENT_FIELDS.map((f) => [f, 'a "quoted" \\ value\n']));
  try {
    JSON.parse(renderTemplate(template, sample).body);
  } catch {
    throw new BeaconError(
      "invalid_webhook",
      "the template starts like JSON but does not render to valid JSON (placeholders go inside JSON strings)",
    );
  }
}
