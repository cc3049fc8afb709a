// The commit log against dynalite, with faults: a commit whose apply step fails midway is rolled
// forward by the next reader and never seen half done; a late roller of an old batch changes nothing
// (puts are fenced by version, deletes leave tombstones); a read overtaken by a commit reads again;
// concurrent writers on one table lose no
// change; SDK failures become store_unavailable; a batch too large for the head is refused whole.

import { GetItemCommand, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Store } from "../ports.js";
import {
  batch,
  expectCode,
  historyFixture,
  hostFixture,
  seedExampleZones,
  serialOf,
  setA,
  T0,
  zoneFixture,
} from "../testing/fixtures.js";
import { openDynamoStore } from "./dynamodb-store.js";
import type { Dynamo } from "./table.js";
import { startDynalite, type Dynalite } from "./testing/dynalite.js";

let dyn: Dynalite;

beforeAll(async () => {
  dyn = await startDynalite();
});

afterAll(async () => {
  await dyn.stop();
});

/** dyn.client, with `hook` run before each command of a kind (the nth since creation, from 1). */
function withHook(
  kind: typeof PutItemCommand | typeof QueryCommand,
  hook: (n: number) => Promise<void> | void,
): Dynamo {
  let seen = 0;
  const send = async (cmd: unknown) => {
    if (cmd instanceof kind) await hook(++seen);
    return dyn.client.send(cmd as GetItemCommand);
  };
  return { send };
}

async function pendingOnHead(table: string): Promise<boolean> {
  const out = await dyn.client.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: "COMMIT" }, sk: { S: "HEAD" } },
      ConsistentRead: true,
    }),
  );
  return out.Item?.p !== undefined;
}

async function seeded(): Promise<{ table: string; good: Store }> {
  const table = await dyn.newTable();
  const good = openDynamoStore({ client: dyn.client, table });
  await seedExampleZones(good);
  await good.createMirror({
    id: "m1",
    zone: "example.com",
    provider: "route53",
    settings: {},
    createdAt: T0,
  });
  return { table, good };
}

describe("DynamoDB commit log", () => {
  // The batch writes 2 sets, 1 zone, 2 history entries with their index rows, 2 outbox rows: 9 puts.
  for (const failAt of [1, 2, 5, 9]) {
    it(`rolls forward a commit whose PutItem ${failAt} of 9 failed; no reader sees it half done`, async () => {
      const { table, good } = await seeded();
      const failing = openDynamoStore({
        client: withHook(PutItemCommand, (n) => {
          if (n === failAt) throw Object.assign(new Error("connection reset"), { name: "TimeoutError" });
        }),
        table,
      });
      const change = batch(
        [setA("a.example.com", ["192.0.2.1"]), setA("b.example.com", ["192.0.2.2"])],
        [historyFixture("a.example.com"), historyFixture("b.example.com")],
      );
      await expectCode(failing.commit(change), "store_unavailable");
      expect(await pendingOnHead(table)).toBe(true); // durable, not yet applied

      // The first read rolls it forward: everything is there at once.
      expect((await good.getRRSets("b.example.com")).map((s) => s.values)).toEqual([["192.0.2.2"]]);
      expect(await pendingOnHead(table)).toBe(false);
      expect((await good.getRRSets("a.example.com")).map((s) => s.values)).toEqual([["192.0.2.1"]]);
      expect(await serialOf(good, "example.com")).toBe(1003);
      expect(await good.listHistory("a.example.com")).toHaveLength(1);
      expect(await good.listHistory("b.example.com")).toHaveLength(1);
      expect((await good.pendingOutbox("m1", 10)).map((r) => r.fqdn)).toEqual([
        "a.example.com",
        "b.example.com",
      ]);
    });
  }

  it("a late put from an old batch neither overwrites nor resurrects what newer commits wrote", async () => {
    const { table, good } = await seeded();
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = openDynamoStore({
      client: withHook(PutItemCommand, async (n) => {
        if (n !== 1) return;
        reached();
        await gate; // the set's put of this commit is held back
      }),
      table,
    });
    const late = slow.commit(batch([setA("a.example.com", ["192.0.2.66"])]));
    await atGate;
    // Meanwhile another writer rolls that commit forward, deletes the host and creates it again.
    expect(await good.deleteHost("a.example.com", T0 + 5)).toBe(true);
    await good.createHost(hostFixture("a.example.com", "example.com"));
    release();
    await late;
    expect(await good.getRRSets("a.example.com")).toEqual([]);
    expect(await serialOf(good, "example.com")).toBe(1005);
    expect(await pendingOnHead(table)).toBe(false);
  });

  it("a read that a commit overtakes reads again: a snapshot never mixes two versions", async () => {
    const { table, good } = await seeded();
    const reader = openDynamoStore({
      client: withHook(QueryCommand, async (n) => {
        // Between reading the zones and reading example.com's content, another writer commits.
        if (n === 2) await good.commit(batch([setA("a.example.com", ["192.0.2.7"])]));
      }),
      table,
    });
    const snap = await reader.snapshot();
    expect(snap.zones.find((z) => z.name === "example.com")?.serial).toBe(1003);
    expect(snap.rrsets.map((s) => [s.fqdn, s.values])).toEqual([["a.example.com", ["192.0.2.7"]]]);
  });

  it("serialises concurrent writers of two stores on one table: no change is lost", async () => {
    const table = await dyn.newTable();
    const one = openDynamoStore({ client: dyn.client, table });
    const two = openDynamoStore({ client: dyn.client, table });
    await one.createZone(zoneFixture("example.com"));
    const names = Array.from({ length: 8 }, (_, i) => `h${i}.example.com`);
    const hosts = await Promise.all(
      names.map((f, i) => (i % 2 === 0 ? one : two).createHost(hostFixture(f, "example.com"))),
    );
    expect(new Set(hosts.map((h) => h.id)).size).toBe(8);
    expect((await two.listHosts()).map((h) => h.fqdn)).toEqual(names);
    expect(await serialOf(one, "example.com")).toBe(1008);
    await Promise.all(names.map((f, i) => (i % 2 === 0 ? two : one).commit(batch([], [historyFixture(f)]))));
    const ids = (await Promise.all(names.map((f) => one.listHistory(f)))).flat().map((e) => e.id);
    expect(new Set(ids).size).toBe(8);
  });

  it("refuses a batch too large for the commit head, writing nothing", async () => {
    const { good } = await seeded();
    const values = Array.from({ length: 1500 }, (_, i) => `${i}`.padEnd(250, "x"));
    await expectCode(
      good.commit(batch([{ fqdn: "a.example.com", type: "TXT", rrset: { ttl: 60, values } }])),
      "parameter_too_large",
    );
    expect(await good.getRRSets("a.example.com")).toEqual([]);
    expect(await serialOf(good, "example.com")).toBe(1002);
    expect(await good.pendingOutbox("m1", 10)).toEqual([]);
  });

  it("turns SDK failures (throttling included) into store_unavailable with the cause", async () => {
    const table = await dyn.newTable();
    const throttled = openDynamoStore({
      client: {
        send: () => Promise.reject(Object.assign(new Error("slow down"), { name: "ThrottlingException" })),
      },
      table,
    });
    await expectCode(throttled.getZone("example.com"), "store_unavailable");
    await expectCode(throttled.commit(batch([])), "store_unavailable");
    await expect(throttled.listZones()).rejects.toMatchObject({
      cause: { name: "ThrottlingException" },
    });
  });

  it("rejects the ports the serverless edition lacks with not_supported", async () => {
    const store = openDynamoStore({ client: dyn.client, table: await dyn.newTable() });
    await expectCode(store.listTsigKeys(), "not_supported");
    await expectCode(store.countUsers(), "not_supported");
    await expectCode(store.listPools(), "not_supported");
    await expect(store.listWebhooks()).rejects.toThrow(/not available on the DynamoDB store/);
  });
});
