// The memory store's AWS-sample credentials (the SampleCredentialStore port). Every method runs
// without awaiting, so each is atomic; records are cloned in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import type { SampleCredentialStore } from "../ports.js";
import type { SampleCredential } from "../types.js";
import { byKey } from "./order.js";

export function createMemorySampleCredentials(open: () => void): SampleCredentialStore {
  const credentials = new Map<string, SampleCredential>();

  return {
    async putSampleCredential(credential) {
      open();
      credentials.set(credential.fqdn, structuredClone(credential));
    },

    async getSampleCredential(fqdn) {
      open();
      return structuredClone(credentials.get(fqdn));
    },

    async listSampleCredentials() {
      open();
      return structuredClone([...credentials.values()].sort(byKey((c) => c.fqdn)));
    },

    async deleteSampleCredential(fqdn) {
      open();
      return credentials.delete(fqdn);
    },

    async touchSampleCredential(fqdn, at) {
      open();
      const c = credentials.get(fqdn);
      if (c !== undefined) credentials.set(fqdn, { ...c, lastUsedAt: at });
    },
  };
}
