import { describe, expect, it } from "vitest";

import { chooseChallenge } from "./challenge.js";

const ZONES = ["dyn.example.com", "example.org"];

describe("chooseChallenge", () => {
  it("auto: dns-01 when every name is inside a served zone, else http-01", () => {
    expect(chooseChallenge(["dyn.example.com", "a.example.org"], ZONES, "auto")).toBe("dns-01");
    expect(chooseChallenge(["dyn.example.com", "www.example.com"], ZONES, "auto")).toBe("http-01");
    expect(chooseChallenge(["beacon.example.net"], [], "auto")).toBe("http-01");
  });

  it("dns-01 with a name outside every zone is a config error naming it", () => {
    expect(() => chooseChallenge(["dyn.example.com", "example.com"], ZONES, "dns-01")).toThrow(
      /^acme\.names: example\.com is not inside a zone/,
    );
    // A zone whose name only ends the same is not a parent.
    expect(() => chooseChallenge(["xexample.org"], ZONES, "dns-01")).toThrow(/xexample\.org/);
  });

  it("http-01 is taken as asked", () => {
    expect(chooseChallenge(["dyn.example.com"], ZONES, "http-01")).toBe("http-01");
  });
});
