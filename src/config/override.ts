// A value for one setting given outside the file (environment or flag), coerced from text by the
// setting's kind. Coercion is lenient about form only; range and type checks stay in the schema so
// every source gets the same messages.

import type { ConfigIssue, ConfigSource } from "./errors.js";
import type { Setting } from "./table.js";

export interface Override {
  readonly setting: Setting;
  readonly value: unknown;
  readonly source: ConfigSource;
}

export interface Overrides {
  readonly overrides: readonly Override[];
  readonly issues: readonly ConfigIssue[];
}

const TRUE = new Set(["true", "1", "yes"]);
const FALSE = new Set(["false", "0", "no"]);

/**
 * Strings become the setting's kind: lists split on commas (blanks dropped, so "" is the empty
 * list), integers from decimal digits, booleans from true/false/1/0/yes/no (any case). Text that is
 * not a valid integer is passed through for the schema to reject. Non-strings pass through unchanged.
 */
export function coerce(
  setting: Setting,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; error: string } {
  if (Array.isArray(value) && setting.kind === "list") {
    const items: unknown[] = value;
    return { ok: true, value: items.flatMap((v) => (typeof v === "string" ? splitList(v) : [v])) };
  }
  if (typeof value !== "string") return { ok: true, value };
  switch (setting.kind) {
    case "list":
      return { ok: true, value: splitList(value) };
    case "integer": {
      const t = value.trim();
      return { ok: true, value: /^[+-]?\d{1,16}$/.test(t) ? Number(t) : value };
    }
    case "boolean": {
      const t = value.trim().toLowerCase();
      if (TRUE.has(t)) return { ok: true, value: true };
      if (FALSE.has(t)) return { ok: true, value: false };
      return { ok: false, error: `${JSON.stringify(value)} is not a boolean (use true/false/1/0/yes/no)` };
    }
    case "string":
      return { ok: true, value };
  }
}

/** "a, b,,c" → ["a", "b", "c"]; "" → []. */
export function splitList(s: string): string[] {
  return s
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}
