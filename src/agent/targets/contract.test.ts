import { describe, expect, it } from "vitest";
import { z } from "zod";
import { VendorError, codeForStatus, vendorFailure } from "../../providers/errors.js";
import { dyndns2Provider } from "../../providers/dyndns2/dyndns2.js";
import { jsonBody, sendVendor } from "../../providers/kit/http.js";
import { PROVIDER_TYPES } from "../../providers/registry.js";
import { vendorSet } from "../../providers/kit/sets.js";
import type { ProviderDefinition } from "../../providers/types.js";
import { providerTarget } from "./provider.js";
import { NATIVE_TARGETS, TARGET_TYPES, targetTypes } from "./registry.js";
import { runTargetContract } from "./testing/contract.js";
import type { TargetDefinition } from "./types.js";

// Settings for each native type; the contract fakes the network, so the URLs are never dialled.
const SAMPLES: Record<string, unknown> = {
  beacon: { url: "http://127.0.0.1:9/", token: "tk_contract.secret" },
  dyndns2: { url: "http://127.0.0.1:9/nic/update", username: "user", password: "pass" },
  "aws-sample": { url: "http://127.0.0.1:9/", shared_secret: "SHARED_SECRET_1" },
};

/**
 * A small readable JSON API as a provider: GET/PUT {url}/records/{fqdn}/{type} with
 * `{"ttl": n, "values": [...]}`, 404 for nothing held. Stands in for the registered providers, whose
 * own tests run the provider contract against their vendors.
 */
const restProvider: ProviderDefinition<{ url: string }> = {
  type: "rest-test",
  description: "test",
  settings: z.strictObject({ url: z.url() }),
  create(id, s, deps) {
    const vendor = "rest-test";
    const fail = (status: number, body: string) =>
      vendorFailure(codeForStatus(status), new VendorError(vendor, body, { status }));
    const at = (fqdn: string, type: string) => `${s.url}records/${fqdn}/${type}`;
    return {
      id,
      type: "rest-test",
      capabilities: { types: ["A", "AAAA"], read: true, delete: false, multiValue: true, ttl: true },
      async get(fqdn, type, ctx) {
        const reply = await sendVendor(deps, vendor, { method: "GET", url: at(fqdn, type) }, ctx);
        if (reply.status === 404) return undefined;
        if (reply.status !== 200) throw fail(reply.status, reply.body);
        const parsed = z
          .object({ ttl: z.int(), values: z.array(z.string()) })
          .safeParse(jsonBody(reply, vendor));
        if (!parsed.success)
          throw vendorFailure("malformed_reply", new VendorError(vendor, "unexpected reply shape"));
        return vendorSet(vendor, type, parsed.data.ttl, parsed.data.values);
      },
      async upsert(req, ctx) {
        const body = JSON.stringify({ ttl: req.ttl, values: req.values });
        const reply = await sendVendor(
          deps,
          vendor,
          { method: "PUT", url: at(req.fqdn, req.type), body },
          ctx,
        );
        if (reply.status !== 200) throw fail(reply.status, reply.body);
        return "changed";
      },
      delete: () => Promise.reject(new Error("not used")),
    };
  },
};

describe("target registry", () => {
  it("has a contract sample for every native type", () => {
    expect(NATIVE_TARGETS.map((d) => d.type).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it("holds every registered provider, wrapped, unless a native target has its name", () => {
    for (const [type, def] of PROVIDER_TYPES) {
      const t = TARGET_TYPES.get(type);
      expect(t?.settings).toBe(NATIVE_TARGETS.find((n) => n.type === type)?.settings ?? def.settings);
    }
    for (const n of NATIVE_TARGETS) expect(TARGET_TYPES.get(n.type)).toBe(n);
  });

  it("a native target wins a name clash; other providers are wrapped under their own type", () => {
    const natives = [{ ...NATIVE_TARGETS[0], type: "dyndns2" } as TargetDefinition];
    const types = targetTypes(
      natives,
      new Map<string, ProviderDefinition>([
        ["dyndns2", dyndns2Provider],
        ["rest-test", restProvider],
      ]),
    );
    expect([...types.keys()].sort()).toEqual(["dyndns2", "rest-test"]);
    expect(types.get("dyndns2")).toBe(natives[0]);
    expect(types.get("rest-test")?.settings).toBe(restProvider.settings);
    expect(types.get("rest-test")?.description).toBe(restProvider.description);
  });
});

for (const def of NATIVE_TARGETS) {
  const settings = def.settings.parse(SAMPLES[def.type]);
  runTargetContract(def.type, (deps) => def.create(`contract-${def.type}`, settings, deps));
}

// Providers wrapped as targets pass the same contract: a readable one (get, then upsert) and a
// write-only one (the dyndns2 provider, whose replies are read as the native target reads them).
const wrapped: [string, TargetDefinition, unknown][] = [
  ["provider rest-test (readable)", providerTarget(restProvider), { url: "http://127.0.0.1:9/" }],
  ["provider dyndns2 (write-only)", providerTarget(dyndns2Provider), SAMPLES["dyndns2"]],
];
for (const [name, def, sample] of wrapped) {
  const settings = def.settings.parse(sample);
  runTargetContract(name, (deps) => def.create("contract-provider", settings, deps));
}
