import { beforeEach, describe, expect, it } from "vitest";
import { zoneFixture } from "../../../store/testing/fixtures.js";
import { UA, createFixture, type Fixture } from "../../testing/fixture.js";
import { tokenCoversZone } from "./mirrors.js";

let f: Fixture;

async function get(token: string | undefined) {
  return f.request("/api/v1/mirrors", {
    headers: { "user-agent": UA, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
}

beforeEach(async () => {
  f = await createFixture();
  await f.store.createZone(zoneFixture("other.example"));
  const m = { provider: "cloudflare", settings: { api_token: "s3cret-value" }, createdAt: 1_700_000_000_000 };
  await f.store.createMirror({ id: "cf", zone: "example.com", ...m });
  await f.store.createMirror({ id: "other", zone: "other.example", ...m });
  await f.store.failMirror("cf", {
    code: "provider_unavailable",
    message: "cloudflare: 503 down; you sent Authorization: Bearer s3cret-value",
    at: 1_700_000_000_000,
    nextTryAt: 1_700_000_001_000,
  });
});

describe("GET /api/v1/mirrors", () => {
  it("shows the status of mirrors whose whole zone the token covers, without settings or vendor text", async () => {
    const res = await get(await f.token(["example.com"], { subtree: true }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("s3cret-value");
    expect(JSON.parse(text)).toEqual({
      mirrors: [
        {
          id: "cf",
          zone: "example.com",
          provider: "cloudflare",
          pending: 0,
          oldestPendingAt: null,
          lastSuccessAt: null,
          delivered: 0,
          skipped: 0,
          attempts: 1,
          lastError: {
            code: "provider_unavailable",
            message: "The provider is unavailable",
            at: "2023-11-14T22:13:20.000Z",
          },
          nextTryAt: "2023-11-14T22:13:21.000Z",
        },
      ],
    });
  });

  it("shows nothing to a token for single names of the zone, or for a zone below", async () => {
    const names = await get(await f.token(["home.example.com", "example.com"]));
    expect(await names.json()).toEqual({ mirrors: [] });
    const below = await get(await f.token(["sub.example.com"], { subtree: true }));
    expect(await below.json()).toEqual({ mirrors: [] });
  });

  it("needs a token", async () => {
    const res = await get(undefined);
    expect(res.status).toBe(401);
  });
});

describe("tokenCoversZone", () => {
  it.each([
    [[{ name: "example.com", subtree: true }], "example.com", true],
    [[{ name: "com", subtree: true }], "example.com", true],
    [[{ name: "example.com", subtree: false }], "example.com", false],
    [[{ name: "a.example.com", subtree: true }], "example.com", false],
    [[{ name: "xexample.com", subtree: true }], "example.com", false],
    [[], "example.com", false],
  ])("%j covers %s: %s", (names, zone, expected) => {
    expect(tokenCoversZone({ names }, zone)).toBe(expected);
  });
});
