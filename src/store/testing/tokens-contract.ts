// The token part of the Store contract (called from runStoreContract): tokens come back as stored,
// found by id and by secret hash (one indexed read), listed in creation order with revoked ones,
// revoked once, touched best effort.

import { beforeEach, describe, expect, it } from "vitest";

import type { TokenStore } from "../ports.js";
import { expectCode, T0, tokenFixture } from "./fixtures.js";

/** The DynamoDB store keeps no signing keys (setTokenSigning is not_supported there). */
type Tokens = Omit<TokenStore, "setTokenSigning">;

export function tokensContract(get: () => Tokens): void {
  describe("tokens", () => {
    let store: Tokens;
    beforeEach(() => {
      store = get();
    });
    it("creates and gets a token with every field", async () => {
      const t = tokenFixture("tk_1", {
        names: [
          { name: "home.example.com", subtree: false },
          { name: "lab.example.com", subtree: true },
        ],
        types: ["TXT"],
        allowedCidrs: [],
        expiresAt: T0 + 86_400_000,
      });
      await store.createToken(t);
      expect(await store.getToken("tk_1")).toEqual(t);
      expect(await store.getToken("tk_none")).toBeUndefined();
    });

    it("refuses a duplicate id with token_exists and keeps the original", async () => {
      await store.createToken(tokenFixture("tk_1"));
      await expectCode(store.createToken(tokenFixture("tk_1", { label: "other" })), "token_exists");
      expect((await store.getToken("tk_1"))?.label).toBe("token tk_1");
    });

    it("finds a token by its secret hash, revoked ones too; refuses a second token with that hash", async () => {
      const a = tokenFixture("tk_a");
      await store.createToken(a);
      await store.createToken(tokenFixture("tk_b"));
      expect(await store.findTokenBySecretHash(a.secretHash)).toEqual(a);
      expect(await store.findTokenBySecretHash("0".repeat(64))).toBeUndefined();
      expect(await store.findTokenBySecretHash("")).toBeUndefined();
      await store.revokeToken("tk_a", T0 + 1);
      expect((await store.findTokenBySecretHash(a.secretHash))?.revokedAt).toBe(T0 + 1);
      await expectCode(store.createToken(tokenFixture("tk_c", { secretHash: a.secretHash })), "token_exists");
      expect(await store.getToken("tk_c")).toBeUndefined();
      expect((await store.findTokenBySecretHash(a.secretHash))?.id).toBe("tk_a");
    });

    it("lists by createdAt then id, revoked included", async () => {
      await store.createToken(tokenFixture("tk_c", { createdAt: T0 + 1 }));
      await store.createToken(tokenFixture("tk_b", { createdAt: T0 + 2 }));
      await store.createToken(tokenFixture("tk_a", { createdAt: T0 + 1 }));
      await store.revokeToken("tk_b", T0 + 3);
      expect((await store.listTokens()).map((t) => t.id)).toEqual(["tk_a", "tk_c", "tk_b"]);
    });

    it("revokes once; false when absent or already revoked", async () => {
      await store.createToken(tokenFixture("tk_1"));
      expect(await store.revokeToken("tk_1", T0 + 10)).toBe(true);
      expect((await store.getToken("tk_1"))?.revokedAt).toBe(T0 + 10);
      expect(await store.revokeToken("tk_1", T0 + 20)).toBe(false);
      expect((await store.getToken("tk_1"))?.revokedAt).toBe(T0 + 10);
      expect(await store.revokeToken("tk_none", T0)).toBe(false);
      expect(await store.getToken("tk_none")).toBeUndefined();
    });

    it("touch records the last use and ignores an absent token", async () => {
      await store.createToken(tokenFixture("tk_1"));
      await store.touchToken("tk_1", T0 + 5);
      expect((await store.getToken("tk_1"))?.lastUsedAt).toBe(T0 + 5);
      await store.touchToken("tk_1", T0 + 6);
      expect((await store.getToken("tk_1"))?.lastUsedAt).toBe(T0 + 6);
      await store.touchToken("tk_none", T0);
      expect(await store.getToken("tk_none")).toBeUndefined();
      expect(await store.listTokens()).toHaveLength(1);
    });
  });
}

/** setTokenSigning: sets, replaces and clears a token's signing key and flag; false for no token. */
export function tokenSigningContract(get: () => TokenStore): void {
  describe("token signing keys", () => {
    it("sets, replaces and clears the key and the flag, as getToken and findTokenBySecretHash show", async () => {
      const store = get();
      const t = tokenFixture("tk_s");
      await store.createToken(t);
      const ed = {
        alg: "ed25519",
        key: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
      } as const;
      expect(await store.setTokenSigning("tk_s", ed, true)).toBe(true);
      expect(await store.getToken("tk_s")).toEqual({ ...t, signingKey: ed, requireSignature: true });
      const hmac = { alg: "hmac-sha256", key: "c2VjcmV0" } as const;
      expect(await store.setTokenSigning("tk_s", hmac, false)).toBe(true);
      expect((await store.findTokenBySecretHash(t.secretHash))?.signingKey).toEqual(hmac);
      expect((await store.getToken("tk_s"))?.requireSignature ?? false).toBe(false);
      expect(await store.setTokenSigning("tk_s", undefined, false)).toBe(true);
      expect((await store.getToken("tk_s"))?.signingKey).toBeUndefined();
      expect(await store.setTokenSigning("tk_none", ed, true)).toBe(false);
      expect(await store.getToken("tk_none")).toBeUndefined();
    });
  });
}
