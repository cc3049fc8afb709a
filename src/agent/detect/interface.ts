// Source type "interface": the address of a named local interface (a PPPoE link, a router's WAN
// port). IPv6 is the interface's stable address (see ipv6.ts). With `suffix` (e.g. "::1234") or
// `mac`, the source instead reports another LAN device's address: this interface's /prefix_length
// prefix plus that host part, so one agent keeps AAAA records for devices that run no agent.

import { z } from "zod";
import { parseIp } from "../../core/ip.js";
import { failed, guardObserve } from "./observe.js";
import { eui64Suffix, withSuffix } from "./ipv6.js";
import { pickInterfaceAddress } from "./pick.js";
import { operatorSetting } from "./schema.js";
import type { SourceDefinition } from "./types.js";

const settings = z
  .strictObject({
    interface: z.string().min(1).max(64),
    suffix: z
      .string()
      .refine((s) => withSuffix(parseIp("::")!, 0, s) !== undefined, {
        message: 'must be an IPv6 host part such as "::1234"',
      })
      .optional(),
    mac: z
      .string()
      .refine((m) => eui64Suffix(m) !== undefined, { message: 'must be a MAC such as "aa:bb:cc:dd:ee:ff"' })
      .optional(),
    prefix_length: z.number().int().min(1).max(127).default(64),
    operator: operatorSetting.optional(),
  })
  .refine((s) => s.suffix === undefined || s.mac === undefined, { message: "set suffix or mac, not both" })
  .refine(
    (s) => s.suffix === undefined || withSuffix(parseIp("::")!, s.prefix_length, s.suffix) !== undefined,
    {
      message: "the suffix has bits set inside the prefix (prefix_length)",
      path: ["suffix"],
    },
  );

export type InterfaceSourceSettings = z.infer<typeof settings>;

export const interfaceSource: SourceDefinition<InterfaceSourceSettings> = {
  type: "interface",
  description: "The address of a local network interface (IPv6: stable, or prefix + host part)",
  settings,
  create: (id, s, deps) => {
    const hostPart = s.suffix ?? (s.mac === undefined ? undefined : eui64Suffix(s.mac));
    const families = hostPart === undefined ? ([4, 6] as const) : ([6] as const);
    return {
      id,
      operator: s.operator ?? "local",
      families,
      observe: (ctx) =>
        guardObserve(families, ctx, async () => {
          const picked = pickInterfaceAddress(await deps.readInterfaces(), s.interface, ctx.family);
          if (!picked.ok) return failed(picked.reason, picked.detail);
          const ip = parseIp(picked.address.address);
          if (ip === undefined) return failed("unparsable", `${s.interface}: ${picked.address.address}`);
          if (hostPart === undefined) return { ok: true, ip };
          const combined = withSuffix(ip, s.prefix_length, hostPart);
          if (combined === undefined)
            return failed("unparsable", `cannot combine ${ip.text}/${s.prefix_length} with ${hostPart}`);
          return { ok: true, ip: combined };
        }),
    };
  },
};
