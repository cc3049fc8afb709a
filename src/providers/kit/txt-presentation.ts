// TXT values in zone-file presentation form (RFC 1035 §5.1), as PowerDNS, deSEC and Hetzner's Cloud
// API want them: each character-string in double quotes, `"` and `\` escaped with a backslash, bytes
// outside printable ASCII as \DDD (decimal). Beacon's TXT value is one character-string of at most 255
// octets (core/records.ts), so writing produces exactly one quoted string.

import { VendorError, vendorFailure } from "../errors.js";
import type { ProviderRecordType } from "../types.js";

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** One Beacon TXT value as a quoted presentation string: `say "hi"` → `"say \"hi\""`. */
export function quoteTxt(value: string): string {
  let out = '"';
  for (const byte of utf8.encode(value)) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${String(byte).padStart(3, "0")}`;
  }
  return `${out}"`;
}

/**
 * A vendor's TXT content back to one value: the character-strings joined (a long value split into
 * several 255-octet strings reads back whole), escapes resolved. Unquoted tokens are accepted (some
 * servers print single-word strings bare). Returns undefined for content that is not presentation
 * form (an unterminated quote, a bad escape, bytes that are not UTF-8): the caller reports the vendor.
 */
export function unquoteTxt(content: string): string | undefined {
  const bytes: number[] = [];
  const src = utf8.encode(content);
  let i = 0;
  const skipSpace = () => {
    while (i < src.length && (src[i] === 0x20 || src[i] === 0x09)) i++;
  };
  skipSpace();
  if (i >= src.length) return undefined;
  while (i < src.length) {
    const quoted = src[i] === 0x22;
    if (quoted) i++;
    let closed = !quoted;
    while (i < src.length) {
      const c = src[i] as number;
      if (quoted && c === 0x22) {
        closed = true;
        i++;
        break;
      }
      if (!quoted && (c === 0x20 || c === 0x09)) break;
      if (!quoted && c === 0x22) return undefined;
      if (c === 0x5c) {
        const escaped = readEscape(src, i + 1);
        if (escaped === undefined) return undefined;
        bytes.push(escaped.byte);
        i = escaped.next;
        continue;
      }
      bytes.push(c);
      i++;
    }
    if (!closed) return undefined;
    if (i < src.length && src[i] !== 0x20 && src[i] !== 0x09) return undefined;
    skipSpace();
  }
  try {
    return utf8Strict.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

function readEscape(src: Uint8Array, at: number): { byte: number; next: number } | undefined {
  const first = src[at];
  if (first === undefined) return undefined;
  if (first >= 0x30 && first <= 0x39) {
    const digits = src.subarray(at, at + 3);
    if (digits.length !== 3 || !digits.every((d) => d >= 0x30 && d <= 0x39)) return undefined;
    const value = Number(String.fromCharCode(...digits));
    return value > 255 ? undefined : { byte: value, next: at + 3 };
  }
  return { byte: first, next: at + 1 };
}

/** A Beacon value as record content in presentation form (addresses as they are, TXT quoted). */
export function toContent(type: ProviderRecordType, value: string): string {
  return type === "TXT" ? quoteTxt(value) : value;
}

/** Record content a vendor holds as a Beacon value; unreadable TXT content is malformed_reply. */
export function fromContent(vendor: string, type: ProviderRecordType, content: string): string {
  if (type !== "TXT") return content;
  const value = unquoteTxt(content);
  if (value === undefined)
    throw vendorFailure(
      "malformed_reply",
      new VendorError(vendor, `holds TXT content that is not presentation form: ${content.slice(0, 80)}`),
    );
  return value;
}
