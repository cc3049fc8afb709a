import { describe, expect, it } from "vitest";
import { TARGET_TYPES } from "./registry.js";
import { runTargetContract } from "./testing/contract.js";

// Settings for each registered type; the contract fakes the network, so the URLs are never dialled.
const SAMPLES: Record<string, unknown> = {
  beacon: { url: "http://127.0.0.1:9/", token: "tk_contract.secret" },
  dyndns2: { url: "http://127.0.0.1:9/nic/update", username: "user", password: "pass" },
};

describe("target registry", () => {
  it("has a contract sample for every registered type", () => {
    expect([...TARGET_TYPES.keys()].sort()).toEqual(Object.keys(SAMPLES).sort());
  });
});

for (const [type, def] of TARGET_TYPES) {
  const settings = def.settings.parse(SAMPLES[type]);
  runTargetContract(type, (deps) => def.create(`contract-${type}`, settings, deps));
}
