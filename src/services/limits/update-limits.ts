// Which updates count against which limits (docs/limits.md; the defaults follow deSEC's published rates):
//
// | scope        | counted                                                            | key                 |
// | ------------ | ------------------------------------------------------------------ | ------------------- |
// | client       | every request to an update endpoint, before its credentials        | client network      |
// | client_ip    | every GET /ip                                                      | client network      |
// | client_heartbeat | every heartbeat (pools), instead of `client`                   | client network      |
// | credential   | every update request of a token or TSIG key                        | token id / tsig:key |
// | host_dyndns2 | every dyndns2 (or aws-sample) update of a host the credential may change | host          |
// | host_api     | every JSON API or RFC 2136 update of such a host                   | host                |
// | nochg        | every update of a host that changed nothing (flags, never refuses) | host                |
//
// Only update clients are limited (dyndns2, api, rfc2136, aws-sample): changes made by the admin (console, CLI)
// never are, and neither are sources in `exempt`. A client network is an IPv4 address or an IPv6 /64.
// A host is counted only for credentials that may change it, so nobody can spend another's budget.

import { cidrMatcher, parseIp, type ParsedIp } from "../../core/ip.js";
import { formatRate, type LimitRates, type Rate } from "../../core/rate.js";
import type { UpdateProtocol, UpdateSource } from "../../core/update.js";
import { networkKey } from "../auth/login-limiter.js";
import type { UpdateLimits } from "../ports.js";
import type { AbuseFlags } from "./abuse-flags.js";
import type { Buckets } from "./buckets.js";

export type ClientScope = "client" | "client_ip" | "client_heartbeat";
export type LimitScope = ClientScope | "credential" | "host_dyndns2" | "host_api";

export interface Limits extends UpdateLimits {
  /** Per client network, before anything else is read; undefined for an unknown address. */
  client(scope: ClientScope, ip: ParsedIp | undefined): number | undefined;
}

export interface LimitsDeps {
  readonly rates: LimitRates;
  readonly buckets: Buckets;
  readonly flags: AbuseFlags;
  /** Told of every refusal (metrics). */
  readonly onLimited?: (scope: LimitScope) => void;
}

const CLIENT_RATES: Record<ClientScope, (rates: LimitRates) => readonly Rate[]> = {
  client: (r) => r.client,
  client_ip: (r) => r.clientIp,
  client_heartbeat: (r) => r.clientHeartbeat,
};

const LIMITED: ReadonlySet<UpdateProtocol> = new Set(["dyndns2", "api", "rfc2136", "aws-sample"]);
const EXEMPT_CACHE = 4096;

export function createLimits(deps: LimitsDeps): Limits {
  const { rates, buckets, flags } = deps;
  const inExempt = cidrMatcher(rates.exempt);
  // Parsing an address costs more than counting it: remember the answer for the addresses seen lately.
  const exemptCache = new Map<string, boolean>();
  function exempt(text: string, parsed?: ParsedIp): boolean {
    let yes = exemptCache.get(text);
    if (yes === undefined) {
      const ip = parsed ?? parseIp(text);
      yes = ip !== undefined && inExempt(ip);
      if (exemptCache.size >= EXEMPT_CACHE) exemptCache.clear();
      exemptCache.set(text, yes);
    }
    return yes;
  }
  const limited = (source: UpdateSource) => LIMITED.has(source.protocol) && !exempt(source.ip);
  function take(scope: LimitScope, id: string, list: readonly Rate[]): number | undefined {
    const wait = buckets.take(`${scope}:${id}`, list);
    if (wait !== undefined) deps.onLimited?.(scope);
    return wait;
  }
  const nochgReason = `no-change updates beyond ${rates.nochgFlag.map(formatRate).join(", ")}`;

  return {
    client(scope, ip) {
      if (ip === undefined || exempt(ip.text, ip)) return undefined;
      return take(scope, networkKey(ip), CLIENT_RATES[scope](rates));
    },

    request(source) {
      if (source.tokenId === undefined || !limited(source)) return undefined;
      return take("credential", source.tokenId, rates.credential);
    },

    host(fqdn, source) {
      if (!limited(source)) return undefined;
      const dyndns2 = source.protocol === "dyndns2" || source.protocol === "aws-sample";
      return take(dyndns2 ? "host_dyndns2" : "host_api", fqdn, dyndns2 ? rates.hostDyndns2 : rates.hostApi);
    },

    noChange(fqdn, source) {
      if (!LIMITED.has(source.protocol) || flags.isFlagged(fqdn)) return;
      const name = `nochg:${fqdn}`;
      if (buckets.take(name, rates.nochgFlag) === undefined) return;
      flags.flag(fqdn, nochgReason);
      // Counting starts again from zero once the admin clears the flag.
      buckets.forget(name, rates.nochgFlag);
    },
  };
}
