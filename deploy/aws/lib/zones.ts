// The Route 53 hosted zones Beacon's Lambda may change, parsed from the one string an operator types
// (`-c zones=dyn.example.com=Z0123456789ABC,home.example.net=Z0987654321XYZ`).
//
// Promises: every entry is `zone=HOSTEDZONEID`; zone names are lower-cased DNS names without the
// trailing dot; hosted zone IDs are Route 53's (`Z` + upper-case letters and digits), with an optional
// `/hostedzone/` prefix removed; no zone is listed twice; the list is not empty. Anything else throws
// an Error naming the bad entry and what would be right, before any resource is synthesized: a typo
// here would otherwise become an IAM policy on the wrong zone.
// `checkZones` holds a list built in code to the same rules. `formatZones` gives the list back in the
// form the Lambda reads from BEACON_SERVERLESS_ROUTE53_ZONES (comma-separated `zone=ID`).

export interface HostedZone {
  /** The DNS zone Beacon serves, e.g. `dyn.example.com`. */
  readonly zone: string;
  /** Its Route 53 hosted zone ID, e.g. `Z0123456789ABC`. */
  readonly hostedZoneId: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const EXAMPLE = "dyn.example.com=Z0123456789ABC";

export function parseZones(spec: unknown): HostedZone[] {
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new Error(`zones: give at least one hosted zone as zone=HOSTEDZONEID, e.g. -c zones=${EXAMPLE}`);
  }
  return checkZones(
    spec.split(",").map((raw) => {
      const entry = raw.trim();
      const eq = entry.indexOf("=");
      if (eq < 0) throw new Error(`zones: "${entry}" is not zone=HOSTEDZONEID (e.g. ${EXAMPLE})`);
      return { zone: entry.slice(0, eq), hostedZoneId: entry.slice(eq + 1) };
    }),
  );
}

/** The same promises for a list given in code: normalized copies, or an Error. */
export function checkZones(given: readonly HostedZone[]): HostedZone[] {
  if (given.length === 0) throw new Error(`zones: give at least one hosted zone, e.g. ${EXAMPLE}`);
  const zones: HostedZone[] = [];
  for (const z of given) {
    const zone = z.zone.trim().toLowerCase().replace(/\.$/, "");
    const hostedZoneId = z.hostedZoneId.trim().replace(/^\/hostedzone\//, "");
    if (zone.length > 253 || !zone.includes(".") || !zone.split(".").every((l) => LABEL.test(l))) {
      throw new Error(
        `zones: "${zone}" is not a DNS zone name (letters, digits, hyphens, at least two labels)`,
      );
    }
    if (!ZONE_ID.test(hostedZoneId)) {
      throw new Error(
        `zones: "${hostedZoneId}" for ${zone} is not a Route 53 hosted zone ID (Z followed by A-Z, 0-9)`,
      );
    }
    if (zones.some((other) => other.zone === zone)) throw new Error(`zones: ${zone} is listed twice`);
    zones.push({ zone, hostedZoneId });
  }
  return zones;
}

export function formatZones(zones: readonly HostedZone[]): string {
  return zones.map((z) => `${z.zone}=${z.hostedZoneId}`).join(",");
}
