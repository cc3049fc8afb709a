import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SampleCredentialStore } from "../ports.js";
import { expectCode, T0 } from "../testing/fixtures.js";
import type { SampleCredential } from "../types.js";
import { dynamoSampleCredentials } from "./sample-credentials.js";
import { startLocalDynamo, type LocalDynamo } from "./testing/local-table.js";

let local: LocalDynamo;
let store: SampleCredentialStore;

beforeAll(async () => {
  local = await startLocalDynamo();
});
afterAll(async () => {
  await local.close();
});
beforeEach(async () => {
  store = dynamoSampleCredentials(local.client, await local.table());
});

const cred = (fqdn: string, extra: Partial<SampleCredential> = {}): SampleCredential => ({
  fqdn,
  secret: `secret of ${fqdn}`,
  hostId: 1,
  createdAt: T0,
  lastUsedAt: undefined,
  ...extra,
});

describe("DynamoDB sample credentials", () => {
  it("puts, gets and lists by fqdn; a second put replaces the first", async () => {
    await store.putSampleCredential(cred("b.example.com"));
    await store.putSampleCredential(cred("a.example.com", { hostId: 2, lastUsedAt: T0 + 1 }));
    expect(await store.getSampleCredential("a.example.com")).toEqual(
      cred("a.example.com", { hostId: 2, lastUsedAt: T0 + 1 }),
    );
    expect(await store.getSampleCredential("c.example.com")).toBeUndefined();
    await store.putSampleCredential(cred("b.example.com", { secret: "new", hostId: 3 }));
    expect(await store.listSampleCredentials()).toEqual([
      cred("a.example.com", { hostId: 2, lastUsedAt: T0 + 1 }),
      cred("b.example.com", { secret: "new", hostId: 3 }),
    ]);
  });

  it("keeps secrets verbatim (quotes, unicode, empty, 10 kB)", async () => {
    for (const [i, secret] of [`a"b\\c`, "ü✓\u0000", "", "s".repeat(10_000)].entries()) {
      await store.putSampleCredential(cred(`h${i}.example.com`, { secret }));
      expect((await store.getSampleCredential(`h${i}.example.com`))?.secret).toBe(secret);
    }
  });

  it("deletes once; false when absent", async () => {
    await store.putSampleCredential(cred("a.example.com"));
    expect(await store.deleteSampleCredential("a.example.com")).toBe(true);
    expect(await store.deleteSampleCredential("a.example.com")).toBe(false);
    expect(await store.getSampleCredential("a.example.com")).toBeUndefined();
  });

  it("touch records the last use and never creates a credential", async () => {
    await store.putSampleCredential(cred("a.example.com"));
    await store.touchSampleCredential("a.example.com", T0 + 5);
    expect((await store.getSampleCredential("a.example.com"))?.lastUsedAt).toBe(T0 + 5);
    await store.touchSampleCredential("ghost.example.com", T0);
    expect(await store.listSampleCredentials()).toHaveLength(1);
  });

  it("answers names DynamoDB cannot key (empty, over 1,024 bytes) without asking it", async () => {
    for (const fqdn of ["", "a".repeat(1025)]) {
      expect(await store.getSampleCredential(fqdn)).toBeUndefined();
      expect(await store.deleteSampleCredential(fqdn)).toBe(false);
      await store.touchSampleCredential(fqdn, T0);
      await expectCode(store.putSampleCredential(cred(fqdn)), "bad_request");
    }
  });

  it("a DynamoDB failure is store_unavailable with the SDK error as cause", async () => {
    const gone = dynamoSampleCredentials(local.client, "no-such-table");
    const e = await gone.listSampleCredentials().catch((x: unknown) => x);
    expect(e).toMatchObject({ name: "BeaconError", code: "store_unavailable" });
    expect((e as Error).cause).toMatchObject({ name: "ResourceNotFoundException" });
  });
});
