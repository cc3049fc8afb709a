// The TrustStore part of the Store contract (called from runStoreContract and each adapter's
// port-modules test): rules are stored whole and read back equal (claim values with quotes,
// backslashes, SQL and non-ASCII kept verbatim), a second rule with the same id is trust_exists and
// leaves the first alone, lists are sorted by id, delete reports whether there was one.

import { describe, expect, it } from "vitest";

import type { TrustStore } from "../ports.js";
import type { TrustRule } from "../types.js";

const NOW = 1_700_000_000_000;
const rule = (id: string, over: Partial<TrustRule> = {}): TrustRule => ({
  id,
  issuer: "https://token.actions.githubusercontent.com",
  audience: "https://beacon.example.com",
  algorithms: ["RS256", "ES256"],
  claims: [
    { claim: "repository", value: "acme/site" },
    { claim: "ref", value: "refs/heads/*" },
  ],
  names: [
    { name: "ci.example.com", subtree: false },
    { name: "preview.example.com", subtree: true },
  ],
  types: ["A", "AAAA"],
  createdAt: NOW,
  ...over,
});

export function trustContract(get: () => TrustStore): void {
  describe("trust rules", () => {
    it("stores a rule and reads it back; an unknown id has none", async () => {
      const store = get();
      await store.createTrustRule(rule("deploy"));
      expect(await store.getTrustRule("deploy")).toEqual(rule("deploy"));
      expect(await store.getTrustRule("other")).toBeUndefined();
    });

    it("refuses a second rule with the same id and keeps the first", async () => {
      const store = get();
      await store.createTrustRule(rule("deploy"));
      await expect(store.createTrustRule(rule("deploy", { audience: "other" }))).rejects.toMatchObject({
        code: "trust_exists",
      });
      expect((await store.getTrustRule("deploy"))?.audience).toBe("https://beacon.example.com");
    });

    it("keeps hostile claim values verbatim", async () => {
      const store = get();
      const odd = rule("odd", {
        claims: [{ claim: "sub", value: `x'; drop table trust_rules; -- "\\ ü 🙂 *` }],
      });
      await store.createTrustRule(odd);
      expect(await store.getTrustRule("odd")).toEqual(odd);
    });

    it("lists by id and deletes", async () => {
      const store = get();
      await store.createTrustRule(rule("b"));
      await store.createTrustRule(rule("a", { claims: [] }));
      expect((await store.listTrustRules()).map((r) => r.id)).toEqual(["a", "b"]);
      expect(await store.deleteTrustRule("a")).toBe(true);
      expect(await store.deleteTrustRule("a")).toBe(false);
      expect((await store.listTrustRules()).map((r) => r.id)).toEqual(["b"]);
    });
  });
}
