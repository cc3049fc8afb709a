// The memory store's TSIG keys (the KeyStore port). Every method runs without awaiting, so each is
// atomic; records are cloned in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import type { TsigKeyRecord } from "../types.js";
import type { KeyStore } from "../ports.js";
import { byKey } from "./order.js";

export function createMemoryKeys(open: () => void): KeyStore {
  const keys = new Map<string, TsigKeyRecord>();

  return {
    async createTsigKey(key) {
      open();
      if (keys.has(key.name)) throw new BeaconError("key_exists", `a key named ${key.name} already exists`);
      keys.set(key.name, structuredClone(key));
    },

    async listTsigKeys() {
      open();
      return structuredClone([...keys.values()].sort(byKey((k) => k.name)));
    },

    async deleteTsigKey(name) {
      open();
      return keys.delete(name);
    },
  };
}
