// Reads the `config.json` of the AWS sample's first version (its Lambda read it from S3): one entry
// per hostname, `{"host1.dyn.example.com.": {"aws_region", "route_53_zone_id", "route_53_record_ttl",
// "route_53_record_type", "shared_secret"}, …}`. Each entry becomes an item shaped like the current
// table's (`data` holds the entry as JSON), so the import service judges both alike.
//
// Contract: never throws for an entry's content; bad_request when the file is not a JSON object. The
// caller reads the file, refusing one larger than MAX_CONFIG_BYTES.

import { BeaconError } from "../core/errors.js";
import type { SampleItem } from "../services/sample-import.js";

export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

export function sampleItemsFromConfigJson(text: string, file: string): SampleItem[] {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    throw new BeaconError("bad_request", `${file} is not JSON: ${(e as Error).message}`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new BeaconError(
      "bad_request",
      `${file} is not a JSON object of hostnames (the sample's config.json)`,
    );
  return Object.entries(config).map(([hostname, entry]) => ({ hostname, data: JSON.stringify(entry) }));
}
