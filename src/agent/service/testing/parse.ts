// Independent readers of the formats the generators write, for round-trip tests: each follows the
// consumer's documented rules (systemd.syntax(7), the XML 1.0 well-formedness rules for the plist
// subset, CommandLineToArgvW, cmd.exe's caret and quote handling) and throws on anything it would
// reject, so a test fails when a generator emits something the real consumer would misread.

export type UnitSections = Map<string, Map<string, string[]>>;

/** Sections → keys → values in order (keys like LoadCredential= repeat). Comments and blanks skipped. */
export function parseUnit(text: string): UnitSections {
  const sections: UnitSections = new Map();
  let current: Map<string, string[]> | undefined;
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#") || line.startsWith(";")) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      const name = header[1] ?? "";
      if (sections.has(name)) throw new Error(`line ${i + 1}: section [${name}] repeated`);
      current = new Map();
      sections.set(name, current);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv || current === undefined) throw new Error(`line ${i + 1}: not a key=value in a section: ${line}`);
    const key = kv[1] ?? "";
    current.set(key, [...(current.get(key) ?? []), kv[2] ?? ""]);
  });
  return sections;
}

/** Undoes specifier escaping; any other `%x` is a specifier the generator forgot to escape. */
export function unescapeSpecifiers(value: string): string {
  return value.replace(/%(.?)/g, (_m, next: string) => {
    if (next === "%") return "%";
    throw new Error(`unescaped specifier %${next} in ${value}`);
  });
}

/** Splits an ExecStart= value the way systemd does (quotes, C escapes, %%, $$), failing on stray `$VAR`. */
export function splitExecStart(value: string): string[] {
  const words: string[] = [];
  let i = 0;
  const s = unescapeSpecifiers(value);
  while (i < s.length) {
    while (s[i] === " " || s[i] === "\t") i++;
    if (i >= s.length) break;
    let word = "";
    let quote: string | undefined;
    for (; i < s.length; i++) {
      const c = s[i] ?? "";
      if (quote === undefined && (c === " " || c === "\t")) break;
      if (c === "\\") {
        const n = s[++i];
        if (n === undefined) throw new Error("trailing backslash");
        word += n === "n" ? "\n" : n === "t" ? "\t" : n;
      } else if (quote !== undefined && c === quote) quote = undefined;
      else if (quote === undefined && (c === '"' || c === "'")) quote = c;
      else word += c;
    }
    if (quote !== undefined) throw new Error(`unterminated quote in ${value}`);
    words.push(
      word.replace(/\$(\$|[A-Za-z_{])?/g, (_m, next: string | undefined) => {
        if (next === "$") return "$";
        throw new Error(`unescaped environment variable in ${word}`);
      }),
    );
  }
  return words;
}

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeText(text: string): string {
  if (/[<>]/.test(text)) throw new Error(`raw < or > in text: ${text}`);
  return text.replace(/&([^;]*);?/g, (m, name: string) => {
    const v = ENTITIES[name];
    if (v === undefined || !m.endsWith(";")) throw new Error(`bad entity ${m}`);
    return v;
  });
}

/**
 * Checks the text is a well-formed plist document (declaration, DOCTYPE, balanced elements, only
 * the five predefined entities, no raw `<` or `&` in text) and returns its top-level value.
 */
export function parsePlist(text: string): PlistValue {
  const prolog = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist [^<>]*>\n/.exec(text);
  if (!prolog) throw new Error("missing XML declaration or DOCTYPE");
  const tokens = text
    .slice(prolog[0].length)
    .split(/(<[^<>]*>)/)
    .filter((t) => t.trim() !== "");
  let pos = 0;
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error("unexpected end of document");
    return t;
  };
  const expectTag = (tag: string) => {
    const t = next();
    if (t !== tag) throw new Error(`expected ${tag}, got ${t}`);
  };
  const textUntil = (close: string) => {
    const t = next();
    if (t === close) return "";
    expectTag(close);
    return decodeText(t);
  };
  const value = (): PlistValue => {
    const open = next();
    switch (open) {
      case "<string>":
        return textUntil("</string>");
      case "<integer>":
        return Number(textUntil("</integer>"));
      case "<true/>":
        return true;
      case "<false/>":
        return false;
      case "<array>": {
        const items: PlistValue[] = [];
        while (tokens[pos] !== "</array>") items.push(value());
        pos++;
        return items;
      }
      case "<dict>": {
        const dict: Record<string, PlistValue> = {};
        while (tokens[pos] !== "</dict>") {
          expectTag("<key>");
          const k = textUntil("</key>");
          if (k in dict) throw new Error(`duplicate key ${k}`);
          dict[k] = value();
        }
        pos++;
        return dict;
      }
      default:
        throw new Error(`unexpected ${open}`);
    }
  };
  expectTag('<plist version="1.0">');
  const top = value();
  expectTag("</plist>");
  if (pos !== tokens.length) throw new Error("content after </plist>");
  return top;
}

/** What cmd.exe passes on after its own parsing: carets outside quotes removed; bare operators refused. */
export function cmdUnescape(line: string): string {
  let quoted = false;
  let out = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === "^") {
      out += line[++i] ?? "";
      continue;
    } else if (!quoted && "&|<>".includes(c)) throw new Error(`bare cmd operator ${c} at ${i}: ${line}`);
    if (c === "%") throw new Error(`% reaches cmd.exe: ${line}`);
    out += c;
  }
  return out;
}

/** CommandLineToArgvW: how a Windows C program splits its command line. */
export function splitWindowsArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let arg = "";
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i] ?? "";
      if (!quoted && (c === " " || c === "\t")) break;
      if (c === "\\") {
        let n = 0;
        while (line[i] === "\\") {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += "\\".repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += "\\".repeat(n);
          i--;
        }
      } else if (c === '"') quoted = !quoted;
      else arg += c;
    }
    args.push(arg);
  }
  return args;
}
