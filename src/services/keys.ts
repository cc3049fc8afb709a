// TSIG keys for RFC 2136 UPDATE: create (random secret, shown once), list, remove; and the cached
// Keyring the DNS server looks keys up in synchronously (refreshed from the store when it changes).

import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.js";
import { BeaconError } from "../core/errors.js";
import { normalizeName } from "../core/names.js";
import type { RecordType } from "../core/records.js";
import type { Keyring, ServerKey } from "../dns/tsig/keyring.js";
import { macSize, TSIG_ALGORITHMS, type TsigAlgorithm } from "../dns/tsig/tsig.js";
import type { TsigKeyRecord } from "../store/types.js";
import type { KeyStore } from "../store/ports.js";
import type { NameScope } from "../core/zones.js";
import type { Log } from "../core/log.js";

export interface NewKey {
  readonly name: string;
  readonly algorithm?: string;
  readonly names: readonly NameScope[];
  readonly types: readonly RecordType[];
  readonly allowedCidrs: readonly string[];
}

export interface KeyService {
  /** The stored key; its secret is returned only here. bad_request, key_exists. */
  add(key: NewKey): Promise<TsigKeyRecord>;
  /** Sorted by name; callers must not show `secret`. */
  list(): Promise<TsigKeyRecord[]>;
  /** key_not_found if absent. */
  remove(name: string): Promise<void>;
}

export function isTsigAlgorithm(s: string): s is TsigAlgorithm {
  return (TSIG_ALGORITHMS as readonly string[]).includes(s);
}

export function createKeyService(deps: { readonly store: KeyStore; readonly clock: Clock }): KeyService {
  const { store, clock } = deps;
  return {
    async add(key) {
      const name = normalizeName(key.name);
      const algorithm = (key.algorithm ?? "hmac-sha256").toLowerCase();
      if (!isTsigAlgorithm(algorithm))
        throw new BeaconError("bad_request", `algorithm must be one of ${TSIG_ALGORITHMS.join(", ")}`);
      if (key.names.length === 0) throw new BeaconError("bad_request", "a key needs at least one name scope");
      if (key.types.length === 0)
        throw new BeaconError("bad_request", "a key needs at least one record type");
      // A secret as long as the hash output (RFC 8945 §6: at least that much entropy is useful).
      const record: TsigKeyRecord = {
        name,
        algorithm,
        secret: randomBytes(macSize(algorithm)).toString("base64"),
        names: key.names,
        types: [...new Set(key.types)].sort(),
        allowedCidrs: key.allowedCidrs,
        createdAt: clock(),
      };
      await store.createTsigKey(record);
      return record;
    },
    list: () => store.listTsigKeys(),
    async remove(name) {
      if (!(await store.deleteTsigKey(normalizeName(name))))
        throw new BeaconError("key_not_found", `no key named ${name}`);
    },
  };
}

export interface CachedKeyring {
  readonly keyring: Keyring;
  /** Reloads every key from the store; on failure keeps the previous keys (and logs). */
  refresh(): Promise<void>;
}

/** A Keyring over an in-memory copy of the store's keys. Call refresh() once before serving. */
export function createCachedKeyring(deps: { readonly store: KeyStore; readonly log: Log }): CachedKeyring {
  let keys = new Map<string, ServerKey>();
  return {
    keyring: (name) => keys.get(name),
    async refresh() {
      try {
        const next = new Map<string, ServerKey>();
        for (const k of await deps.store.listTsigKeys()) {
          if (!isTsigAlgorithm(k.algorithm)) {
            deps.log.warn(
              { key: k.name, algorithm: k.algorithm },
              "TSIG key with an unknown algorithm skipped",
            );
            continue;
          }
          next.set(k.name, {
            name: k.name,
            algorithm: k.algorithm,
            secret: new Uint8Array(Buffer.from(k.secret, "base64")),
            policy: { names: k.names, types: k.types, allowedCidrs: k.allowedCidrs },
          });
        }
        keys = next;
      } catch (e) {
        deps.log.warn({ err: e }, "could not reload TSIG keys; keeping the previous ones");
      }
    },
  };
}
