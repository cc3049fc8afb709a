// What a token may change. Pure: a token covers a name when one of its scopes names it exactly or,
// for a subtree scope, names an ancestor; it allows a change when it also lists the record type. A
// token made for a host (hostId) acts only on that host, not on a later host of the same name.

import { isAtOrBelow } from "../core/names.js";
import type { RecordType } from "../core/records.js";
import type { Host, TokenRecord } from "../store/types.js";

/** `fqdn` must be canonical (core/names normalizeName). */
export function tokenCoversName(token: Pick<TokenRecord, "names">, fqdn: string): boolean {
  return token.names.some((s) => (s.subtree ? isAtOrBelow(fqdn, s.name) : fqdn === s.name));
}

/**
 * False when the token was made for another host than `host` (an earlier host of the same name,
 * deleted since): names alone never carry a host's token over to the next host of that name.
 */
export function tokenBoundTo(token: Pick<TokenRecord, "hostId">, host: Pick<Host, "id">): boolean {
  return token.hostId === undefined || token.hostId === host.id;
}

/** True when the token may change the `type` set of `fqdn`. */
export function tokenAllows(
  token: Pick<TokenRecord, "names" | "types">,
  fqdn: string,
  type: RecordType,
): boolean {
  return token.types.includes(type) && tokenCoversName(token, fqdn);
}

/**
 * The one name a bare label (dyndns2 "label form", e.g. `hostname=home`) stands for under this
 * token: an exact scope whose first label it is, or the label under a subtree scope. Undefined when
 * no name or more than one name fits — a label never guesses.
 */
export function nameForLabel(token: Pick<TokenRecord, "names">, label: string): string | undefined {
  const fits = new Set<string>();
  for (const s of token.names) {
    if (s.subtree) fits.add(`${label}.${s.name}`);
    else if (s.name.split(".")[0] === label) fits.add(s.name);
  }
  return fits.size === 1 ? [...fits][0] : undefined;
}
