// The memory store's ACME state (the AcmeStore port, store/acme.ts). Every method runs without
// awaiting, so each is atomic; records are cloned in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { ACME_ERROR_LIMIT, type AcmeAccount, type AcmeState, type AcmeStore } from "../acme.js";
import { byKey } from "./order.js";

interface Lease {
  readonly owner: string;
  readonly until: number;
}

export function createMemoryAcme(open: () => void): AcmeStore {
  const accounts = new Map<string, AcmeAccount>();
  const states = new Map<string, AcmeState>();
  const leases = new Map<string, Lease>();

  const stateOf = (id: string): AcmeState =>
    states.get(id) ?? {
      id,
      certificate: undefined,
      lastAttemptAt: undefined,
      lastError: undefined,
      failures: 0,
      nextAttemptAt: undefined,
    };

  return {
    async getAcmeAccount(directoryUrl) {
      open();
      return structuredClone(accounts.get(directoryUrl));
    },

    async putAcmeAccount(account) {
      open();
      accounts.set(account.directoryUrl, structuredClone(account));
    },

    async getAcmeState(id) {
      open();
      return structuredClone(states.get(id));
    },

    async listAcmeStates() {
      open();
      return structuredClone([...states.values()].sort(byKey((s) => s.id)));
    },

    async saveAcmeCertificate(id, certificate) {
      open();
      states.set(id, {
        id,
        certificate: structuredClone(certificate),
        lastAttemptAt: certificate.issuedAt,
        lastError: undefined,
        failures: 0,
        nextAttemptAt: undefined,
      });
    },

    async failAcme(id, failure) {
      open();
      const s = stateOf(id);
      states.set(id, {
        ...s,
        lastAttemptAt: failure.at,
        lastError: failure.error.slice(0, ACME_ERROR_LIMIT),
        failures: s.failures + 1,
        nextAttemptAt: failure.nextAttemptAt,
      });
    },

    async claimAcme(id, owner, now, leaseMs) {
      open();
      const held = leases.get(id);
      if (held !== undefined && held.owner !== owner && held.until > now) return false;
      leases.set(id, { owner, until: now + leaseMs });
      if (!states.has(id)) states.set(id, stateOf(id));
      return true;
    },

    async releaseAcme(id, owner) {
      open();
      if (leases.get(id)?.owner === owner) leases.delete(id);
    },
  };
}
