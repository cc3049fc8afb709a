// The AcmeStore part of the Store contract (called from runStoreContract and each adapter's
// port-modules test): one account per directory, replaced whole; a certificate's state starts absent,
// a success stores the chain and key verbatim and clears the failure state, a failure counts and keeps
// the certificate, the error is clipped; the ordering lease behaves as the mirrors'.

import { describe, expect, it } from "vitest";

import { ACME_ERROR_LIMIT, type AcmeCertificate, type AcmeStore } from "../acme.js";

const T0 = 1_700_000_000_000;
const DIRECTORY = "https://acme.example/directory";
// PEM-looking text with what would break naive quoting: quotes, backslashes, newlines, non-ASCII.
const KEY = "-----BEGIN PRIVATE KEY-----\nMIG'\"\\;--é\n-----END PRIVATE KEY-----\n";

const certificate = (over: Partial<AcmeCertificate> = {}): AcmeCertificate => ({
  names: ["beacon.example.com", "dyn.example.com"],
  chainPem: "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n",
  keyPem: KEY,
  notBefore: T0,
  notAfter: T0 + 90 * 86_400_000,
  issuedAt: T0 + 5,
  ...over,
});

export function acmeContract(get: () => AcmeStore): void {
  describe("ACME state", () => {
    it("keeps one account per directory, replaced whole, the key verbatim", async () => {
      const store = get();
      expect(await store.getAcmeAccount(DIRECTORY)).toBeUndefined();
      const account = { directoryUrl: DIRECTORY, keyPem: KEY, accountUrl: undefined, createdAt: T0 };
      await store.putAcmeAccount(account);
      expect(await store.getAcmeAccount(DIRECTORY)).toEqual(account);
      const registered = { ...account, accountUrl: "https://acme.example/acct/1" };
      await store.putAcmeAccount(registered);
      expect(await store.getAcmeAccount(DIRECTORY)).toEqual(registered);
      expect(await store.getAcmeAccount(`${DIRECTORY}/`)).toBeUndefined();
    });

    it("stores a certificate and clears the failures; a failure keeps it and counts", async () => {
      const store = get();
      expect(await store.getAcmeState("server")).toBeUndefined();
      await store.failAcme("server", { at: T0, error: "dns: no TXT", nextAttemptAt: T0 + 60_000 });
      expect(await store.getAcmeState("server")).toEqual({
        id: "server",
        certificate: undefined,
        lastAttemptAt: T0,
        lastError: "dns: no TXT",
        failures: 1,
        nextAttemptAt: T0 + 60_000,
      });
      await store.saveAcmeCertificate("server", certificate());
      const saved = {
        id: "server",
        certificate: certificate(),
        lastAttemptAt: T0 + 5,
        lastError: undefined,
        failures: 0,
        nextAttemptAt: undefined,
      };
      expect(await store.getAcmeState("server")).toEqual(saved);
      const long = "x".repeat(ACME_ERROR_LIMIT + 50);
      await store.failAcme("server", { at: T0 + 9, error: long, nextAttemptAt: T0 + 99 });
      await store.failAcme("server", { at: T0 + 10, error: "again", nextAttemptAt: T0 + 100 });
      const failed = await store.getAcmeState("server");
      expect(failed?.certificate).toEqual(certificate());
      expect(failed?.failures).toBe(2);
      expect(failed?.lastError).toBe("again");
      await store.failAcme("other", { at: T0, error: long, nextAttemptAt: T0 });
      expect((await store.getAcmeState("other"))?.lastError).toBe(long.slice(0, ACME_ERROR_LIMIT));
      expect((await store.listAcmeStates()).map((s) => s.id)).toEqual(["other", "server"]);
    });

    it("a returned state is a copy", async () => {
      const store = get();
      await store.saveAcmeCertificate("server", certificate());
      const got = await store.getAcmeState("server");
      (got?.certificate?.names as string[]).push("evil.example.com");
      expect((await store.getAcmeState("server"))?.certificate?.names).toEqual(certificate().names);
    });

    it("lets one owner order at a time: the lease is taken, renewed, refused, expired and released", async () => {
      const store = get();
      expect(await store.claimAcme("server", "node-a", T0, 1000)).toBe(true);
      expect(await store.claimAcme("server", "node-b", T0 + 999, 1000)).toBe(false);
      expect(await store.claimAcme("server", "node-a", T0 + 500, 1000)).toBe(true);
      expect(await store.claimAcme("server", "node-b", T0 + 1499, 1000)).toBe(false);
      expect(await store.claimAcme("server", "node-b", T0 + 1500, 1000)).toBe(true);
      await store.releaseAcme("server", "node-a"); // not its holder: nothing happens
      expect(await store.claimAcme("server", "node-a", T0 + 1501, 1000)).toBe(false);
      await store.releaseAcme("server", "node-b");
      expect(await store.claimAcme("server", "node-a", T0 + 1502, 1000)).toBe(true);
      // Claiming created the state row without a certificate or a failure.
      expect((await store.getAcmeState("server"))?.certificate).toBeUndefined();
      expect((await store.getAcmeState("server"))?.failures).toBe(0);
    });
  });
}
