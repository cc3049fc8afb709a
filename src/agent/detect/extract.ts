// Turning what a service said into one address. Strict on purpose: the reply must be exactly one
// address (after trimming), so an HTML error page, an empty body or a list never becomes a record.

import { parseIp, type IpFamily } from "../../core/ip.js";
import type { Observation } from "./types.js";
import { failed } from "./observe.js";

/** A reply quoted in a detail: first line, control characters replaced, bounded. */
export function quote(text: string, max = 60): string {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? "";
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/[\u0000-\u001f\u007f]/g, "?");
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}

/** The whole (trimmed) text must be one address of `family`. */
export function addressFromText(text: string, family: IpFamily): Observation {
  const trimmed = text.trim();
  if (trimmed.length === 0) return failed("empty", "the reply is empty");
  const ip = parseIp(trimmed);
  if (ip !== undefined) {
    if (ip.family !== family)
      return failed("wrong_family", `got IPv${ip.family} address ${ip.text}, asked for IPv${family}`);
    return { ok: true, ip };
  }
  const tokens = trimmed.split(/[\s,;]+/);
  const parsed = tokens.map((t) => parseIp(t));
  if (tokens.length > 1 && parsed.every((p) => p !== undefined))
    return failed("ambiguous", `the reply holds ${tokens.length} addresses: ${quote(trimmed)}`);
  return failed("unparsable", `the reply is not an address: ${quote(trimmed)}`);
}

/**
 * Several candidate values (pattern captures, TXT strings, A records) must name exactly one distinct
 * address. With `ignoreOthers` (TXT: Google adds an "edns0-client-subnet …" string) values that do not
 * parse are skipped unless none parses; without it any such value makes the reply `unparsable`.
 */
export function addressFromValues(
  values: readonly string[],
  family: IpFamily,
  what: string,
  ignoreOthers = false,
): Observation {
  if (values.length === 0) return failed("no_address", `no ${what} in the reply`);
  const ips = values.map((v) => parseIp(v)).filter((ip) => ip !== undefined);
  const stray = values.find((v) => parseIp(v) === undefined);
  if (!ignoreOthers && stray !== undefined && ips.length > 0)
    return failed("unparsable", `a ${what} is not an address: ${quote(stray)}`);
  if (ips.length === 0) {
    const first = values[0] ?? "";
    return first.trim() === ""
      ? failed("empty", `the ${what} is empty`)
      : failed("unparsable", `the ${what} is not an address: ${quote(first)}`);
  }
  const distinct = [...new Set(ips.map((ip) => ip.text))];
  if (distinct.length > 1)
    return failed("ambiguous", `${distinct.length} different addresses: ${distinct.join(", ")}`);
  return addressFromText(distinct[0]!, family);
}
