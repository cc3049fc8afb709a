import { createHash } from "node:crypto";
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LimitStore, ZoneStore } from "../ports.js";
import { hostFixture, T0, zoneFixture } from "../testing/fixtures.js";
import { limitsContract } from "../testing/limits-contract.js";
import { dynamoLimits } from "./limits.js";
import { startLocalDynamo, type LocalDynamo } from "./testing/local-table.js";

let local: LocalDynamo;
let table: string;
let store: LimitStore & ZoneStore;

beforeAll(async () => {
  local = await startLocalDynamo();
});
afterAll(async () => {
  await local.close();
});
beforeEach(async () => {
  table = await local.table();
  store = { ...dynamoLimits(local.client, table), ...fakeHosts() };
});

/**
 * The only part of ZoneStore the host-flag tests use, faked: host items as the zone part of the store
 * writes them (`pk = "HOST#<fqdn>"`, `sk = "HOST"`, numeric `id`, a new id per host), nothing else.
 */
function fakeHosts(): ZoneStore {
  let lastId = 0;
  const zoneOf = new Map<string, string>();
  const hostKey = (fqdn: string) => ({ pk: { S: `HOST#${fqdn}` }, sk: { S: "HOST" } });
  const remove = (fqdn: string) =>
    local.client.send(new DeleteItemCommand({ TableName: table, Key: hostKey(fqdn) }));
  const fake: Partial<ZoneStore> = {
    createZone: (z) => Promise.resolve({ serial: 1, ...z }),
    async createHost(h) {
      const id = ++lastId;
      zoneOf.set(h.fqdn, h.zone);
      await local.client.send(
        new PutItemCommand({ TableName: table, Item: { ...hostKey(h.fqdn), id: { N: String(id) } } }),
      );
      return { ...h, id, implicit: false };
    },
    async deleteHost(fqdn) {
      zoneOf.delete(fqdn);
      await remove(fqdn);
      return true;
    },
    async deleteZone(zone) {
      for (const [fqdn, z] of zoneOf) if (z === zone) await fake.deleteHost?.(fqdn);
      return true;
    },
  };
  return fake as ZoneStore;
}

const bucketItem = async (k: string) => {
  const r = await local.client.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: "LIMITS" }, sk: { S: createHash("sha256").update(k).digest("hex") } },
    }),
  );
  return r.Item;
};

describe("DynamoDB limits", () => {
  limitsContract(() => store);

  it("sets ttl to the bucket's tat in epoch seconds, rounded up", async () => {
    await store.saveLimitBuckets([{ key: "k", consumedMs: 1, tat: T0 + 1_001 }], T0);
    expect((await bucketItem("k"))?.["ttl"]).toEqual({ N: String(T0 / 1000 + 2) });
  });

  it("adds up two savers of one bucket at once (compare-and-set, no lost update)", async () => {
    await store.saveLimitBuckets([{ key: "k", consumedMs: 0, tat: T0 + 1_000 }], T0);
    // Twenty concurrent saves, each adding 10 ms over a tat it saw long ago: every one must count.
    const saves = Array.from({ length: 20 }, () =>
      store.saveLimitBuckets([{ key: "k", consumedMs: 10, tat: T0 + 1 }], T0),
    );
    await Promise.all(saves);
    expect(await store.loadLimitBuckets(T0)).toEqual([{ key: "k", tat: T0 + 1_200 }]);
  });

  it("a new bucket already full again (tat <= now) is not written", async () => {
    expect(await store.saveLimitBuckets([{ key: "k", consumedMs: 0, tat: T0 }], T0)).toEqual([]);
    expect(await bucketItem("k")).toBeUndefined();
  });

  it("keeps the empty key and keys of any length (the sort key is their hash)", async () => {
    const keys = ["", "x".repeat(5_000)];
    const saved = await store.saveLimitBuckets(
      keys.map((key) => ({ key, consumedMs: 1, tat: T0 + 5 })),
      T0,
    );
    expect(saved.map((b) => b.key)).toEqual(keys);
  });

  it("flags of a host deleted and re-created behind its back do not count; flagging again works", async () => {
    await store.createHost(hostFixture("a.example.com", "example.com"));
    expect(await store.flagHost({ fqdn: "a.example.com", flaggedAt: T0, reason: "r" })).toBe(true);
    await store.deleteHost("a.example.com");
    expect(await store.clearHostFlag("a.example.com")).toBe(false);
    expect(await store.flagHost({ fqdn: "a.example.com", flaggedAt: T0, reason: "r" })).toBe(false);
    await store.createHost(hostFixture("a.example.com", "example.com"));
    expect(await store.listHostFlags()).toEqual([]);
    expect(await store.flagHost({ fqdn: "a.example.com", flaggedAt: T0 + 1, reason: "again" })).toBe(true);
    expect(await store.listHostFlags()).toEqual([
      { fqdn: "a.example.com", flaggedAt: T0 + 1, reason: "again" },
    ]);
  });

  it("refuses fqdns DynamoDB cannot key without asking it (empty, over 1,024 bytes)", async () => {
    await store.createZone(zoneFixture("example.com"));
    for (const fqdn of ["", "a".repeat(1025)]) {
      expect(await store.flagHost({ fqdn, flaggedAt: T0, reason: "r" })).toBe(false);
      expect(await store.clearHostFlag(fqdn)).toBe(false);
    }
  });

  it("a DynamoDB failure is store_unavailable with the SDK error as cause", async () => {
    const gone = dynamoLimits(local.client, "no-such-table");
    const e = await gone.loadLimitBuckets(T0).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: "BeaconError", code: "store_unavailable" });
    expect((e as Error).cause).toMatchObject({ name: "ResourceNotFoundException" });
  });
});
