// Which address of a named interface stands for it: the interface source publishes it, and a
// multi-WAN binding (`interface: ppp0` on a record's sources) connects from it.

import { isGlobalUnicast, parseIp, type IpFamily } from "../../core/ip.js";
import type { InterfaceAddress } from "../system/types.js";
import { ipv6Unusable, selectStableIpv6 } from "./ipv6.js";

export type InterfacePick =
  | { readonly ok: true; readonly address: InterfaceAddress }
  | { readonly ok: false; readonly reason: "no_address" | "ambiguous"; readonly detail: string };

/**
 * IPv6: selectStableIpv6. IPv4: the interface's only address, or its only global unicast one when it
 * has several; two global ones are ambiguous (never guessed).
 */
export function pickInterfaceAddress(
  addrs: readonly InterfaceAddress[],
  iface: string,
  family: IpFamily,
): InterfacePick {
  const own = addrs.filter((a) => a.interface === iface);
  if (own.length === 0) return { ok: false, reason: "no_address", detail: `no interface named ${iface}` };
  if (family === 6) {
    const chosen = selectStableIpv6(own, iface);
    if (chosen !== undefined) return { ok: true, address: chosen };
    const skipped = new Map<string, number>();
    for (const a of own.filter((x) => x.family === 6)) {
      const why = ipv6Unusable(a) ?? "other";
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
    }
    const list = [...skipped].map(([why, n]) => `${n} ${why === "scope" ? "link-local or special" : why}`);
    return {
      ok: false,
      reason: "no_address",
      detail: `${iface} has no stable IPv6 address${list.length ? ` (skipped: ${list.join(", ")})` : ""}`,
    };
  }
  const v4 = own.filter((a) => a.family === 4);
  if (v4.length === 0) return { ok: false, reason: "no_address", detail: `${iface} has no IPv4 address` };
  if (v4.length === 1) return { ok: true, address: v4[0]! };
  const global = v4.filter((a) => isGlobalUnicast(parseIp(a.address)!));
  if (global.length === 1) return { ok: true, address: global[0]! };
  return {
    ok: false,
    reason: "ambiguous",
    detail: `${iface} has ${global.length > 1 ? global.length : v4.length} IPv4 addresses: ${(global.length > 1 ? global : v4).map((a) => a.address).join(", ")}`,
  };
}
