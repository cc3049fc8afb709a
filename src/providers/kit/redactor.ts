// Cutting secret values out of text, by value: a vendor's error body that echoes our request, an HTTP
// client's error that quotes the URL, a stored error message. A secret is found in the forms it
// travels in — raw, percent-encoded (URL and form bodies), JSON-escaped, and base64 at any offset (a
// Basic credential `user:password` holds the password's base64 only at an alignment: the characters
// that depend on the secret alone are cut, at most two bytes' worth at either end stay). Text that was
// clipped ("…") right inside a secret loses the secret's beginning too.
//
// Secrets shorter than MIN_SECRET characters are not looked for: finding "ab" everywhere would cut
// every message to pieces, and no vendor issues credentials that short.

import { Buffer } from "node:buffer";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import { clip, VendorError } from "../errors.js";

/** What a secret becomes in text. */
export const HIDDEN = "[secret]";
export const MIN_SECRET = 4;
/** A base64 form shorter than this would match unrelated text too often. */
const MIN_BASE64_FORM = 8;
const CLIPPED = "…";

export interface Redactor {
  /** `text` with every form of every secret replaced by HIDDEN. */
  readonly text: (text: string) => string;
  /**
   * `e` as a BeaconError whose message and details carry no secret: its code is kept, a VendorError
   * cause is kept redacted, any other cause is dropped (its message or stack may quote a URL);
   * anything but a BeaconError becomes `internal` with its redacted, clipped message.
   */
  readonly error: (e: unknown) => BeaconError;
}

export function createRedactor(secrets: Iterable<string>): Redactor {
  const forms = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET).flatMap(formsOf))].sort(
    (a, b) => b.length - a.length,
  );
  // One pass, longest form first at each position: a replacement is never searched again.
  const pattern = forms.length === 0 ? undefined : new RegExp(forms.map(escapeRegExp).join("|"), "g");
  const text = (input: string): string => {
    if (pattern === undefined) return input;
    const out = input.replace(pattern, HIDDEN);
    return out.includes(CLIPPED) ? cutClippedPrefixes(out, forms) : out;
  };
  const details = (d: Readonly<Record<string, unknown>> | undefined) =>
    d === undefined
      ? undefined
      : Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === "string" ? text(v) : v]));
  return {
    text,
    error: (e) => {
      if (!isBeaconError(e)) return new BeaconError("internal", text(clip(messageOf(e))));
      const cause =
        e.cause instanceof VendorError
          ? new VendorError(e.cause.vendor, text(e.cause.message), {
              ...(e.cause.status === undefined ? {} : { status: e.cause.status }),
              ...(e.cause.vendorCode === undefined ? {} : { vendorCode: text(e.cause.vendorCode) }),
            })
          : undefined;
      const d = details(e.details);
      return new BeaconError(e.code, text(e.message), {
        ...(cause === undefined ? {} : { cause }),
        ...(d === undefined ? {} : { details: d }),
      });
    },
  };
}

/** The forms `secret` travels in; base64 ones as the part that depends on the secret alone. */
function formsOf(secret: string): string[] {
  const out = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replaceAll("%20", "+"),
    JSON.stringify(secret).slice(1, -1),
  ];
  const bytes = Buffer.from(secret, "utf8");
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString("base64")
      .replace(/=+$/, "");
    // Character i holds bits [6i, 6i + 6); the secret holds bits [8·offset, 8·(offset + length)).
    const part = b64.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (part.length >= MIN_BASE64_FORM) out.push(part, part.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}

/** Before each clip mark, the longest beginning of a form (≥ 3 characters) the text ends with. */
function cutClippedPrefixes(text: string, forms: readonly string[]): string {
  return text
    .split(CLIPPED)
    .map((piece, i, all) => {
      if (i === all.length - 1) return piece;
      let cut = 0;
      for (const form of forms) {
        for (let k = Math.min(form.length - 1, piece.length); k > Math.max(cut, 2); k--) {
          if (piece.endsWith(form.slice(0, k))) cut = k;
        }
      }
      return cut === 0 ? piece : `${piece.slice(0, -cut)}${HIDDEN}`;
    })
    .join(CLIPPED);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
