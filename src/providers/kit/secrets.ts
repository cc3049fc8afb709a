// Which provider settings carry secrets. Each provider marks them in its own settings schema with
// secret(), so the list lives beside the settings and cannot drift from them; everything that shows
// settings or text about a provider (mirror views, errors, logs) finds the secrets from the marks:
// - "value": the whole setting is a secret (a token, a password, a key);
// - "url": a URL (or URL template) whose query values and userinfo are secrets — `?apikey=…`;
// - "headers": a mapping of HTTP headers whose every value is a secret — `Authorization: …`.
// Settings inside a nested object (the http provider's `delete` request) are marked the same way.
// `X_file` references are paths, not secrets (they are not in the schema); the value read from the
// file is, and is found here once resolved into the settings.

import { z } from "zod";

export type SecretKind = "value" | "url" | "headers";

const marks = z.registry<{ readonly secret: SecretKind }>();

/** Marks `schema` (a setting of a provider's settings object) as carrying secrets; returns it. */
export function secret<T extends z.ZodType>(schema: T, kind: SecretKind = "value"): T {
  marks.add(schema, { secret: kind });
  return schema;
}

/** Shown instead of a secret setting's value. */
export const REDACTED = "<redacted>";

/** A setting, looking through optional/default/pipe wrappers: marked, an object of settings, or neither. */
type Field =
  { readonly kind: SecretKind } | { readonly kind: "object"; readonly fields: ReadonlyMap<string, Field> };

function fieldOf(schema: z.ZodType): Field | undefined {
  let s: unknown = schema;
  for (let depth = 0; depth < 8 && s instanceof z.ZodType; depth++) {
    const mark = marks.get(s);
    if (mark !== undefined) return { kind: mark.secret };
    if (s instanceof z.ZodObject) {
      const fields = new Map<string, Field>();
      for (const [key, inner] of Object.entries<z.ZodType>(s.shape)) {
        const f = fieldOf(inner);
        if (f !== undefined && (f.kind !== "object" || f.fields.size > 0)) fields.set(key, f);
      }
      return { kind: "object", fields };
    }
    if (s instanceof z.ZodPipe) s = s.def.in;
    else if (
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable
    )
      s = s.def.innerType;
    else return undefined;
  }
  return undefined;
}

/** The settings of `schema` that carry secrets, by name; empty when it marks none. */
function fieldsOf(schema: z.ZodType): ReadonlyMap<string, Field> {
  const top = fieldOf(schema);
  return top?.kind === "object" ? top.fields : new Map();
}

/** True when the schema marks at least one setting (every provider with credentials must). */
export function marksSecrets(schema: z.ZodType): boolean {
  return fieldsOf(schema).size > 0;
}

/**
 * Every secret value in `settings` (raw as stored, or resolved: `X_file` already read), by the marks
 * of `schema`. Never throws for odd values (a stored setting of the wrong type is simply skipped).
 */
export function secretValues(schema: z.ZodType, settings: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  const walk = (fields: ReadonlyMap<string, Field>, values: Readonly<Record<string, unknown>>) => {
    for (const [key, field] of fields) {
      const v = Object.hasOwn(values, key) ? values[key] : undefined;
      if (field.kind !== "object") out.push(...valuesOf(field.kind, v));
      else if (isRecord(v)) walk(field.fields, v);
    }
  };
  walk(fieldsOf(schema), settings);
  return out;
}

/**
 * `settings` for display: a secret value as REDACTED, a URL with its secret parts cut out by
 * `redactText`, every header value as REDACTED. Unknown provider (`schema` undefined): every value
 * but `X_file` paths is redacted, since nothing says which are safe.
 */
export function displaySettings(
  schema: z.ZodType | undefined,
  settings: Readonly<Record<string, unknown>>,
  redactText: (text: string) => string,
): Record<string, unknown> {
  const shown = (field: Field | undefined, v: unknown): unknown => {
    if (field === undefined) return v;
    if (field.kind === "object") return isRecord(v) ? show(field.fields, v) : v;
    if (field.kind === "url" && typeof v === "string") return redactText(v);
    if (field.kind === "headers" && isRecord(v))
      return Object.fromEntries(Object.keys(v).map((h) => [h, REDACTED]));
    return REDACTED;
  };
  const show = (fields: ReadonlyMap<string, Field>, values: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(values).map(([key, v]) => [key, shown(fields.get(key), v)]));
  if (schema !== undefined) return show(fieldsOf(schema), settings);
  return Object.fromEntries(
    Object.entries(settings).map(([key, v]) => [key, key.endsWith("_file") ? v : REDACTED]),
  );
}

function valuesOf(kind: SecretKind, v: unknown): string[] {
  if (kind === "value") return typeof v === "string" ? [v] : [];
  if (kind === "headers") return isRecord(v) ? Object.values(v).filter((h) => typeof h === "string") : [];
  return typeof v === "string" ? urlSecrets(v) : [];
}

/**
 * The secret parts of a URL or URL template (read as text: a template need not parse as a URL):
 * userinfo (whole and its password) and every query value, raw and percent-decoded.
 */
export function urlSecrets(url: string): string[] {
  const out: string[] = [];
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(url)?.[1];
  if (userinfo !== undefined) {
    out.push(userinfo);
    const colon = userinfo.indexOf(":");
    if (colon >= 0) out.push(userinfo.slice(colon + 1));
  }
  const q = url.indexOf("?");
  if (q >= 0) {
    for (const pair of (url.slice(q + 1).split("#")[0] ?? "").split("&")) {
      const eq = pair.indexOf("=");
      const value = eq < 0 ? "" : pair.slice(eq + 1);
      out.push(value, decoded(value));
    }
  }
  // A template's placeholders are filled per request; only its literal text can be a secret.
  return out.flatMap((v) => v.split(/\{\{[^}]*\}\}/)).filter((v) => v !== "");
}

function decoded(v: string): string {
  try {
    return decodeURIComponent(v.replaceAll("+", " "));
  } catch {
    return v;
  }
}

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
