// Domain names as Beacon stores them: lowercase ASCII, no trailing dot, each label 1–63 octets,
// at most 253 characters in presentation form. Letters, digits, hyphen, and underscore (service and
// ACME labels such as `_acme-challenge`) are allowed; a leading `*` label is not (no wildcards yet).
// Internationalised names must arrive as A-labels (xn--…): any character outside ASCII is refused,
// never folded into ASCII (String#toLowerCase turns U+212A KELVIN SIGN into "k", and toUpperCase
// turns U+017F LONG S into "S" and U+0131 DOTLESS I into "I"), so only A–Z are folded here.

import { BeaconError } from "./errors.js";

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** `s` with A–Z turned into a–z and every other character (non-ASCII included) left as it is. */
export function asciiLowerCase(s: string): string {
  return s.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

/** Returns the canonical form of `input` (lowercased, trailing dot removed) or throws `invalid_hostname`. */
export function normalizeName(input: string): string {
  // Only ASCII white space is trimmed: String#trim would also drop U+3000 and other non-ASCII spaces.
  const name = asciiLowerCase(input.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "")).replace(/\.$/, "");
  if (name.length === 0 || name.length > 253) {
    throw new BeaconError("invalid_hostname", `"${truncate(input)}" is not a valid domain name`);
  }
  for (const label of name.split(".")) {
    if (!LABEL.test(label)) {
      throw new BeaconError("invalid_hostname", `"${truncate(input)}" is not a valid domain name`);
    }
  }
  return name;
}

/** Like normalizeName but returns undefined instead of throwing. */
export function tryNormalizeName(input: string): string | undefined {
  try {
    return normalizeName(input);
  } catch {
    return undefined;
  }
}

/** True when `name` equals `ancestor` or lies below it. Both must be canonical. */
export function isAtOrBelow(name: string, ancestor: string): boolean {
  return name === ancestor || name.endsWith(`.${ancestor}`);
}

/** The relative part of `name` inside `zone` ("@" for the apex). Both canonical, name inside zone. */
export function relativeName(name: string, zone: string): string {
  return name === zone ? "@" : name.slice(0, name.length - zone.length - 1);
}

/** Picks the longest zone that contains `name` (both canonical), or undefined. */
export function findZone(name: string, zones: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const z of zones) {
    if (isAtOrBelow(name, z) && (best === undefined || z.length > best.length)) best = z;
  }
  return best;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
