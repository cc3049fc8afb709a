// dyndns2 reply words (see docs/protocols/dyndns2.md). Codes stay lowercase and exact: routers
// match them literally.

import type { ErrorCode } from "./errors.js";

export type Dyndns2Code =
  | "good"
  | "nochg"
  | "badauth"
  | "notfqdn"
  | "nohost"
  | "numhost"
  | "abuse"
  | "badagent"
  | "dnserr"
  | "911"
  | "!yours";

/**
 * The dyndns2 word for a Beacon error. Per-host failures (`nohost`, `!yours`, `notfqdn`, `dnserr`)
 * appear once per host; account-level ones (`badauth`, `badagent`, `numhost`, `911`) once per reply.
 */
export function dyndns2CodeFor(code: ErrorCode): Dyndns2Code {
  switch (code) {
    case "unauthorized":
    case "signature_invalid":
    case "signature_expired":
    case "replayed":
    case "signature_required":
      return "badauth";
    case "forbidden":
      return "nohost";
    case "host_not_found":
    case "zone_not_found":
    case "outside_zone":
      return "nohost";
    case "invalid_hostname":
    case "missing_hostname":
      return "notfqdn";
    case "too_many_hosts":
      return "numhost";
    case "missing_user_agent":
      return "badagent";
    // rate_limited: "try again later" (the route adds HTTP 503: docs/protocols/dyndns2.md says why).
    case "store_unavailable":
    case "store_full":
    case "store_read_only":
    case "internal":
    case "rate_limited":
    case "dns_pending":
      return "911";
    default:
      return "dnserr";
  }
}
