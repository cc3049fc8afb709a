import { describe, expect, it } from "vitest";
import { formatZones, parseZones } from "../lib/zones.js";

describe("parseZones", () => {
  it("reads zone=ID pairs, lower-casing names and dropping a trailing dot and a /hostedzone/ prefix", () => {
    const zones = parseZones(
      " Dyn.Example.COM.=Z0123456789ABC , home.example.net=/hostedzone/Z0987654321XYZ",
    );
    expect(zones).toEqual([
      { zone: "dyn.example.com", hostedZoneId: "Z0123456789ABC" },
      { zone: "home.example.net", hostedZoneId: "Z0987654321XYZ" },
    ]);
    expect(formatZones(zones)).toBe("dyn.example.com=Z0123456789ABC,home.example.net=Z0987654321XYZ");
  });

  it.each([
    [undefined, /at least one hosted zone/],
    ["", /at least one hosted zone/],
    [42, /at least one hosted zone/],
    ["dyn.example.com", /is not zone=HOSTEDZONEID/],
    ["dyn.example.com=Z0123456789ABC,", /"" is not zone=HOSTEDZONEID/],
    ["localhost=Z0123456789ABC", /not a DNS zone name/],
    ["-bad.example.com=Z0123456789ABC", /not a DNS zone name/],
    ["dyn..example.com=Z0123456789ABC", /not a DNS zone name/],
    [`${"a".repeat(64)}.example.com=Z0123456789ABC`, /not a DNS zone name/],
    ["dyn.example.com/x=Z0123456789ABC", /not a DNS zone name/],
    ["dyn.example.com=z0123456789abc", /not a Route 53 hosted zone ID/],
    ["dyn.example.com=", /not a Route 53 hosted zone ID/],
    // A wildcard or a path here would widen the IAM policy beyond the zone.
    ["dyn.example.com=*", /not a Route 53 hosted zone ID/],
    ["dyn.example.com=Z0123*", /not a Route 53 hosted zone ID/],
    ["dyn.example.com=Z01/../*", /not a Route 53 hosted zone ID/],
    ["dyn.example.com=Z0123456789ABC,DYN.example.com.=Z0987654321XYZ", /listed twice/],
  ])("rejects %j", (spec, message) => {
    expect(() => parseZones(spec)).toThrow(message);
  });
});
