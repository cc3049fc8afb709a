// Every target type by its config name. A new target is one file plus one line here (and a sample
// in contract.test.ts, which fails until the new type passes the contract suite).

import { beaconTarget } from "./beacon.js";
import { dyndns2Target } from "./dyndns2.js";
import type { TargetDefinition } from "./types.js";

export const TARGET_TYPES: ReadonlyMap<string, TargetDefinition> = new Map<string, TargetDefinition>(
  [beaconTarget, dyndns2Target].map((d) => [d.type, d]),
);
