import { beforeEach, describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { isGlobalUnicast } from "../../core/ip.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { recordingListener } from "../testing/recorders.js";
import { createZoneService } from "../zones.js";
import { createHealthAdmin } from "./admin.js";

const NOW = 1_700_000_000_000;
let store: Store;
let changes: number;
let admin: ReturnType<typeof createHealthAdmin>;

const definition = (over: object = {}) => ({
  name: "www.example.com",
  type: "A",
  check: { type: "tcp", port: 443 },
  members: [
    { id: "a", address: "64.0.0.10" },
    { id: "b", host: "line.example.com", priority: 2 },
  ],
  ...over,
});

beforeEach(async () => {
  store = createMemoryStore();
  const zones = createZoneService({ store, clock: () => NOW, listener: recordingListener([]) });
  await zones.addZone("example.com");
  changes = 0;
  admin = createHealthAdmin({
    store,
    zones,
    clock: () => NOW,
    node: "n1",
    acceptsAddress: isGlobalUnicast,
    changed: () => changes++,
  });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BeaconError) return e.code;
    throw e;
  }
  return "resolved";
}

describe("managing pools", () => {
  test("put validates, creates the owner host (never implicit), stores the pool and says so", async () => {
    const { pool, created } = await admin.put(definition());
    expect(created).toBe(true);
    expect(pool.check).toMatchObject({ intervalMs: 10_000, rise: 2, fall: 3 });
    expect((await store.getHost("www.example.com"))?.implicit).toBe(false);
    expect(changes).toBe(1);
    expect((await admin.put(definition())).created).toBe(false);
  });

  test("refuses what could never be published, or is outside every zone", async () => {
    expect(await code(admin.put(definition({ members: [{ id: "a", address: "10.0.0.1" }] })))).toBe(
      "invalid_pool",
    );
    expect(await code(admin.put(definition({ whenAllDown: "fallback", fallback: ["127.0.0.1"] })))).toBe(
      "invalid_pool",
    );
    expect(await code(admin.put(definition({ name: "www.elsewhere.org" })))).toBe("outside_zone");
    expect(await code(admin.put({ name: "www.example.com" }))).toBe("invalid_pool");
    expect(await code(admin.put("not an object"))).toBe("invalid_pool");
    expect(await store.listPools()).toEqual([]);
    expect(changes).toBe(0);
  });

  test("views from the store: members with their addresses, the nodes' saved states, what is published", async () => {
    await admin.put(definition());
    await store.saveMemberHealth(
      "n1",
      [{ pool: "www.example.com", member: "a", status: "down", streak: 0, since: NOW }],
      NOW,
    );
    const view = await admin.get("www.example.com");
    expect(view?.members.map((m) => [m.id, m.status, m.addresses])).toEqual([
      ["a", "down", ["64.0.0.10"]],
      ["b", "unknown", []],
    ]);
    expect(view?.members[0]?.local?.status).toBe("down");
    expect(view?.members[0]?.nodes).toEqual([{ node: "n1", status: "down", observedAt: NOW }]);
    expect(view?.published).toBeUndefined();
    expect(view?.allDown).toBe(true); // a is down and b has no address
    expect(await admin.list()).toHaveLength(1);
    expect(await admin.get("nothing.example.com")).toBeUndefined();
  });

  test("overrides are checked, recorded as transitions and win in views", async () => {
    await admin.put(definition());
    expect(await code(admin.setOverride("nope.example.com", "a", "forced_up"))).toBe("pool_not_found");
    expect(await code(admin.setOverride("www.example.com", "zz", "forced_up"))).toBe("member_not_found");
    await admin.setOverride("www.example.com", "a", "maintenance");
    await admin.setOverride("www.example.com", "a", "maintenance"); // no change, no transition
    const [t, ...rest] = await admin.transitions("www.example.com", { limit: 10 });
    expect(rest).toEqual([]);
    expect(t).toMatchObject({ member: "a", from: "none", to: "maintenance", node: "n1" });
    expect((await admin.get("www.example.com"))?.members[0]).toMatchObject({
      override: "maintenance",
      status: "down",
    });
    expect(await code(admin.transitions("nope.example.com", { limit: 1 }))).toBe("pool_not_found");
    expect(await code(admin.rollups("nope.example.com", 1000))).toBe("pool_not_found");
  });

  test("a heartbeat is recorded and names the pools whose heartbeat members follow the host", async () => {
    expect(await admin.beat("line.example.com")).toEqual([]);
    await admin.put(
      definition({
        check: { type: "heartbeat" },
        members: [{ id: "l", host: "line.example.com" }],
      }),
    );
    expect(await admin.beat("line.example.com")).toEqual(["www.example.com"]);
    expect((await store.listHeartbeats()).get("line.example.com")).toBe(NOW);
  });

  test("delete says whether there was a pool", async () => {
    await admin.put(definition());
    expect(await admin.delete("www.example.com")).toBe(true);
    expect(await admin.delete("www.example.com")).toBe(false);
    expect(changes).toBe(2);
  });
});
