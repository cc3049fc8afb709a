import { beforeEach, describe, expect, it } from "vitest";

import { BeaconError } from "../../core/errors.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import { hostFixture, T0, zoneFixture } from "../../store/testing/fixtures.js";
import type { Store } from "../../store/ports.js";
import { createMirrorService, type MirrorService } from "./mirrors.js";

describe("mirror service", () => {
  let store: Store;
  let service: MirrorService;
  let checked: { id: string; provider: string; settings: unknown }[];

  beforeEach(async () => {
    store = createMemoryStore();
    checked = [];
    service = createMirrorService({
      store,
      clock: () => T0,
      checkSettings: (id, provider, settings) => {
        checked.push({ id, provider, settings });
        if (settings["bad"] !== undefined) throw new BeaconError("bad_request", "setting bad: not allowed");
      },
    });
    await store.createZone(zoneFixture("example.com"));
    await store.createHost(hostFixture("a.example.com", "example.com"));
    await store.commit({
      writes: [{ fqdn: "a.example.com", type: "A", rrset: { ttl: 60, values: ["192.0.2.1"] } }],
      history: [],
      at: T0,
    });
  });

  it("adds a mirror of a normalised zone, checks its settings and queues the zone's sets", async () => {
    const { mirror, queued } = await service.add("cf-1", {
      zone: "Example.COM.",
      provider: "cloudflare",
      settings: { api_token_file: "/run/cf" },
    });
    expect(mirror).toEqual({
      id: "cf-1",
      zone: "example.com",
      provider: "cloudflare",
      settings: { api_token_file: "/run/cf" },
      createdAt: T0,
    });
    expect(queued).toBe(1);
    expect(checked).toEqual([
      { id: "cf-1", provider: "cloudflare", settings: { api_token_file: "/run/cf" } },
    ]);
    expect((await store.pendingOutbox("cf-1", 10)).map((r) => r.rrset?.values)).toEqual([["192.0.2.1"]]);
  });

  it.each(["", "-x", "_x", "Upper", "a b", "a.b", "a/b", "é", "a".repeat(64)])(
    "refuses the mirror id %j with bad_request",
    async (id) => {
      await expect(
        service.add(id, { zone: "example.com", provider: "p", settings: {} }),
      ).rejects.toMatchObject({
        code: "bad_request",
      });
      expect(await store.listMirrors()).toEqual([]);
    },
  );

  it("accepts ids up to 63 characters with digits, _ and -", async () => {
    for (const id of ["a", "0", "a_b-c9", "a".repeat(63)]) {
      await service.add(id, { zone: "example.com", provider: "p", settings: {} });
    }
    expect(await store.listMirrors()).toHaveLength(4);
  });

  it("refuses a missing zone and settings the provider rejects, creating nothing", async () => {
    await expect(
      service.add("m", { zone: "nope.example", provider: "p", settings: {} }),
    ).rejects.toMatchObject({
      code: "zone_not_found",
    });
    await expect(
      service.add("m", { zone: "example.com", provider: "p", settings: { bad: 1 } }),
    ).rejects.toThrow("setting bad");
    expect(await store.listMirrors()).toEqual([]);
    await expect(service.list("nope.example")).rejects.toMatchObject({ code: "zone_not_found" });
  });

  it("removes, resyncs and reports", async () => {
    await service.add("m", { zone: "example.com", provider: "p", settings: {} });
    expect(await service.resync("m")).toBe(1);
    expect((await service.status())[0]?.pending).toBe(2);
    await service.remove("m");
    await expect(service.remove("m")).rejects.toMatchObject({ code: "mirror_not_found" });
    await expect(service.resync("m")).rejects.toMatchObject({ code: "mirror_not_found" });
    expect(await service.list("example.com")).toEqual([]);
  });
});
