// The memory store's update tokens (the TokenStore port): by id, and by secret hash through an index
// as authentication needs. Every method checks and mutates without awaiting in between, so each is
// atomic; records are cloned in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import type { TokenRecord } from "../types.js";
import type { TokenStore } from "../ports.js";
import { byKey } from "./order.js";

export interface MemoryTokens extends TokenStore {
  /** A host was deleted at `at`: the tokens made for it (hostId) are revoked then. */
  readonly revokeHostTokens: (hostId: number, at: number) => void;
}

export function createMemoryTokens(open: () => void): MemoryTokens {
  const tokens = new Map<string, TokenRecord>();
  /** secretHash → id: the index authentication reads. */
  const bySecret = new Map<string, string>();
  const byId = byKey<TokenRecord>((t) => t.id);

  return {
    async createToken(token) {
      open();
      if (tokens.has(token.id) || bySecret.has(token.secretHash))
        throw new BeaconError("token_exists", `token ${token.id} or its secret already exists`);
      tokens.set(token.id, structuredClone(token));
      bySecret.set(token.secretHash, token.id);
    },

    async getToken(id) {
      open();
      return structuredClone(tokens.get(id));
    },

    async findTokenBySecretHash(secretHash) {
      open();
      const id = bySecret.get(secretHash);
      return id === undefined ? undefined : structuredClone(tokens.get(id));
    },

    async listTokens() {
      open();
      const list = [...tokens.values()].sort((a, b) => a.createdAt - b.createdAt || byId(a, b));
      return structuredClone(list);
    },

    async revokeToken(id, at) {
      open();
      const t = tokens.get(id);
      if (t === undefined || t.revokedAt !== undefined) return false;
      tokens.set(id, { ...t, revokedAt: at });
      return true;
    },

    async touchToken(id, at) {
      open();
      const t = tokens.get(id);
      if (t !== undefined) tokens.set(id, { ...t, lastUsedAt: at });
    },

    async setTokenSigning(id, key, requireSignature) {
      open();
      const t = tokens.get(id);
      if (t === undefined) return false;
      tokens.set(id, { ...t, signingKey: key && { ...key }, requireSignature });
      return true;
    },

    revokeHostTokens(hostId, at) {
      for (const t of tokens.values())
        if (t.hostId === hostId && t.revokedAt === undefined) tokens.set(t.id, { ...t, revokedAt: at });
    },
  };
}
