// Source type "dns": ask a DNS server that echoes the asker's address, with our own stub resolver.
// Presets:
//   opendns    myip.opendns.com A/AAAA IN   @ 208.67.222.222 / 2620:119:35::35
//   cloudflare whoami.cloudflare TXT CH      @ 1.1.1.1 / 2606:4700:4700::1111
//   google     o-o.myaddr.l.google.com TXT IN @ 216.239.32.10 / 2001:4860:4802:32::a (ns1.google.com)
// The query goes over the asked family (the server echoes the address it sees), so a preset picks
// the server of that family; `server` and `port` override it (tests point them at 127.0.0.1).
// A custom source names server, name, and optionally type (default A for IPv4, AAAA for IPv6), class
// and families (default: by type, TXT by the server's family).

import { z } from "zod";
import { isBeaconError } from "../../core/errors.js";
import type { IpFamily } from "../../core/ip.js";
import { addressFromValues } from "./extract.js";
import { failed, guardObserve } from "./observe.js";
import { familiesSetting, ipSetting, operatorSetting } from "./schema.js";
import type { SourceDefinition } from "./types.js";

type QType = "A" | "AAAA" | "TXT";

interface Preset {
  readonly operator: string;
  readonly name: string;
  readonly qclass: "IN" | "CH";
  /** Per family: the record type asked. */
  readonly type: Readonly<Record<IpFamily, QType>>;
  readonly server: Readonly<Record<IpFamily, string>>;
}

export const DNS_PRESETS = {
  opendns: {
    operator: "opendns",
    name: "myip.opendns.com",
    qclass: "IN",
    type: { 4: "A", 6: "AAAA" },
    server: { 4: "208.67.222.222", 6: "2620:119:35::35" },
  },
  cloudflare: {
    operator: "cloudflare",
    name: "whoami.cloudflare",
    qclass: "CH",
    type: { 4: "TXT", 6: "TXT" },
    server: { 4: "1.1.1.1", 6: "2606:4700:4700::1111" },
  },
  google: {
    operator: "google",
    name: "o-o.myaddr.l.google.com",
    qclass: "IN",
    type: { 4: "TXT", 6: "TXT" },
    server: { 4: "216.239.32.10", 6: "2001:4860:4802:32::a" },
  },
} as const satisfies Record<string, Preset>;

const settings = z
  .strictObject({
    preset: z.enum(["opendns", "cloudflare", "google"]).optional(),
    server: ipSetting.optional(),
    port: z.number().int().min(1).max(65535).default(53),
    name: z.string().min(1).max(253).optional(),
    type: z.enum(["A", "AAAA", "TXT"]).optional(),
    class: z.enum(["IN", "CH"]).optional(),
    families: familiesSetting.optional(),
    operator: operatorSetting.optional(),
  })
  .refine((s) => s.preset !== undefined || (s.server !== undefined && s.name !== undefined), {
    message: "set a preset (opendns, cloudflare, google) or both server and name",
  });

export type DnsSourceSettings = z.infer<typeof settings>;

function defaultFamilies(s: DnsSourceSettings): IpFamily[] {
  if (s.preset !== undefined) return [4, 6];
  if (s.type === "A") return [4];
  if (s.type === "AAAA") return [6];
  return [s.server!.family];
}

export const dnsSource: SourceDefinition<DnsSourceSettings> = {
  type: "dns",
  description: "A DNS server that answers with the asker's address",
  settings,
  create: (id, s, deps) => {
    const preset: Preset | undefined = s.preset === undefined ? undefined : DNS_PRESETS[s.preset];
    const families = s.families ?? defaultFamilies(s);
    return {
      id,
      operator: s.operator ?? preset?.operator ?? s.server!.text,
      families,
      observe: (ctx) =>
        guardObserve(families, ctx, async () => {
          const type = s.type ?? preset?.type[ctx.family] ?? (ctx.family === 4 ? "A" : "AAAA");
          const name = s.name ?? preset!.name;
          try {
            const reply = await deps.dnsQuery({
              server: s.server?.text ?? preset!.server[ctx.family],
              port: s.port,
              name,
              type,
              qclass: s.class ?? preset?.qclass ?? "IN",
              localAddress: ctx.localAddress,
              signal: ctx.signal,
            });
            if (reply.rcode !== "NOERROR") return failed("no_address", `${name} ${type}: ${reply.rcode}`);
            return addressFromValues(reply.answers, ctx.family, `${type} answer`, type === "TXT");
          } catch (e) {
            if (isBeaconError(e) && e.code === "malformed_reply") return failed("unparsable", e.message);
            throw e;
          }
        }),
    };
  },
};
