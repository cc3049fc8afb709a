// The memory store's TSIG keys. Synchronous, cloned in and out.

import { BeaconError } from "../../core/errors.js";
import type { TsigKeyRecord } from "../types.js";

export class MemoryKeys {
  private readonly keys = new Map<string, TsigKeyRecord>();

  create(key: TsigKeyRecord): void {
    if (this.keys.has(key.name))
      throw new BeaconError("key_exists", `a key named ${key.name} already exists`);
    this.keys.set(key.name, structuredClone(key));
  }

  /** Sorted by name. */
  list(): TsigKeyRecord[] {
    return structuredClone([...this.keys.values()].sort((a, b) => (a.name < b.name ? -1 : 1)));
  }

  delete(name: string): boolean {
    return this.keys.delete(name);
  }
}
