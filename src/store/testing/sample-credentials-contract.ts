// The SampleCredentialStore part of the Store contract (called from runStoreContract and each
// adapter's port-modules test): one credential per name, replaced whole by put, listed sorted by fqdn,
// secrets kept verbatim (quotes, backslashes, SQL, non-ASCII), touch records the last use and ignores
// an absent name, delete reports whether there was one.

import { describe, expect, it } from "vitest";

import type { SampleCredentialStore } from "../ports.js";
import type { SampleCredential } from "../types.js";

const NOW = 1_700_000_000_000;
const credential = (fqdn: string, over: Partial<SampleCredential> = {}): SampleCredential => ({
  fqdn,
  secret: "SHARED_SECRET_1",
  hostId: 7,
  createdAt: NOW,
  lastUsedAt: undefined,
  ...over,
});

export function sampleCredentialsContract(get: () => SampleCredentialStore): void {
  describe("AWS-sample credentials", () => {
    it("stores a credential and reads it back; an unknown name has none", async () => {
      const store = get();
      await store.putSampleCredential(credential("home.example.com"));
      expect(await store.getSampleCredential("home.example.com")).toEqual(credential("home.example.com"));
      expect(await store.getSampleCredential("other.example.com")).toBeUndefined();
    });

    it("replaces a host's credential whole (new secret, host id, creation, no last use)", async () => {
      const store = get();
      await store.putSampleCredential(credential("home.example.com"));
      await store.touchSampleCredential("home.example.com", NOW + 5);
      const next = credential("home.example.com", { secret: "new", hostId: 9, createdAt: NOW + 10 });
      await store.putSampleCredential(next);
      expect(await store.getSampleCredential("home.example.com")).toEqual(next);
      expect(await store.listSampleCredentials()).toHaveLength(1);
    });

    it("lists by fqdn", async () => {
      const store = get();
      for (const name of ["b.example.com", "a.example.com", "c.example.org"])
        await store.putSampleCredential(credential(name));
      expect((await store.listSampleCredentials()).map((c) => c.fqdn)).toEqual([
        "a.example.com",
        "b.example.com",
        "c.example.org",
      ]);
    });

    it("keeps a hostile secret verbatim (quotes, backslash, SQL, non-ASCII, 1000 characters)", async () => {
      const store = get();
      const secrets = [
        `it's "q" \\ $1 -- ; drop table sample_credentials`,
        "sécret ✓ 秘密",
        "x".repeat(1000),
      ];
      for (const [i, secret] of secrets.entries())
        await store.putSampleCredential(credential(`h${i}.example.com`, { secret }));
      for (const [i, secret] of secrets.entries())
        expect((await store.getSampleCredential(`h${i}.example.com`))?.secret).toBe(secret);
    });

    it("records the last use; touching an absent name changes nothing", async () => {
      const store = get();
      await store.putSampleCredential(credential("home.example.com"));
      await store.touchSampleCredential("home.example.com", NOW + 60_000);
      await store.touchSampleCredential("absent.example.com", NOW + 60_000);
      expect((await store.getSampleCredential("home.example.com"))?.lastUsedAt).toBe(NOW + 60_000);
      expect(await store.getSampleCredential("absent.example.com")).toBeUndefined();
    });

    it("deletes, reporting whether there was one", async () => {
      const store = get();
      await store.putSampleCredential(credential("home.example.com"));
      expect(await store.deleteSampleCredential("home.example.com")).toBe(true);
      expect(await store.deleteSampleCredential("home.example.com")).toBe(false);
      expect(await store.getSampleCredential("home.example.com")).toBeUndefined();
    });
  });
}
