// The TSIG key part of the Store contract (called from runStoreContract): keys come back as stored
// (secret included: HMAC needs it), sorted by name; names are unique; delete says whether it did.

import { describe, expect, it } from "vitest";

import type { TsigKeyRecord } from "../types.js";
import type { KeyStore } from "../ports.js";
import { T0 } from "./fixtures.js";

function key(name: string, extra: Partial<TsigKeyRecord> = {}): TsigKeyRecord {
  return {
    name,
    algorithm: "hmac-sha256",
    secret: Buffer.alloc(32, name.length).toString("base64"),
    names: [
      { name: "home.example.com", subtree: false },
      { name: "lab.example.com", subtree: true },
    ],
    types: ["A", "TXT"],
    allowedCidrs: ["192.0.2.0/24"],
    createdAt: T0,
    ...extra,
  };
}

export function keysContract(get: () => KeyStore): void {
  describe("TSIG keys", () => {
    it("stores keys with their policy and lists them sorted by name", async () => {
      const store = get();
      expect(await store.listTsigKeys()).toEqual([]);
      await store.createTsigKey(key("zeta.key", { algorithm: "hmac-sha512", allowedCidrs: [] }));
      await store.createTsigKey(key("alpha.key"));
      expect(await store.listTsigKeys()).toEqual([
        key("alpha.key"),
        key("zeta.key", { algorithm: "hmac-sha512", allowedCidrs: [] }),
      ]);
    });

    it("refuses a second key of the same name (key_exists) and keeps the first", async () => {
      const store = get();
      await store.createTsigKey(key("a.key"));
      await expect(store.createTsigKey(key("a.key", { secret: "AAAA" }))).rejects.toMatchObject({
        name: "BeaconError",
        code: "key_exists",
      });
      expect((await store.listTsigKeys()).map((k) => k.secret)).toEqual([key("a.key").secret]);
    });

    it("deletes a key, resolving false when there is none", async () => {
      const store = get();
      await store.createTsigKey(key("a.key"));
      await store.createTsigKey(key("b.key"));
      expect(await store.deleteTsigKey("a.key")).toBe(true);
      expect(await store.deleteTsigKey("a.key")).toBe(false);
      expect((await store.listTsigKeys()).map((k) => k.name)).toEqual(["b.key"]);
    });

    it("returns copies: changing a returned key changes nothing stored", async () => {
      const store = get();
      await store.createTsigKey(key("a.key"));
      const [got] = await store.listTsigKeys();
      (got!.names as { name: string; subtree: boolean }[]).push({ name: "evil.example", subtree: true });
      expect(await store.listTsigKeys()).toEqual([key("a.key")]);
    });
  });
}
