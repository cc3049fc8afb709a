// The beacon source against Beacon's own /ip route (the in-process app), so a change to the route's
// reply shape breaks this test.

import { describe, expect, it } from "vitest";
import { CLIENT_V4, CLIENT_V6, createFixture } from "../../http/testing/fixture.js";
import type { HttpRequest } from "../../net/http.js";
import { beaconIpUrl, beaconSource } from "./beacon.js";
import { fakeDeps } from "./testing/deps.js";

/** Routes the request into the app, as if it arrived from the caller's address of the asked family. */
async function appRequest(): Promise<{ httpRequest: HttpRequest; urls: string[] }> {
  const fx = await createFixture();
  const urls: string[] = [];
  const httpRequest: HttpRequest = async (url, o) => {
    urls.push(url);
    const u = new URL(url);
    const res = await fx.request(
      `${u.pathname}${u.search}`,
      { headers: o.headers },
      o.family === 6 ? CLIENT_V6 : CLIENT_V4,
    );
    return { status: res.status, headers: {}, body: await res.text() };
  };
  return { httpRequest, urls };
}

describe("beacon source", () => {
  it.each([
    [4, CLIENT_V4],
    [6, CLIENT_V6],
  ] as const)("reads IPv%s from the server's /ip?format=json", async (family, expected) => {
    const { httpRequest, urls } = await appRequest();
    const src = beaconSource.create(
      "home",
      beaconSource.settings.parse({ url: "https://dyn.example.com" }),
      fakeDeps({ httpRequest }),
    );
    const obs = await src.observe({ family, signal: AbortSignal.timeout(5000), localAddress: undefined });
    expect(obs).toEqual({ ok: true, ip: { text: expected, family } });
    expect(urls[0]).toBe("https://dyn.example.com/ip?format=json");
    expect(src.operator).toBe("dyn.example.com");
  });

  it.each([
    ["https://dyn.example.com", "https://dyn.example.com/ip?format=json"],
    ["https://dyn.example.com/", "https://dyn.example.com/ip?format=json"],
    ["https://example.com/beacon", "https://example.com/beacon/ip?format=json"],
    ["http://127.0.0.1:8053/beacon/", "http://127.0.0.1:8053/beacon/ip?format=json"],
  ])("builds the /ip URL from base %s", (base, expected) => {
    expect(beaconIpUrl(base)).toBe(expected);
  });

  it("fails on a server that is not Beacon (an HTML page at /ip)", async () => {
    const src = beaconSource.create(
      "home",
      beaconSource.settings.parse({ url: "https://dyn.example.com" }),
      fakeDeps({
        httpRequest: () => Promise.resolve({ status: 200, headers: {}, body: "<html>parked</html>" }),
      }),
    );
    const obs = await src.observe({ family: 4, signal: AbortSignal.timeout(5000), localAddress: undefined });
    expect(obs).toMatchObject({ ok: false, reason: "unparsable" });
  });
});
