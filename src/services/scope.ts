// What a token may change. Pure: a token covers a name when one of its scopes names it exactly or,
// for a subtree scope, names an ancestor; it allows a change when it also lists the record type.

import { isAtOrBelow } from "../core/names.js";
import type { RecordType } from "../core/records.js";
import type { TokenRecord } from "../store/types.js";

/** `fqdn` must be canonical (core/names normalizeName). */
export function tokenCoversName(token: Pick<TokenRecord, "names">, fqdn: string): boolean {
  return token.names.some((s) => (s.subtree ? isAtOrBelow(fqdn, s.name) : fqdn === s.name));
}

/** True when the token may change the `type` set of `fqdn`. */
export function tokenAllows(
  token: Pick<TokenRecord, "names" | "types">,
  fqdn: string,
  type: RecordType,
): boolean {
  return token.types.includes(type) && tokenCoversName(token, fqdn);
}
