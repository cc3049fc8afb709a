// Source type "beacon": a Beacon server's "what is my IP" endpoint, GET <url>/ip?format=json, which
// answers {"ip": "...", "family": 4|6} with the address the server sees.

import { z } from "zod";
import { createHttpSource } from "./http.js";
import { familiesSetting, httpUrlSetting, operatorSetting } from "./schema.js";
import type { SourceDefinition } from "./types.js";

const settings = z.strictObject({
  /** Base URL of the server, e.g. https://dyn.example.com (a path prefix is kept). */
  url: httpUrlSetting,
  families: familiesSetting.default([4, 6]),
  operator: operatorSetting.optional(),
});

export type BeaconSourceSettings = z.infer<typeof settings>;

/** `<base>/ip?format=json`, keeping any path prefix of the base. */
export function beaconIpUrl(base: string): string {
  return new URL("ip?format=json", base.endsWith("/") ? base : `${base}/`).toString();
}

export const beaconSource: SourceDefinition<BeaconSourceSettings> = {
  type: "beacon",
  description: "A Beacon server's /ip endpoint",
  settings,
  create: (id, s, deps) =>
    createHttpSource(
      id,
      {
        url: beaconIpUrl(s.url),
        format: "json",
        field: "ip",
        families: s.families,
        operator: s.operator ?? new URL(s.url).hostname,
      },
      deps,
    ),
};
