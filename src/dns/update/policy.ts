// What a TSIG key may change (its KeyPolicy): names exact or subtree, record types, source addresses.
// Pure; names are canonical.

import { inCidr, normalizeSocketAddress } from "../../core/ip.js";
import { isAtOrBelow } from "../../core/names.js";
import type { RecordType } from "../../core/records.js";
import type { KeyPolicy } from "../tsig/keyring.js";

export function policyCoversName(policy: KeyPolicy, name: string): boolean {
  return policy.names.some((s) => (s.subtree ? isAtOrBelow(name, s.name) : name === s.name));
}

export function policyAllows(policy: KeyPolicy, name: string, type: RecordType): boolean {
  return policy.types.includes(type) && policyCoversName(policy, name);
}

/** True when the policy lists no CIDRs or the (socket) address is inside one of them. */
export function policyAllowsSource(policy: KeyPolicy, address: string): boolean {
  if (policy.allowedCidrs.length === 0) return true;
  const ip = normalizeSocketAddress(address);
  return ip !== undefined && policy.allowedCidrs.some((c) => inCidr(ip, c));
}
