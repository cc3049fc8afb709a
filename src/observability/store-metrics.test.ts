import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { StoreHealth } from "../store/types.js";
import { registerStoreMetrics } from "./store-metrics.js";

describe("store metrics", () => {
  it("beacon_store_writable follows the store's health at each scrape", async () => {
    let health: StoreHealth = { writable: true };
    const registry = new Registry();
    registerStoreMetrics(registry, { health: () => health });
    expect(await registry.metrics()).toMatch(/^beacon_store_writable 1$/m);
    health = { writable: false, problem: { code: "store_read_only", message: "x" } };
    expect(await registry.metrics()).toMatch(/^beacon_store_writable 0$/m);
  });
});
