// The built-in echo services: data, not code. Each names its operator (icanhazip is run by
// Cloudflare, so it and 1.1.1.1 are ONE vote) and its own anycast ranges: an echo that reports an
// address inside them is reporting itself (a proxy or a broken edge), and the verdict rejects it.
// Ranges list only the service's own front-end addresses, never the operator's whole cloud, whose
// customers may legitimately be the ones asking (an EC2 instance asking checkip.amazonaws.com).

import { BeaconError } from "../../core/errors.js";
import type { IpFamily } from "../../core/ip.js";
import { dnsSource } from "./dns.js";
import { httpSource } from "./http.js";
import type { IpSource, SourceDeps } from "./types.js";

export interface BuiltinSource {
  readonly id: string;
  readonly description: string;
  readonly operator: string;
  readonly families: readonly IpFamily[];
  readonly ownRanges: readonly string[];
  /** A source type of the registry and its settings (input form, validated on creation). */
  readonly type: "http" | "dns";
  readonly settings: Readonly<Record<string, unknown>>;
}

const CLOUDFLARE_RESOLVER = ["1.1.1.0/24", "1.0.0.0/24", "2606:4700:4700::/48"];
/** Cloudflare's published edge ranges (icanhazip.com is served from them). */
const CLOUDFLARE_EDGE = ["104.16.0.0/13", "172.64.0.0/13", "2606:4700::/32"];
const OPENDNS = ["208.67.216.0/21", "2620:119:35::/48", "2620:119:53::/48"];
const GOOGLE_NS = [
  "216.239.32.0/24",
  "216.239.34.0/24",
  "216.239.36.0/24",
  "216.239.38.0/24",
  "2001:4860:4802::/48",
];

const http = (
  id: string,
  operator: string,
  families: IpFamily[],
  url: string,
  ownRanges: string[],
  description: string,
  pattern?: string,
): BuiltinSource => ({
  id,
  description,
  operator,
  families,
  ownRanges,
  type: "http",
  settings: { url, families, operator, ...(pattern === undefined ? {} : { pattern }) },
});

const dns = (
  id: string,
  preset: "opendns" | "cloudflare" | "google",
  ownRanges: string[],
  description: string,
) => ({
  id,
  description,
  operator: preset,
  families: [4, 6] as IpFamily[],
  ownRanges,
  type: "dns" as const,
  settings: { preset },
});

export const BUILTIN_SOURCES: readonly BuiltinSource[] = [
  http("ipify-v4", "ipify", [4], "https://api.ipify.org", [], "ipify, IPv4 only"),
  http("ipify-v6", "ipify", [6], "https://api6.ipify.org", [], "ipify, IPv6 only"),
  http(
    "icanhazip-v4",
    "cloudflare",
    [4],
    "https://ipv4.icanhazip.com",
    CLOUDFLARE_EDGE,
    "icanhazip (Cloudflare)",
  ),
  http(
    "icanhazip-v6",
    "cloudflare",
    [6],
    "https://ipv6.icanhazip.com",
    CLOUDFLARE_EDGE,
    "icanhazip (Cloudflare)",
  ),
  http("ifconfig-co", "ifconfig.co", [4, 6], "https://ifconfig.co/ip", [], "ifconfig.co"),
  http(
    "cloudflare-trace-v4",
    "cloudflare",
    [4],
    "https://1.1.1.1/cdn-cgi/trace",
    CLOUDFLARE_RESOLVER,
    "Cloudflare trace at 1.1.1.1",
    "^ip=(.+)$",
  ),
  http(
    "cloudflare-trace-v6",
    "cloudflare",
    [6],
    "https://[2606:4700:4700::1111]/cdn-cgi/trace",
    CLOUDFLARE_RESOLVER,
    "Cloudflare trace at 2606:4700:4700::1111",
    "^ip=(.+)$",
  ),
  http("aws-v4", "aws", [4], "https://checkip.amazonaws.com", [], "AWS checkip, IPv4 only"),
  dns("opendns", "opendns", OPENDNS, "myip.opendns.com at the OpenDNS resolvers"),
  dns("cloudflare-dns", "cloudflare", CLOUDFLARE_RESOLVER, "whoami.cloudflare (CHAOS TXT) at 1.1.1.1"),
  dns("google-dns", "google", GOOGLE_NS, "o-o.myaddr.l.google.com TXT at ns1.google.com"),
];

/** The default set per family: four independent operators each, so one failing still leaves a quorum of 2. */
export const DEFAULT_SOURCE_IDS: Readonly<Record<IpFamily, readonly string[]>> = {
  4: ["cloudflare-trace-v4", "ipify-v4", "aws-v4", "opendns"],
  6: ["cloudflare-trace-v6", "ipify-v6", "opendns", "google-dns"],
};

export interface BuiltSources {
  readonly sources: readonly IpSource[];
  /** Source id → its service's own ranges, for detectAddress's `ownRanges`. */
  readonly ownRanges: ReadonlyMap<string, readonly string[]>;
}

/** Creates built-in sources by id; an unknown id throws `config_invalid` naming the known ones. */
export function createBuiltinSources(ids: readonly string[], deps: SourceDeps): BuiltSources {
  const sources: IpSource[] = [];
  const ownRanges = new Map<string, readonly string[]>();
  for (const id of new Set(ids)) {
    const b = BUILTIN_SOURCES.find((x) => x.id === id);
    if (b === undefined)
      throw new BeaconError(
        "config_invalid",
        `unknown built-in source "${id}"; known: ${BUILTIN_SOURCES.map((x) => x.id).join(", ")}`,
      );
    sources.push(
      b.type === "http"
        ? httpSource.create(b.id, httpSource.settings.parse(b.settings), deps)
        : dnsSource.create(b.id, dnsSource.settings.parse(b.settings), deps),
    );
    ownRanges.set(b.id, b.ownRanges);
  }
  return { sources, ownRanges };
}
