import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/ports.js";
import { createUpdateService } from "./apply-update.js";
import { createHistoryService, type HistoryService } from "./history.js";
import { silentLog } from "../core/log.js";
import { recordingListener } from "./testing/recorders.js";
import { createZoneService } from "./zones.js";

let store: Store;
let history: HistoryService;

beforeEach(async () => {
  store = createMemoryStore();
  const listener = recordingListener([]);
  const zones = createZoneService({ store, clock: () => 1, listener });
  await zones.addZone("example.com");
  await zones.addHost("home.example.com");
  await zones.addHost("quiet.example.com");
  const updates = createUpdateService({
    store,
    clock: () => 2,
    listener,
    log: silentLog,
    allowNonGlobal: false,
  });
  for (let i = 1; i <= 5; i++) {
    await updates.update({
      token: undefined,
      hosts: ["home.example.com"],
      sets: { A: { values: [`81.2.69.${i}`] } },
      source: { ip: "81.2.69.1", userAgent: undefined, protocol: "cli", tokenId: undefined },
    });
  }
  history = createHistoryService({ store });
});

/** The current host of that name. */
async function host(fqdn: string) {
  const h = await store.getHost(fqdn);
  if (h === undefined) throw new Error(`no host ${fqdn}`);
  return h;
}

describe("history", () => {
  it("pages newest first with next until the end", async () => {
    const home = await host("home.example.com");
    const first = await history.ofHost(home, { limit: 2 });
    expect(first.entries.map((e) => e.newValues)).toEqual([["81.2.69.5"], ["81.2.69.4"]]);
    expect(first.next).toBeDefined();
    const second = await history.ofHost(home, { limit: 2, before: first.next });
    expect(second.entries.map((e) => e.newValues)).toEqual([["81.2.69.3"], ["81.2.69.2"]]);
    const third = await history.ofHost(home, { limit: 2, before: second.next });
    expect(third.entries.map((e) => e.newValues)).toEqual([["81.2.69.1"]]);
    expect(third.next).toBeUndefined();
  });

  it("an exact page has no next", async () => {
    expect((await history.ofHost(await host("home.example.com"), { limit: 5 })).next).toBeUndefined();
  });

  it("an existing host without history is an empty list; a name never used is host_not_found", async () => {
    expect(await history.ofHost(await host("quiet.example.com"))).toEqual({ entries: [] });
    expect(await history.ofName("quiet.example.com")).toEqual({ entries: [] });
    await expect(history.ofName("nope.example.com")).rejects.toMatchObject({ code: "host_not_found" });
  });

  it("a host created again under a deleted host's name starts with an empty history", async () => {
    const first = await host("home.example.com");
    const zones = createZoneService({ store, clock: () => 3, listener: recordingListener([]) });
    await zones.removeHost("home.example.com");
    const second = await zones.addHost("home.example.com");
    expect(second.id).not.toBe(first.id);
    expect(await history.ofHost(second)).toEqual({ entries: [] });
    // The administrators' view of the name still has the deleted host's entries.
    const named = await history.ofName("home.example.com");
    expect(named.entries.map((e) => e.hostId)).toEqual([first.id, first.id, first.id, first.id, first.id]);
  });

  it.each([[0], [1001], [1.5]])("refuses limit %s", async (limit) => {
    await expect(history.ofHost(await host("home.example.com"), { limit })).rejects.toMatchObject({
      code: "bad_request",
    });
    await expect(history.ofName("home.example.com", { limit })).rejects.toMatchObject({
      code: "bad_request",
    });
  });
});
