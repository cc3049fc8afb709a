// Nonces with several nodes: two verifiers ("nodes") on two stores of one PostgreSQL database (a
// throwaway cluster) and, always, on one memory store. A signed request accepted by node A is
// `replayed` on node B, also when both receive it at once; the token's key set through one store is
// the one the other verifies with.

import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BeaconError } from "../core/errors.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/ports.js";
import { openPostgresStore } from "../store/postgres/postgres-store.js";
import { startCluster } from "../store/postgres/testing/cluster.js";
import { migratedDatabases, type Databases } from "../store/postgres/testing/databases.js";
import { tokenFixture } from "../store/testing/fixtures.js";
import { createRequestSignatures, type SignedRequest } from "./request-signatures.js";
import { signRequest } from "./request-signer.js";

const cluster = await startCluster();
const NOW_S = 1_800_000_000;
const TARGET = "https://dns.example/nic/update?hostname=home.example.com&myip=81.2.69.142";

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "accepted",
    (e: unknown) => (e instanceof BeaconError ? e.code : `threw ${String(e)}`),
  );

function noncesOnOneStore(name: string, open: () => Promise<[Store, Store, () => Promise<void>]>) {
  describe(`signed-request nonces of two nodes on one store (${name})`, () => {
    it("a nonce accepted on node A is replayed on node B; of two at once exactly one is accepted", async () => {
      const [storeA, storeB, close] = await open();
      try {
        const pair = generateKeyPairSync("ed25519");
        await storeA.createToken(tokenFixture("tk_aaaaaaaaaa", { allowedCidrs: [] }));
        await storeA.setTokenSigning(
          "tk_aaaaaaaaaa",
          { alg: "ed25519", key: pair.publicKey.export({ type: "spki", format: "pem" }).toString() },
          false,
        );
        const node = (store: Store) =>
          createRequestSignatures({
            tokens: store,
            replay: store,
            clock: () => NOW_S * 1000,
            admit: (t) => t,
          });
        const [a, b] = [node(storeA), node(storeB)];
        const key = {
          alg: "ed25519",
          key: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        } as const;
        const signed = (): SignedRequest => {
          const h: Record<string, string> = {
            ...signRequest({ method: "GET", url: TARGET, keyid: "tk_aaaaaaaaaa", key, created: NOW_S }),
          };
          return { method: "GET", targetUri: TARGET, header: (n) => h[n], body: new Uint8Array() };
        };
        const first = signed();
        expect(await outcome(a.verify(first, undefined))).toBe("accepted");
        expect(await outcome(b.verify(first, undefined))).toBe("replayed");
        expect(await outcome(a.verify(first, undefined))).toBe("replayed");
        const second = signed();
        const both = await Promise.all([
          outcome(a.verify(second, undefined)),
          outcome(b.verify(second, undefined)),
        ]);
        expect(both.sort()).toEqual(["accepted", "replayed"]);
      } finally {
        await close();
      }
    });
  });
}

noncesOnOneStore("memory", () => {
  const store = createMemoryStore();
  return Promise.resolve([store, store, () => store.close()]);
});

describe.skipIf(cluster === undefined)("on PostgreSQL", () => {
  let databases: Databases;
  beforeAll(async () => {
    databases = await migratedDatabases(cluster!, "nonces");
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  noncesOnOneStore("PostgreSQL, two stores on one database", async () => {
    const url = await databases.fresh();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
  });
});
