import { beforeEach, describe, expect, it } from "vitest";
import { adminHarness, problemOf, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
});

describe("createAdminRoutes", () => {
  it("answers unknown admin paths and methods with a 404 problem", async () => {
    for (const [path, method] of [
      ["/nothing", "GET"],
      ["/zones/example.com", "PUT"],
      ["/hosts/home.example.com/clients?token=tk_aaaaaaaaaa.x", "GET"],
    ] as const) {
      const res = await h.api(path, { method });
      expect(await problemOf(res)).toEqual({
        status: 404,
        code: "not_found",
        type: "application/problem+json",
      });
    }
  });

  it("marks every answer no-store", async () => {
    for (const path of [
      "/zones",
      "/hosts",
      "/tokens",
      "/keys",
      "/mirrors",
      "/providers",
      "/stats",
      "/nothing",
    ]) {
      expect((await h.api(path)).headers.get("cache-control")).toBe("no-store");
    }
  });

  it("refuses bodies over the size limit and bodies that are not UTF-8", async () => {
    const big = await h.api("/zones", { method: "POST", raw: JSON.stringify({ name: "x".repeat(70_000) }) });
    expect(await problemOf(big)).toMatchObject({ status: 413, code: "parameter_too_large" });
    const binary = await h.api("/zones", { method: "POST", raw: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(await problemOf(binary)).toMatchObject({ status: 400, code: "bad_request" });
    const empty = await h.api("/tokens", { method: "POST", raw: "" });
    expect(await problemOf(empty)).toMatchObject({ status: 400, code: "bad_request" });
  });

  it("refuses a configuration with a bad trusted proxy", async () => {
    await expect(adminHarness({ trustedProxies: ["not-a-cidr"] })).rejects.toMatchObject({
      code: "config_invalid",
    });
  });
});
