// `{{name}}` templates for webhooks. A template is compiled once (at create time), so an unknown or
// unclosed placeholder is a settings error, never a surprise at send time. Each value is escaped
// for where it lands (JSON string, URL component, raw text) by the escape function given.

import { EVENT_FIELDS, type EventField, type EventFields } from "./fields.js";

export type Escape = (value: string) => string;

export interface Template {
  render(fields: EventFields): string;
}

export type CompileResult =
  { readonly ok: true; readonly template: Template } | { readonly ok: false; readonly message: string };

/** Inside a JSON string literal: the JSON escape without the surrounding quotes. */
export const jsonEscape: Escape = (v) => JSON.stringify(v).slice(1, -1);
export const urlEscape: Escape = (v) => encodeURIComponent(v);
export const rawEscape: Escape = (v) => v;

function isField(name: string): name is EventField {
  return (EVENT_FIELDS as readonly string[]).includes(name);
}

export function compileTemplate(source: string, escape: Escape): CompileResult {
  // literals[k] comes before names[k]; literals has one more element than names.
  const literals: string[] = [];
  const names: EventField[] = [];
  let i = 0;
  for (let guard = 0; guard <= source.length; guard++) {
    const open = source.indexOf("{{", i);
    if (open < 0) break;
    const close = source.indexOf("}}", open + 2);
    if (close < 0) return { ok: false, message: `unclosed placeholder at offset ${open}: add "}}"` };
    const name = source.slice(open + 2, close).trim();
    if (!isField(name))
      return {
        ok: false,
        message: `unknown placeholder {{${name.slice(0, 40)}}} (known: ${EVENT_FIELDS.map((f) => `{{${f}}}`).join(" ")})`,
      };
    literals.push(source.slice(i, open));
    names.push(name);
    i = close + 2;
  }
  literals.push(source.slice(i));
  return {
    ok: true,
    template: {
      render: (values) =>
        names.reduce(
          (out, name, k) => out + escape(values[name]) + (literals[k + 1] ?? ""),
          literals[0] ?? "",
        ),
    },
  };
}
