// Route 53's text forms (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html,
// .../ResourceRecordTypes.html#TXTFormat): names come back lowercase with a trailing dot and with
// characters outside a–z 0–9 - _ . as \NNN *octal* escapes (\052 for a wildcard's '*'); a TXT value is
// one or more double-quoted strings in which `"` and `\` are backslash-escaped and bytes outside
// printable ASCII are \NNN octal. (Zone files use decimal \DDD, see txt-presentation.ts: not here.)

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** A name as Route 53 prints it → Beacon's form (escapes resolved, lowercase, no trailing dot). */
export function fromRoute53Name(name: string): string {
  return name
    .replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
    .toLowerCase()
    .replace(/\.$/, "");
}

/** One Beacon TXT value (one character-string) → Route 53's quoted form. */
export function toRoute53Txt(value: string): string {
  let out = '"';
  for (const byte of utf8.encode(value)) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `${out}"`;
}

/**
 * Route 53's TXT value → one Beacon value: the quoted strings joined (a long value split into 255-octet
 * strings reads back whole), escapes resolved. An unquoted value is taken as it is. Undefined when it
 * cannot be read (an unterminated quote, a bad escape, bytes that are not UTF-8).
 */
export function fromRoute53Txt(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('"')) return trimmed === "" ? undefined : trimmed;
  const s = [...trimmed]; // code points, so characters outside the BMP stay whole
  const bytes: number[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '"') return undefined;
    i++;
    let closed = false;
    while (i < s.length) {
      const c = s[i] as string;
      if (c === '"') {
        closed = true;
        i++;
        break;
      }
      if (c === "\\") {
        const oct = /^[0-7]{3}$/.exec(s.slice(i + 1, i + 4).join(""));
        if (oct !== null) {
          bytes.push(parseInt(oct[0], 8) & 0xff);
          i += 4;
          continue;
        }
        const next = s[i + 1];
        if (next === undefined) return undefined;
        bytes.push(...utf8.encode(next));
        i += 2;
        continue;
      }
      bytes.push(...utf8.encode(c));
      i++;
    }
    if (!closed) return undefined;
    while (s[i] === " ") i++;
  }
  try {
    return utf8Strict.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}
