import { beforeEach, describe, expect, it } from "vitest";
import { adminHarness, problemOf, START, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
});

const PROBLEM = "application/problem+json";

describe("GET /zones", () => {
  it("lists zones with their host and mirror counts", async () => {
    await h.api("/mirrors", {
      method: "POST",
      body: { id: "m1", zone: "example.com", provider: "fake", settings: { api_token: "x" } },
    });
    const res = await h.api("/zones");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      zones: [
        {
          name: "example.com",
          serial: expect.any(Number) as number,
          ttl: 60,
          nameservers: ["ns1.example.com"],
          soa: {
            mname: "ns1.example.com",
            rname: "hostmaster.example.com",
            contact: "hostmaster@example.com",
            refresh: 3600,
            retry: 600,
            expire: 1_209_600,
            minimum: 60,
          },
          hosts: 1,
          mirrors: 1,
          createdAt: new Date(START).toISOString(),
        },
      ],
    });
  });
});

describe("POST /zones", () => {
  it("creates a zone (canonical name, given ttl and name servers)", async () => {
    const res = await h.api("/zones", {
      method: "POST",
      body: { name: "Dyn.Example.ORG.", ttl: 300, nameservers: ["NS1.example.net", "ns2.example.net."] },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      zone: {
        name: "dyn.example.org",
        ttl: 300,
        nameservers: ["ns1.example.net", "ns2.example.net"],
        hosts: 0,
      },
    });
    expect(h.events).toContain("zone dyn.example.org");
    expect((await h.store.getZone("dyn.example.org"))?.ttl).toBe(300);
  });

  it.each([
    ["an existing zone", { name: "example.com" }, 409, "zone_exists"],
    ["a bad name", { name: "bad name" }, 400, "invalid_hostname"],
    ["a 10k-char name", { name: "a".repeat(10_000) }, 400, "bad_request"],
    ["a negative ttl", { name: "x.org", ttl: -5 }, 400, "invalid_ttl"],
    ["a float ttl", { name: "x.org", ttl: 1.5 }, 400, "invalid_ttl"],
    ["a string ttl", { name: "x.org", ttl: "60" }, 400, "bad_request"],
    ["no name servers", { name: "x.org", nameservers: [] }, 400, "bad_request"],
    ["a bad name server", { name: "x.org", nameservers: ["ns 1"] }, 400, "invalid_hostname"],
    ["an unknown field", { name: "x.org", soa: {} }, 400, "bad_request"],
    ["an array", [{ name: "x.org" }], 400, "bad_request"],
    ["null", null, 400, "bad_request"],
  ])("refuses %s", async (_n, body, status, code) => {
    const res = await h.api("/zones", { method: "POST", body });
    expect(await problemOf(res)).toEqual({ status, code, type: PROBLEM });
    expect((await h.store.listZones()).map((z) => z.name)).toEqual(["example.com"]);
  });

  it("refuses a body that is not JSON", async () => {
    const res = await h.api("/zones", { method: "POST", raw: "name=x.org" });
    expect(await problemOf(res)).toEqual({ status: 400, code: "bad_request", type: PROBLEM });
  });
});

describe("SOA values", () => {
  it("POST takes them at creation", async () => {
    const res = await h.api("/zones", {
      method: "POST",
      body: { name: "dyn.example.org", refresh: 14_400, minimum: 300, contact: "dns@example.org" },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      zone: { soa: { refresh: 14_400, minimum: 300, rname: "dns.example.org", contact: "dns@example.org" } },
    });
  });

  it("PATCH changes them, advances the serial once and tells the DNS side", async () => {
    const before = (await h.store.getZone("example.com"))!;
    h.events.length = 0;
    const res = await h.api("/zones/example.com", {
      method: "PATCH",
      body: {
        refresh: 14_400,
        retry: 3600,
        expire: 1_814_400,
        minimum: 300,
        contact: "ops@example.net",
        ttl: 300,
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      zone: {
        name: "example.com",
        serial: before.serial + 1,
        ttl: 300,
        hosts: 1,
        soa: { refresh: 14_400, retry: 3600, expire: 1_814_400, minimum: 300, rname: "ops.example.net" },
      },
    });
    expect(h.events).toEqual(["zone example.com"]);
  });

  // Hostile bodies: out of range, negative, huge, strings, unknown fields, a dotted mailbox.
  it.each([
    ["a negative refresh", { refresh: -1 }, "invalid_soa"],
    ["a huge expire", { expire: 1e12 }, "invalid_soa"],
    ["a zero minimum", { minimum: 0 }, "invalid_soa"],
    ["retry above refresh", { retry: 7200 }, "invalid_soa"],
    ["a dotted mailbox", { contact: "john.doe@example.com" }, "invalid_soa"],
    ["a string refresh", { refresh: "3600" }, "bad_request"],
    ["an unknown field", { serial: 1 }, "bad_request"],
    ["the whole SOA as an object", { soa: { refresh: 3600 } }, "bad_request"],
    ["a negative ttl", { ttl: -60 }, "invalid_ttl"],
  ])("PATCH refuses %s and changes nothing", async (_n, body, code) => {
    const before = await h.store.getZone("example.com");
    const res = await h.api("/zones/example.com", { method: "PATCH", body });
    expect(await problemOf(res)).toEqual({ status: 400, code, type: PROBLEM });
    expect(await h.store.getZone("example.com")).toEqual(before);
  });

  it("PATCH of an absent zone is 404 zone_not_found", async () => {
    const res = await h.api("/zones/nowhere.example", { method: "PATCH", body: { minimum: 300 } });
    expect(await problemOf(res)).toEqual({ status: 404, code: "zone_not_found", type: PROBLEM });
  });
});

describe("DELETE /zones/:name", () => {
  it("refuses a zone with hosts without cascade, deletes it with cascade=1", async () => {
    expect(await problemOf(await h.api("/zones/example.com", { method: "DELETE" }))).toEqual({
      status: 409,
      code: "zone_not_empty",
      type: PROBLEM,
    });
    const res = await h.api("/zones/example.com?cascade=1", { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await h.store.listZones()).toEqual([]);
    expect(await h.store.getHost("home.example.com")).toBeUndefined();
    expect(h.calls.mirrorsChanged).toBe(1);
  });

  it.each([
    ["an unknown zone", "/zones/nothing.org", 404, "zone_not_found"],
    ["a bad name", "/zones/bad%20name", 400, "invalid_hostname"],
    ["a bad cascade flag", "/zones/example.com?cascade=yes", 400, "bad_request"],
  ])("refuses %s", async (_n, path, status, code) => {
    expect(await problemOf(await h.api(path, { method: "DELETE" }))).toEqual({ status, code, type: PROBLEM });
    expect(await h.store.getZone("example.com")).toBeDefined();
  });
});
