// A strict parser (and serializer) of the RFC 8941 Structured Field Values that signed requests use
// (Signature-Input, Signature, Content-Digest: core/signature-base.ts, services/request-signatures.ts).
// Subset: dictionaries whose members are items or inner lists, with parameters; bare items are
// integers, strings, tokens, byte sequences and booleans. Decimals are not needed and are refused.
//
// Contract: parseDictionary never throws; it returns undefined for anything that is not a valid
// dictionary of that subset (RFC 8941 §4.2: a parse failure fails the whole field), and also for
// a key that appears twice (RFC 8941 lets the last win; for signatures an ambiguity is a refusal).
// serializeInnerList gives the canonical text (RFC 8941 §4.1), which @signature-params is built from.

export type BareItem = string | number | boolean | Uint8Array | Token;

/** A token (RFC 8941 §3.3.4), kept apart from a string: `alg=ed25519` is not `alg="ed25519"`. */
export class Token {
  constructor(readonly text: string) {}
}

export type Params = ReadonlyMap<string, BareItem>;

export interface Item {
  readonly value: BareItem;
  readonly params: Params;
}

export interface InnerList {
  readonly items: readonly Item[];
  readonly params: Params;
}

export type Member = Item | InnerList;

export const isInnerList = (m: Member): m is InnerList => "items" in m;

/** Field values longer than this are refused unparsed. */
export const MAX_FIELD_LENGTH = 8192;

class Fail extends Error {}

const KEY_START = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_START = /[A-Za-z*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseDictionary(text: string): Map<string, Member> | undefined {
  if (text.length > MAX_FIELD_LENGTH) return undefined;
  try {
    return new Parser(text).dictionary();
  } catch (e) {
    if (e instanceof Fail) return undefined;
    throw e;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  dictionary(): Map<string, Member> {
    const out = new Map<string, Member>();
    this.skip(" ");
    if (this.i === this.s.length) return out;
    for (;;) {
      const key = this.key();
      if (out.has(key)) throw new Fail();
      let member: Member;
      if (this.s[this.i] === "=") {
        this.i++;
        member = this.s[this.i] === "(" ? this.innerList() : this.item();
      } else {
        member = { value: true, params: this.params() };
      }
      out.set(key, member);
      this.skip(" \t");
      if (this.i === this.s.length) return out;
      if (this.s[this.i] !== ",") throw new Fail();
      this.i++;
      this.skip(" \t");
      if (this.i === this.s.length) throw new Fail();
    }
  }

  private innerList(): InnerList {
    this.i++;
    const items: Item[] = [];
    for (;;) {
      this.skip(" ");
      if (this.s[this.i] === ")") {
        this.i++;
        return { items, params: this.params() };
      }
      items.push(this.item());
      const c = this.s[this.i];
      if (c !== " " && c !== ")") throw new Fail();
    }
  }

  private item(): Item {
    const value = this.bareItem();
    return { value, params: this.params() };
  }

  private params(): Map<string, BareItem> {
    const out = new Map<string, BareItem>();
    while (this.s[this.i] === ";") {
      this.i++;
      this.skip(" ");
      const key = this.key();
      if (out.has(key)) throw new Fail();
      let value: BareItem = true;
      if (this.s[this.i] === "=") {
        this.i++;
        value = this.bareItem();
      }
      out.set(key, value);
    }
    return out;
  }

  private key(): string {
    const start = this.i;
    if (!KEY_START.test(this.s[this.i] ?? "")) throw new Fail();
    while (KEY_CHAR.test(this.s[this.i] ?? "")) this.i++;
    return this.s.slice(start, this.i);
  }

  private bareItem(): BareItem {
    const c = this.s[this.i] ?? "";
    if (c === "-" || (c >= "0" && c <= "9")) return this.integer();
    if (c === '"') return this.string();
    if (c === ":") return this.bytes();
    if (c === "?") return this.boolean();
    if (TOKEN_START.test(c)) return this.token();
    throw new Fail();
  }

  private integer(): number {
    const m = /^-?[0-9]{1,15}/.exec(this.s.slice(this.i, this.i + 16));
    if (m === null) throw new Fail();
    this.i += m[0].length;
    if (this.s[this.i] === ".") throw new Fail(); // a decimal: not in this subset
    return Number(m[0]);
  }

  private string(): string {
    let out = "";
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i] ?? "";
      if (c === "\\") {
        const next = this.s[++this.i];
        if (next !== '"' && next !== "\\") throw new Fail();
        out += next;
      } else if (c === '"') {
        this.i++;
        return out;
      } else if (c < " " || c > "~") {
        throw new Fail();
      } else {
        out += c;
      }
    }
    throw new Fail();
  }

  private token(): Token {
    const start = this.i;
    this.i++;
    while (TOKEN_CHAR.test(this.s[this.i] ?? "")) this.i++;
    return new Token(this.s.slice(start, this.i));
  }

  private bytes(): Uint8Array {
    const end = this.s.indexOf(":", this.i + 1);
    if (end < 0) throw new Fail();
    const b64 = this.s.slice(this.i + 1, end);
    if (!BASE64.test(b64) || b64.length % 4 !== 0) throw new Fail();
    this.i = end + 1;
    return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  }

  private boolean(): boolean {
    const c = this.s[this.i + 1];
    if (c !== "0" && c !== "1") throw new Fail();
    this.i += 2;
    return c === "1";
  }

  private skip(chars: string): void {
    while (this.i < this.s.length && chars.includes(this.s[this.i] ?? "")) this.i++;
  }
}

/** Standard base64 (with padding) of bytes, as byte sequences and signatures carry them. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function serializeBareItem(v: BareItem): string {
  if (v instanceof Token) return v.text;
  if (v instanceof Uint8Array) return `:${toBase64(v)}:`;
  if (typeof v === "boolean") return v ? "?1" : "?0";
  if (typeof v === "number") return String(v);
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function serializeParams(params: Params): string {
  let out = "";
  for (const [key, value] of params)
    out += value === true ? `;${key}` : `;${key}=${serializeBareItem(value)}`;
  return out;
}

export function serializeInnerList(list: InnerList): string {
  const items = list.items.map((it) => serializeBareItem(it.value) + serializeParams(it.params));
  return `(${items.join(" ")})${serializeParams(list.params)}`;
}
