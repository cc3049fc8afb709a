// The system resolver, for verification queries when no `verify_resolver` is configured.

import { parseIp } from "../../core/ip.js";
import type { HostPort } from "../../config/server-config.js";

/** The first usable `nameserver` line of resolv.conf text (port 53), or undefined. Never throws. */
export function firstNameserver(text: string): HostPort | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m?.[1] === undefined) continue;
    // Link-local IPv6 resolvers carry a zone ("fe80::1%eth0"), which a socket address cannot take here.
    if (m[1].includes("%")) continue;
    const ip = parseIp(m[1]);
    if (ip !== undefined) return { host: ip.text, port: 53 };
  }
  return undefined;
}
