// Filling in the http callback provider's request templates (see http-callback.ts). Each placeholder
// is encoded for where it sits: percent-encoded in the URL and in form bodies, JSON-escaped inside a
// JSON string and a JSON literal outside one, raw in headers — where a value that would carry a
// control character (CR/LF: a new header) or a character beyond Latin-1 is refused, not sent.

import { BeaconError } from "../../core/errors.js";
import type { VendorRequest } from "../kit/http.js";
import { fillTemplate, jsonContexts, parseTemplate, percentEncode, placeholdersOf } from "../kit/template.js";
import type { ProviderRecordType } from "../types.js";

/** Every placeholder, with what it becomes (docs/providers/http.md). */
export const CALLBACK_PLACEHOLDERS = {
  name: "the record's name (fqdn, no trailing dot)",
  zone: "the `zone` setting",
  type: "A, AAAA or TXT",
  value: "the first value",
  values: "every value, comma-joined",
  values_json: "every value as a JSON array",
  ttl: "the record's TTL (empty, or null in JSON, when it has none)",
  secret: "the `secret` setting (headers and body only)",
} as const;
export type Placeholder = keyof typeof CALLBACK_PLACEHOLDERS;
export const isPlaceholder = (n: string): n is Placeholder => Object.hasOwn(CALLBACK_PLACEHOLDERS, n);

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

export interface CallbackRequestSettings {
  readonly url: string;
  readonly method: Method;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  /** Default application/json when there is a body. */
  readonly content_type?: string | undefined;
}

export interface HttpCallbackSettings extends CallbackRequestSettings {
  /** The request for delete; absent: delete is unsupported. Top-level headers apply to it too. */
  readonly delete?: CallbackRequestSettings | undefined;
  /** Statuses that mean success (default: any 2xx). */
  readonly success?: readonly number[] | undefined;
  /** Names outside this zone are refused (provider_zone_not_found); fills {{zone}}. */
  readonly zone?: string | undefined;
  /** Fills {{secret}} (give it as secret_file to keep it out of the config). */
  readonly secret?: string | undefined;
}

/** What node:http accepts in a header value: tab, printable ASCII, Latin-1 (never CR, LF, NUL). */
export const BAD_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

export interface Fill {
  readonly name: string;
  readonly type: ProviderRecordType;
  readonly values: readonly string[];
  readonly ttl: number | undefined;
}

/** The request for `fill`. Rejects (provider_unsupported) a value that cannot go into a header. */
export function render(
  r: CallbackRequestSettings,
  s: HttpCallbackSettings,
  fill: Fill,
  vendor: string,
): VendorRequest {
  const text = (p: string): string => textOf(p, s, fill);
  const url = fillTemplate(r.url, (p) => percentEncode(text(p)));
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(r.headers)) {
    const value = fillTemplate(template, text);
    if (BAD_HEADER_CHAR.test(value))
      throw new BeaconError(
        "provider_unsupported",
        `${vendor}: header ${name} would carry a control character or a character beyond Latin-1 (from a placeholder); refusing to send`,
      );
    headers[name.toLowerCase()] = value;
  }
  if (r.body === undefined) return { method: r.method, url, headers };
  const contentType = r.content_type ?? "application/json";
  headers["content-type"] = contentType;
  return { method: r.method, url, headers, body: fillBody(r.body, contentType, s, fill) };
}

export function fillBody(template: string, contentType: string, s: HttpCallbackSettings, fill: Fill): string {
  const kind = bodyKind(contentType);
  if (kind === "form") return fillTemplate(template, (p) => percentEncode(textOf(p, s, fill)));
  if (kind === "raw") return fillTemplate(template, (p) => textOf(p, s, fill));
  const parts = parseTemplate(template);
  const contexts = jsonContexts(parts);
  return parts
    .map((part, i) => {
      if (part.kind === "text") return part.text;
      if (contexts[i] === "string") return JSON.stringify(textOf(part.name, s, fill)).slice(1, -1);
      if (part.name === "values_json") return JSON.stringify(fill.values);
      if (part.name === "ttl") return fill.ttl === undefined ? "null" : String(fill.ttl);
      return JSON.stringify(textOf(part.name, s, fill));
    })
    .join("");
}

export function bodyKind(contentType: string): "json" | "form" | "raw" {
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (type === "application/json" || /^application\/[\w.-]+\+json$/.test(type)) return "json";
  return type === "application/x-www-form-urlencoded" ? "form" : "raw";
}

/** The plain text of a placeholder (names were checked at load; an unknown one is empty). */
export function textOf(p: string, s: HttpCallbackSettings, f: Fill): string {
  switch (p as Placeholder) {
    case "name":
      return f.name;
    case "zone":
      return s.zone ?? "";
    case "type":
      return f.type;
    case "value":
      return f.values[0] ?? "";
    case "values":
      return f.values.join(",");
    case "values_json":
      return JSON.stringify(f.values);
    case "ttl":
      return f.ttl === undefined ? "" : String(f.ttl);
    case "secret":
      return s.secret ?? "";
  }
  return "";
}

export function requestPlaceholders(r: CallbackRequestSettings): string[] {
  const templates = [r.url, ...Object.values(r.headers), r.body ?? ""];
  return placeholdersOf(templates.flatMap(parseTemplate));
}
