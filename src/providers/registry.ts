// Every provider type by its config name. A new provider is one file plus one line here, a doc page
// in docs/providers/, and a test that runs the contract suite (testing/contract.ts) against it.

import type { ProviderDefinition } from "./types.js";

const DEFINITIONS: readonly ProviderDefinition[] = [];

export const PROVIDER_TYPES: ReadonlyMap<string, ProviderDefinition> = new Map(
  DEFINITIONS.map((d) => [d.type, d]),
);
