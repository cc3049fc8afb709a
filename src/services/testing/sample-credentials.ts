// Test-only: an in-memory SampleCredentialStore laid over a Store that lacks one (the stores gain
// theirs in the store helper's branch of issue 17; once merged, tests can use the store's own). Same
// contract as the port: put replaces, list sorted by fqdn, touch ignores an absent credential.

import type { SampleCredentialStore, Store } from "../../store/ports.js";
import type { SampleCredential } from "../../store/types.js";

export function withSampleCredentials(store: Store): Store & { readonly credentialPuts: () => number } {
  const held = new Map<string, SampleCredential>();
  let puts = 0;
  const credentials: SampleCredentialStore = {
    putSampleCredential(c) {
      puts++;
      held.set(c.fqdn, { ...c });
      return Promise.resolve();
    },
    getSampleCredential(fqdn) {
      const c = held.get(fqdn);
      return Promise.resolve(c === undefined ? undefined : { ...c });
    },
    listSampleCredentials() {
      return Promise.resolve([...held.values()].sort((a, b) => (a.fqdn < b.fqdn ? -1 : 1)));
    },
    deleteSampleCredential(fqdn) {
      return Promise.resolve(held.delete(fqdn));
    },
    touchSampleCredential(fqdn, at) {
      const c = held.get(fqdn);
      if (c !== undefined) held.set(fqdn, { ...c, lastUsedAt: at });
      return Promise.resolve();
    },
  };
  return Object.assign(Object.create(store) as Store, credentials, { credentialPuts: () => puts });
}
