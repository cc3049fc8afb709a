import { describe, expect, it } from "vitest";
import { CLIENT_V4, CLIENT_V6, OTHER_V4, createFixture } from "../testing/fixture.js";

describe("GET /ip", () => {
  it("answers the address as text with a trailing newline, uncached", async () => {
    const f = await createFixture();
    const res = await f.request("/ip");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toBe(`${CLIENT_V4}\n`);
  });

  it("answers JSON with the family for format=json", async () => {
    const f = await createFixture();
    const res = await f.request("/ip?format=json", {}, CLIENT_V6);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ ip: CLIENT_V6, family: 6 });
  });

  it("answers the serverless-DDNS form for mode=get", async () => {
    const f = await createFixture();
    const res = await f.request("/ip?mode=get", {}, `::ffff:${CLIENT_V4}`);
    expect(await res.json()).toEqual({ return_message: CLIENT_V4, return_status: "success" });
  });

  it("uses X-Forwarded-For only from a trusted proxy", async () => {
    const f = await createFixture({ trustedProxies: ["127.0.0.1"] });
    expect(
      await (await f.request("/ip", { headers: { "x-forwarded-for": OTHER_V4 } }, "127.0.0.1")).text(),
    ).toBe(`${OTHER_V4}\n`);
    expect(
      await (await f.request("/ip", { headers: { "x-forwarded-for": OTHER_V4 } }, CLIENT_V4)).text(),
    ).toBe(`${CLIENT_V4}\n`);
  });
});
