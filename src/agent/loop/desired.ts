// The values a record should hold, from the agreed address: as detected, or for an AAAA record of
// another LAN device, the detected /64 prefix plus that device's host part (suffix or EUI-64 of its MAC).

import type { ParsedIp } from "../../core/ip.js";
import type { Ipv6Host } from "../config/agent-config.js";
import { eui64Suffix, withSuffix } from "../detect/ipv6.js";

/** The prefix length a host part is combined with (SLAAC's /64). */
export const HOST_PREFIX_LENGTH = 64;

export type Desired =
  { readonly ok: true; readonly values: readonly string[] } | { readonly ok: false; readonly detail: string };

/** Never throws. */
export function desiredValues(ip: ParsedIp, host: Ipv6Host | undefined): Desired {
  if (host === undefined) return { ok: true, values: [ip.text] };
  const suffix = host.kind === "suffix" ? host.suffix : eui64Suffix(host.mac);
  if (suffix === undefined)
    return { ok: false, detail: `cannot derive a host part from MAC ${host.kind === "mac" ? host.mac : ""}` };
  const combined = withSuffix(ip, HOST_PREFIX_LENGTH, suffix);
  if (combined === undefined)
    return { ok: false, detail: `cannot combine ${ip.text}/${HOST_PREFIX_LENGTH} with host part ${suffix}` };
  return { ok: true, values: [combined.text] };
}
