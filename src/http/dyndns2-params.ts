// dyndns2 request parameters, parsed from the raw query string (and urlencoded POST body) by hand:
// standard decoders silently keep invalid %-escapes and invalid UTF-8, and we must reject those
// exactly. Everything here is pure; the route decides the reply words (docs/protocols/dyndns2.md).

import { stripPrefixLength, parseIp, type ParsedIp } from "../core/ip.js";
import { tryNormalizeName } from "../core/names.js";

export const DYNDNS2_LIMITS = {
  /** The whole raw query string (or POST body). */
  maxQueryBytes: 8192,
  /** Any decoded value except hostname. */
  maxValueBytes: 1024,
  /** hostname holds up to 20 names of up to 253 characters each. */
  maxHostnameBytes: 5120,
  maxHosts: 20,
} as const;

/** A parameter's value, or why it could not be read. */
export type ParamValue =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly problem: "too_large" | "bad_encoding" };

export interface Params {
  /** The raw input exceeded maxQueryBytes; no parameter was read. */
  readonly tooLarge: boolean;
  /** Keys are lowercased; the first occurrence of a key wins. */
  readonly values: ReadonlyMap<string, ParamValue>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Strict application/x-www-form-urlencoded decoding: `+` is a space, `%XX` must be valid and UTF-8. */
export function decodeComponent(s: string): string | undefined {
  if (!s.includes("%")) return s.replaceAll("+", " ");
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === 0x2b) {
      bytes.push(0x20);
    } else if (ch < 0x80) {
      bytes.push(ch);
    } else {
      const cp = s.codePointAt(i) ?? 0xfffd;
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      if (cp > 0xffff) i++;
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

export function parseParams(raw: string): Params {
  if (raw.length > DYNDNS2_LIMITS.maxQueryBytes) return { tooLarge: true, values: new Map() };
  const values = new Map<string, ParamValue>();
  for (const part of raw.split("&")) {
    if (part.length === 0) continue;
    const eq = part.indexOf("=");
    const key = decodeComponent(eq < 0 ? part : part.slice(0, eq))?.toLowerCase();
    if (key === undefined || values.has(key)) continue;
    const decoded = decodeComponent(eq < 0 ? "" : part.slice(eq + 1));
    const limit = key === "hostname" ? DYNDNS2_LIMITS.maxHostnameBytes : DYNDNS2_LIMITS.maxValueBytes;
    if (decoded === undefined) values.set(key, { ok: false, problem: "bad_encoding" });
    else if (encoder.encode(decoded).length > limit) values.set(key, { ok: false, problem: "too_large" });
    else values.set(key, { ok: true, value: decoded });
  }
  return { tooLarge: false, values };
}

/** Combines query and body parameters: the query wins for keys present in both. */
export function mergeParams(first: Params, second: Params): Params {
  const values = new Map(second.values);
  for (const [k, v] of first.values) values.set(k, v);
  return { tooLarge: first.tooLarge || second.tooLarge, values };
}

/** The raw query string of a URL (without `?`), untouched by any decoder. */
export function rawQuery(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return "";
  const hash = url.indexOf("#", q);
  return url.slice(q + 1, hash < 0 ? undefined : hash);
}

export type HostnameList =
  | { readonly kind: "list"; readonly items: readonly string[] }
  /** No hostname and no hostname-shaped Basic user: `notfqdn` once. */
  | { readonly kind: "none" }
  /** The parameter could not be read (too large, bad encoding): `notfqdn` once. */
  | { readonly kind: "unreadable" }
  /** More than maxHosts items: `numhost` once. */
  | { readonly kind: "too_many" };

/**
 * The requested hostnames: comma list, items trimmed, empty items dropped. `hostname=YES` (sent by
 * some routers) counts as absent; when absent, a Basic user that is an FQDN is the hostname.
 */
export function readHostnames(params: Params, basicUser: string | undefined): HostnameList {
  if (params.tooLarge) return { kind: "unreadable" };
  const p = params.values.get("hostname");
  if (p !== undefined && !p.ok) return { kind: "unreadable" };
  let items = (p?.value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 1 && items[0]?.toLowerCase() === "yes") items = [];
  if (items.length === 0) {
    const user = basicUser?.trim() ?? "";
    return asFqdn(user) === undefined ? { kind: "none" } : { kind: "list", items: [user] };
  }
  if (items.length > DYNDNS2_LIMITS.maxHosts) return { kind: "too_many" };
  return { kind: "list", items };
}

/** The canonical name when `item` is a fully qualified name (at least two labels, trailing dot optional). */
export function asFqdn(item: string): string | undefined {
  const name = tryNormalizeName(item);
  return name?.includes(".") ? name : undefined;
}

export type AddressChoice =
  | { readonly ok: true; readonly v4: ParsedIp | undefined; readonly v6: ParsedIp | undefined }
  | { readonly ok: false; readonly reason: string };

const V6_PARAMS = ["myipv6", "myip6", "ipv6"] as const;

/**
 * The addresses to publish.
 * - `myip`: absent or empty → the client address; else a comma list of at most one IPv4 and one IPv6,
 *   each optionally with a `/len` suffix (FRITZ!Box prefixes), which is dropped.
 * - `myipv4` overrides the IPv4; `myipv6` (or `myip6`, `ipv6`, first present wins) overrides the IPv6;
 *   `myipv6=no` means "leave IPv6 alone" even if `myip` or the connection carried one.
 * - Any unreadable or unparsable address, or no address at all, is an error: the whole request
 *   changes nothing. Whether an address may be published (global unicast) is the update service's
 *   rule, so a refusal is answered like the JSON API's and recorded in the host's history.
 */
export function readAddresses(params: Params, clientIp: ParsedIp | undefined): AddressChoice {
  const fail = (reason: string): AddressChoice => ({ ok: false, reason });
  const text = (name: string): string | undefined | null => {
    const p = params.values.get(name);
    if (p === undefined) return undefined;
    return p.ok ? p.value.trim() : null;
  };
  let v4: ParsedIp | undefined;
  let v6: ParsedIp | undefined;

  const myip = text("myip");
  if (myip === null) return fail("myip is unreadable");
  if (myip === undefined || myip === "") {
    if (clientIp !== undefined)
      [v4, v6] = clientIp.family === 4 ? [clientIp, undefined] : [undefined, clientIp];
  } else {
    const items = myip
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (items.length > 2) return fail("myip lists more than two addresses");
    for (const item of items) {
      const ip = parseIp(stripPrefixLength(item));
      if (ip === undefined) return fail(`myip item "${item.slice(0, 64)}" is not an address`);
      if ((ip.family === 4 ? v4 : v6) !== undefined) return fail("myip lists two addresses of one family");
      if (ip.family === 4) v4 = ip;
      else v6 = ip;
    }
  }

  const myipv4 = text("myipv4");
  if (myipv4 === null) return fail("myipv4 is unreadable");
  if (myipv4 !== undefined && myipv4 !== "") {
    const ip = parseIp(myipv4);
    if (ip?.family !== 4) return fail("myipv4 is not an IPv4 address");
    v4 = ip;
  }

  const v6Param = V6_PARAMS.map(text).find((v) => v !== undefined && v !== "");
  if (v6Param === null) return fail("the IPv6 parameter is unreadable");
  if (v6Param !== undefined) {
    if (v6Param.toLowerCase() === "no") v6 = undefined;
    else {
      const ip = parseIp(stripPrefixLength(v6Param));
      if (ip?.family !== 6) return fail("the IPv6 parameter is not an IPv6 address");
      v6 = ip;
    }
  }

  if (v4 === undefined && v6 === undefined) return fail("no address to publish");
  return { ok: true, v4, v6 };
}
