import { beforeEach, describe, expect, it } from "vitest";
import { ADMIN_IP, adminHarness, BROWSER_UA, problemOf, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
});

const PROBLEM = "application/problem+json";
const put = (path: string, body: unknown) => h.api(path, { method: "PUT", body });

describe("PUT /hosts/:fqdn/records/:type", () => {
  it("changes the set through the update service: good, then nochg; history says admin", async () => {
    const res = await put("/hosts/home.example.com/records/a", { values: ["81.2.69.160"], ttl: 300 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "good",
      fqdn: "home.example.com",
      records: [{ type: "A", ttl: 300, values: ["81.2.69.160"], updatedAt: null }],
    });
    expect(h.events).toContain("host home.example.com A=81.2.69.160");
    const again = await put("/hosts/home.example.com/records/A", { values: ["81.2.69.160"], ttl: 300 });
    expect(await again.json()).toMatchObject({ status: "nochg" });
    const [entry] = await h.store.listHistory("home.example.com");
    expect(entry).toMatchObject({
      protocol: "admin",
      tokenId: undefined,
      sourceIp: ADMIN_IP,
      userAgent: BROWSER_UA,
      outcome: "nochg",
    });
  });

  it("takes TXT values", async () => {
    const res = await put("/hosts/home.example.com/records/TXT", { values: ["hello world"] });
    expect(await res.json()).toMatchObject({ records: [{ type: "TXT", values: ["hello world"] }] });
  });

  it.each([
    [
      "an unknown host",
      "/hosts/nothing.example.com/records/A",
      { values: ["81.2.69.1"] },
      404,
      "host_not_found",
    ],
    ["a bad name", "/hosts/a%20b/records/A", { values: ["81.2.69.1"] }, 400, "invalid_hostname"],
    ["an unknown type", "/hosts/home.example.com/records/MX", { values: ["x"] }, 400, "invalid_record"],
    [
      "a private address",
      "/hosts/home.example.com/records/A",
      { values: ["192.168.1.1"] },
      400,
      "ip_not_global",
    ],
    [
      "a v6 address in A",
      "/hosts/home.example.com/records/A",
      { values: ["2a02:8070::1"] },
      400,
      "invalid_ip",
    ],
    ["an empty set", "/hosts/home.example.com/records/A", { values: [] }, 400, "invalid_record"],
    [
      "a negative ttl",
      "/hosts/home.example.com/records/A",
      { values: ["81.2.69.1"], ttl: -60 },
      400,
      "invalid_ttl",
    ],
    [
      "a float ttl",
      "/hosts/home.example.com/records/A",
      { values: ["81.2.69.1"], ttl: 60.5 },
      400,
      "invalid_ttl",
    ],
    [
      "a 10k-char value",
      "/hosts/home.example.com/records/TXT",
      { values: ["x".repeat(10_000)] },
      400,
      "bad_request",
    ],
    ["values that are not strings", "/hosts/home.example.com/records/A", { values: [1] }, 400, "bad_request"],
    [
      "an unknown field",
      "/hosts/home.example.com/records/A",
      { values: ["81.2.69.1"], x: 1 },
      400,
      "bad_request",
    ],
    ["an array body", "/hosts/home.example.com/records/A", ["81.2.69.1"], 400, "bad_request"],
  ])("refuses %s and changes nothing", async (_n, path, body, status, code) => {
    expect(await problemOf(await put(path, body))).toEqual({ status, code, type: PROBLEM });
    expect(await h.store.getRRSets("home.example.com")).toEqual([]);
  });
});

describe("DELETE /hosts/:fqdn/records/:type", () => {
  it("deletes the set (good), then nochg", async () => {
    await put("/hosts/home.example.com/records/A", { values: ["81.2.69.160"] });
    const res = await h.api("/hosts/home.example.com/records/A", { method: "DELETE" });
    expect(await res.json()).toEqual({ status: "good", fqdn: "home.example.com", records: [] });
    expect(await h.store.getRRSets("home.example.com")).toEqual([]);
    const [entry] = await h.store.listHistory("home.example.com");
    expect(entry).toMatchObject({ outcome: "deleted", protocol: "admin" });
    const again = await h.api("/hosts/home.example.com/records/A", { method: "DELETE" });
    expect(await again.json()).toMatchObject({ status: "nochg" });
  });

  it("refuses an unknown type or host", async () => {
    expect(
      (await problemOf(await h.api("/hosts/home.example.com/records/CNAME", { method: "DELETE" }))).code,
    ).toBe("invalid_record");
    expect((await problemOf(await h.api("/hosts/no.example.com/records/A", { method: "DELETE" }))).code).toBe(
      "host_not_found",
    );
  });
});
