import { beforeEach, describe, expect, it } from "vitest";
import { recordingListener } from "./testing/recorders.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/ports.js";
import { createZoneService, type ZoneService } from "./zones.js";

let store: Store;
let zones: ZoneService;
let events: string[];

beforeEach(() => {
  store = createMemoryStore();
  events = [];
  zones = createZoneService({ store, clock: () => 1_700_000_000_000, listener: recordingListener(events) });
});

describe("zones", () => {
  it("creates a zone with the documented defaults and tells the listener", async () => {
    const z = await zones.addZone("Example.COM.");
    expect(z).toMatchObject({
      name: "example.com",
      ttl: 60,
      nameservers: ["ns1.example.com"],
      soa: {
        mname: "ns1.example.com",
        rname: "hostmaster.example.com",
        refresh: 3600,
        retry: 600,
        expire: 1209600,
        minimum: 60,
      },
      createdAt: 1_700_000_000_000,
    });
    expect(events).toEqual(["zone example.com"]);
    expect(await zones.listZones()).toHaveLength(1);
  });

  it("takes explicit name servers, ttl and SOA fields", async () => {
    const z = await zones.addZone("example.net", {
      nameservers: ["a.ns.example.org", "b.ns.example.org"],
      ttl: 300,
      contact: "dns@example.org",
      minimum: 120,
    });
    expect(z.soa).toMatchObject({ mname: "a.ns.example.org", rname: "dns.example.org", minimum: 120 });
    expect(z.ttl).toBe(300);
  });

  it.each([
    ["bad name", "exa mple.com", {}, "invalid_hostname"],
    ["ttl 0", "example.com", { ttl: 0 }, "invalid_ttl"],
    ["empty NS list", "example.com", { nameservers: [] }, "bad_request"],
    ["negative refresh", "example.com", { refresh: -1 }, "invalid_soa"],
    ["retry as long as refresh", "example.com", { refresh: 600, retry: 600 }, "invalid_soa"],
  ])("refuses %s", async (_n, name, opts, code) => {
    await expect(zones.addZone(name, opts)).rejects.toMatchObject({ code });
    expect(events).toEqual([]);
  });

  it("setZone changes SOA values and TTL, advances the serial once and tells the listener", async () => {
    const before = await zones.addZone("example.com");
    events.length = 0;
    const z = await zones.setZone("Example.com.", {
      refresh: 14_400,
      retry: 3600,
      expire: 1_814_400,
      minimum: 300,
      contact: "dns-admin@example.org",
      mname: "NS1.Example.org",
      ttl: 3600,
    });
    expect(z).toMatchObject({
      serial: before.serial + 1,
      ttl: 3600,
      soa: {
        mname: "ns1.example.org",
        rname: "dns-admin.example.org",
        refresh: 14_400,
        retry: 3600,
        expire: 1_814_400,
        minimum: 300,
      },
    });
    expect(events).toEqual(["zone example.com"]);
    expect(await store.getZone("example.com")).toEqual(z);
    // the same values again change nothing: no new serial, no event
    events.length = 0;
    expect((await zones.setZone("example.com", { minimum: 300 })).serial).toBe(z.serial);
    expect(events).toEqual([]);
  });

  // Hostile values: negative, zero, huge, fractional, NaN, retry ≥ refresh, a dotted mailbox, non-ASCII.
  it.each([
    ["negative refresh", { refresh: -3600 }, "invalid_soa", "refresh"],
    ["zero minimum", { minimum: 0 }, "invalid_soa", "minimum"],
    ["huge expire", { expire: 2 ** 40 }, "invalid_soa", "expire"],
    ["expire of one hour", { expire: 3600 }, "invalid_soa", "expire"],
    ["fractional retry", { retry: 1.5 }, "invalid_soa", "retry"],
    ["NaN refresh", { refresh: Number.NaN }, "invalid_soa", "refresh"],
    ["retry longer than refresh", { retry: 7200 }, "invalid_soa", "retry"],
    ["a dotted mailbox", { contact: "john.doe@example.com" }, "invalid_soa", "contact"],
    ["a non-ASCII mailbox", { contact: "hostmaster@exaKple.com" }, "invalid_soa", "contact"],
    ["a bad mname", { mname: "ns 1.example.com" }, "invalid_soa", "mname"],
    ["ttl 0", { ttl: 0 }, "invalid_ttl", undefined],
  ])("setZone refuses %s, changing nothing", async (_n, settings, code, field) => {
    const before = await zones.addZone("example.com");
    events.length = 0;
    const err = await zones.setZone("example.com", settings).catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    if (field !== undefined) expect(err).toMatchObject({ details: { field } });
    expect(await store.getZone("example.com")).toEqual(before);
    expect(events).toEqual([]);
  });

  it("setZone of an absent zone is zone_not_found", async () => {
    await expect(zones.setZone("nowhere.example", { minimum: 300 })).rejects.toMatchObject({
      code: "zone_not_found",
    });
  });

  it("refuses a duplicate zone with zone_exists", async () => {
    await zones.addZone("example.com");
    await expect(zones.addZone("example.com")).rejects.toMatchObject({ code: "zone_exists" });
  });

  it("removes zones: zone_not_empty without cascade, zone_not_found when absent", async () => {
    await zones.addZone("example.com");
    await zones.addHost("home.example.com");
    await expect(zones.removeZone("example.com")).rejects.toMatchObject({ code: "zone_not_empty" });
    events.length = 0;
    await zones.removeZone("example.com", { cascade: true });
    expect(events).toEqual(["zoneRemoved example.com"]);
    await expect(zones.removeZone("example.com")).rejects.toMatchObject({ code: "zone_not_found" });
  });
});

describe("hosts", () => {
  beforeEach(async () => {
    await zones.addZone("example.com");
    await zones.addZone("sub.example.com");
    events.length = 0;
  });

  it("puts a host in the longest containing zone and reports host then serial", async () => {
    const h = await zones.addHost("a.sub.example.com", { ttl: 30, description: " cam " });
    expect(h).toMatchObject({
      fqdn: "a.sub.example.com",
      zone: "sub.example.com",
      ttl: 30,
      description: "cam",
    });
    expect(events).toEqual(["host a.sub.example.com", "serial sub.example.com"]);
    expect((await zones.addHost("b.example.com")).zone).toBe("example.com");
    expect((await zones.listHosts("sub.example.com")).map((x) => x.fqdn)).toEqual(["a.sub.example.com"]);
    expect((await zones.listHosts()).map((x) => x.fqdn)).toEqual(["a.sub.example.com", "b.example.com"]);
  });

  it.each([
    ["outside any zone", "home.example.org", "outside_zone"],
    ["the zone apex", "sub.example.com", "invalid_hostname"],
    ["an invalid name", "-bad.example.com", "invalid_hostname"],
  ])("refuses %s", async (_n, name, code) => {
    await expect(zones.addHost(name)).rejects.toMatchObject({ code });
    expect(events).toEqual([]);
  });

  it.each([
    ["x.example.org", "beacon zone add example.org"],
    ["a.b.example.org", "beacon zone add b.example.org"],
    ["localhost", "beacon zone add <zone>"],
  ])("outside every zone, %s is told which zone to add and where to list them", async (name, add) => {
    await expect(zones.addHost(name)).rejects.toMatchObject({
      code: "outside_zone",
      message: `"${name}" is not inside any zone; create it with \`${add}\` (or on the console's Zones page) or see \`beacon zone list\``,
    });
  });

  it("refuses a duplicate host and an invalid ttl", async () => {
    await zones.addHost("a.example.com");
    await expect(zones.addHost("a.example.com")).rejects.toMatchObject({ code: "host_exists" });
    await expect(zones.addHost("b.example.com", { ttl: 0 })).rejects.toMatchObject({ code: "invalid_ttl" });
  });

  it("shows a host with its zone and sets; host_not_found when absent", async () => {
    await zones.addHost("a.example.com");
    const view = await zones.showHost("A.example.com.");
    expect(view.host.fqdn).toBe("a.example.com");
    expect(view.zone.name).toBe("example.com");
    expect(view.rrsets).toEqual([]);
    await expect(zones.showHost("b.example.com")).rejects.toMatchObject({ code: "host_not_found" });
  });

  it("removes a host and reports it; host_not_found the second time", async () => {
    await zones.addHost("a.example.com");
    events.length = 0;
    await zones.removeHost("a.example.com");
    expect(events).toEqual(["hostRemoved a.example.com", "serial example.com"]);
    await expect(zones.removeHost("a.example.com")).rejects.toMatchObject({ code: "host_not_found" });
  });

  it("listHosts of an unknown zone is zone_not_found", async () => {
    await expect(zones.listHosts("example.org")).rejects.toMatchObject({ code: "zone_not_found" });
  });
});
