// The memory store's trust rules (the TrustStore port). Every method runs without awaiting, so each
// is atomic; records are cloned in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import type { TrustStore } from "../ports.js";
import type { TrustRule } from "../types.js";
import { byKey } from "./order.js";

export function createMemoryTrust(open: () => void): TrustStore {
  const rules = new Map<string, TrustRule>();

  return {
    async createTrustRule(rule) {
      open();
      if (rules.has(rule.id)) throw new BeaconError("trust_exists", `trust rule ${rule.id} already exists`);
      rules.set(rule.id, structuredClone(rule));
    },

    async getTrustRule(id) {
      open();
      return structuredClone(rules.get(id));
    },

    async listTrustRules() {
      open();
      return structuredClone([...rules.values()].sort(byKey((r) => r.id)));
    },

    async deleteTrustRule(id) {
      open();
      return rules.delete(id);
    },
  };
}
