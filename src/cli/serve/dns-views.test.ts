import { describe, expect, it } from "vitest";
import type { ServerConfig } from "../../config/index.js";
import { catalogZoneOf } from "./dns-views.js";

const config = (catalog: string | undefined) => ({ dns: { transfer: { catalog } } }) as ServerConfig;
const store = { zoneList: () => Promise.resolve({ seq: 0, zones: [] }) };

describe("catalogZoneOf", () => {
  it("none without dns.transfer.catalog", () => {
    expect(catalogZoneOf(config(undefined), store)).toBeUndefined();
  });

  it("the catalog zone the setting names, not yet published", () => {
    const zone = catalogZoneOf(config("catalog.beacon.invalid"), store);
    expect([zone?.name, zone?.zone()]).toEqual(["catalog.beacon.invalid", undefined]);
  });

  it.each([
    ["the root", "", /root/],
    ["a name too long for its member names", `${"a.".repeat(115)}bc`, /at most 230/],
  ])("config_invalid for %s", (_what, name, why) => {
    let thrown: unknown;
    try {
      catalogZoneOf(config(name), store);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: "config_invalid", message: expect.stringMatching(why) as unknown });
  });

  it("config_invalid with a store that cannot list its zones", () => {
    expect(() => catalogZoneOf(config("catalog.beacon.invalid"), {})).toThrow(/cannot list its zones/);
  });
});
