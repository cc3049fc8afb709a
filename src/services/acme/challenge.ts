// Which ACME challenge proves Beacon's names (acme.challenge): dns-01 when Beacon is authoritative for
// every name (it writes the TXT record itself), http-01 otherwise. Pure. (acme.names holds no
// wildcard: domain names in settings never do, core/names.ts.)

import type { AcmeChallengeChoice } from "../../config/server-config.js";
import { BeaconError } from "../../core/errors.js";
import { findZone } from "../../core/names.js";

export type AcmeChallengeType = "dns-01" | "http-01";

/**
 * `auto`: dns-01 when every name is inside one of `zones` (canonical), else http-01. Throws
 * config_invalid for dns-01 with a name outside every zone.
 */
export function chooseChallenge(
  names: readonly string[],
  zones: readonly string[],
  choice: AcmeChallengeChoice,
): AcmeChallengeType {
  const outside = names.filter((n) => findZone(n, zones) === undefined);
  if (choice === "dns-01" && outside.length > 0)
    throw new BeaconError(
      "config_invalid",
      `acme.names: ${outside.join(", ")} is not inside a zone this server serves, so dns-01 cannot prove ` +
        "it (add the zone, or set acme.challenge to http-01)",
    );
  if (choice !== "auto") return choice;
  return outside.length === 0 ? "dns-01" : "http-01";
}
