// `{{placeholder}}` templates for user-defined requests (the http callback provider). A template is
// parsed once at load into literal text and placeholders; filling it in is the caller's, because the
// right encoding depends on where the text goes (URL, header, JSON or form body). This file gives the
// pieces that decide it: where each placeholder sits in a JSON text, and a percent-encoder that
// cannot throw. Pure: no I/O, no node:*.

export type TemplatePart =
  { readonly kind: "text"; readonly text: string } | { readonly kind: "placeholder"; readonly name: string };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}/g;

/** Literal text and placeholders in order; a `{{` that is not closed is literal text. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > at) parts.push({ kind: "text", text: template.slice(at, m.index) });
    parts.push({ kind: "placeholder", name: m[1] ?? "" });
    at = m.index + m[0].length;
  }
  if (at < template.length) parts.push({ kind: "text", text: template.slice(at) });
  return parts;
}

/** `template` with each placeholder replaced by `fill(name)` (already encoded by the caller). */
export function fillTemplate(template: string, fill: (placeholder: string) => string): string {
  return parseTemplate(template)
    .map((p) => (p.kind === "text" ? p.text : fill(p.name)))
    .join("");
}

/** Placeholder names used, in order of first use. */
export function placeholdersOf(parts: readonly TemplatePart[]): string[] {
  return [...new Set(parts.flatMap((p) => (p.kind === "placeholder" ? [p.name] : [])))];
}

/**
 * For a JSON template: whether each part sits inside a JSON string literal ("string") or where a JSON
 * value goes ("value"). Follows quotes and backslash escapes of the literal text only: what a
 * placeholder becomes never changes the state (it is encoded for the context it sits in).
 */
export function jsonContexts(parts: readonly TemplatePart[]): ("string" | "value")[] {
  let inString = false;
  let escaped = false;
  return parts.map((p) => {
    const context = inString ? "string" : "value";
    if (p.kind === "text") {
      for (const ch of p.text) {
        if (escaped) escaped = false;
        else if (inString && ch === "\\") escaped = true;
        else if (ch === '"') inString = !inString;
      }
    }
    return context;
  });
}

const utf8 = new TextEncoder();

/**
 * RFC 3986 percent-encoding of UTF-8: everything but unreserved characters is escaped, so a value
 * can never add a path segment, a parameter (`&`, `=`) or a fragment (`#`). Lone surrogates become
 * U+FFFD instead of throwing (encodeURIComponent would throw).
 */
export function percentEncode(value: string): string {
  let out = "";
  for (const b of utf8.encode(value)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
