// Every target type by its config name: the native targets, then every provider (providers/registry.ts)
// wrapped by provider.ts. A native target wins a name clash (so `dyndns2` stays the native target,
// whose replies map onto the agent's own codes). A new native target is one file plus one line in
// NATIVE_TARGETS (and a sample in contract.test.ts); a new provider becomes a target by itself.

import { PROVIDER_TYPES } from "../../providers/registry.js";
import type { ProviderDefinition } from "../../providers/types.js";
import { awsSampleTarget } from "./aws-sample.js";
import { beaconTarget } from "./beacon.js";
import { dyndns2Target } from "./dyndns2.js";
import { providerTarget } from "./provider.js";
import type { TargetDefinition } from "./types.js";

export const NATIVE_TARGETS: readonly TargetDefinition[] = [beaconTarget, dyndns2Target, awsSampleTarget];

/** Natives by type, then each provider not shadowed by a native, wrapped. */
export function targetTypes(
  natives: readonly TargetDefinition[],
  providers: ReadonlyMap<string, ProviderDefinition>,
): ReadonlyMap<string, TargetDefinition> {
  const types = new Map<string, TargetDefinition>(natives.map((d) => [d.type, d]));
  for (const [type, def] of providers) if (!types.has(type)) types.set(type, providerTarget(def));
  return types;
}

export const TARGET_TYPES: ReadonlyMap<string, TargetDefinition> = targetTypes(
  NATIVE_TARGETS,
  PROVIDER_TYPES,
);
