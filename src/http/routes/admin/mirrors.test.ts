import { beforeEach, describe, expect, it } from "vitest";
import { adminHarness, problemOf, START, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
  await h.api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: ["81.2.69.160"] } });
});

const PROBLEM = "application/problem+json";
const good = {
  id: "cf",
  zone: "example.com",
  provider: "fake",
  settings: { api_token: "s3cret-value", proxied: false },
};

describe("POST /mirrors", () => {
  it("adds the mirror, queues the zone's sets, kicks the worker, and redacts secrets", async () => {
    const res = await h.api("/mirrors", { method: "POST", body: good });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain("s3cret-value");
    expect(JSON.parse(text)).toEqual({
      mirror: {
        id: "cf",
        zone: "example.com",
        provider: "fake",
        settings: { api_token: "<redacted>", proxied: false },
        createdAt: new Date(START).toISOString(),
      },
      queued: 1,
    });
    expect(h.calls.mirrorsChanged).toBe(1);
    expect((await h.store.getMirror("cf"))?.settings).toEqual(good.settings);
  });

  it.each([
    ["an existing id", good, 409, "mirror_exists"],
    ["an unknown zone", { ...good, id: "x", zone: "nothing.org" }, 404, "zone_not_found"],
    ["a bad id", { ...good, id: "Bad Id" }, 400, "bad_request"],
    ["an unknown provider", { ...good, id: "x", provider: "nope" }, 400, "bad_request"],
    ["settings the provider refuses", { ...good, id: "x", settings: { api_token: 5 } }, 400, "bad_request"],
    [
      "a file reference",
      { ...good, id: "x", settings: { api_token_file: "/etc/shadow" } },
      400,
      "bad_request",
    ],
    [
      "a __proto__ setting",
      { ...good, id: "x", settings: JSON.parse('{"__proto__":{"x":1}}') as unknown },
      400,
      "bad_request",
    ],
    ["a nested object", { ...good, id: "x", settings: { api_token: { a: 1 } } }, 400, "bad_request"],
    [
      "a 10k-char setting",
      { ...good, id: "x", settings: { api_token: "x".repeat(10_000) } },
      400,
      "bad_request",
    ],
    ["settings as an array", { ...good, id: "x", settings: ["a"] }, 400, "bad_request"],
    ["an unknown field", { ...good, id: "x", enabled: true }, 400, "bad_request"],
  ])("refuses %s", async (_n, body, status, code) => {
    await h.api("/mirrors", { method: "POST", body: good });
    const res = await h.api("/mirrors", { method: "POST", body });
    expect(await problemOf(res)).toEqual({ status, code, type: PROBLEM });
    expect((await h.store.listMirrors()).map((m) => m.id)).toEqual(["cf"]);
  });
});

describe("GET /mirrors and /providers", () => {
  it("shows delivery status with redacted settings, and the vendor's words without the secret", async () => {
    await h.api("/mirrors", { method: "POST", body: good });
    await h.store.failMirror("cf", {
      code: "provider_unavailable",
      message: "503 (you sent s3cret-value)",
      at: START,
      nextTryAt: START + 1000,
    });
    const res = await h.api("/mirrors");
    const text = await res.text();
    expect(text).not.toContain("s3cret-value");
    expect(JSON.parse(text)).toEqual({
      mirrors: [
        {
          id: "cf",
          zone: "example.com",
          provider: "fake",
          pending: 1,
          oldestPendingAt: new Date(START).toISOString(),
          lastSuccessAt: null,
          delivered: 0,
          skipped: 0,
          attempts: 1,
          lastError: {
            code: "provider_unavailable",
            message: "503 (you sent [secret])",
            at: new Date(START).toISOString(),
          },
          nextTryAt: new Date(START + 1000).toISOString(),
          settings: { api_token: "<redacted>", proxied: false },
          lease: null,
        },
      ],
    });
  });

  it("lists the provider types", async () => {
    expect(await (await h.api("/providers")).json()).toEqual({
      providers: [{ type: "fake", title: "A fake provider" }, { type: "plain" }],
    });
  });
});

describe("POST /mirrors/:id/resync and DELETE /mirrors/:id", () => {
  it("resyncs (queued count) and deletes, kicking the worker each time", async () => {
    await h.api("/mirrors", { method: "POST", body: good });
    const res = await h.api("/mirrors/cf/resync", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ queued: 1 });
    expect((await h.store.pendingOutbox("cf", 10)).length).toBe(2);
    expect((await h.api("/mirrors/cf", { method: "DELETE" })).status).toBe(204);
    expect(await h.store.listMirrors()).toEqual([]);
    expect(h.calls.mirrorsChanged).toBe(3);
  });

  it.each([
    ["resync of an unknown mirror", "/mirrors/none/resync", "POST"],
    ["resync of a malformed id", "/mirrors/..%2Fx/resync", "POST"],
    ["delete of an unknown mirror", "/mirrors/none", "DELETE"],
    ["delete of a 10k-char id", `/mirrors/${"a".repeat(10_000)}`, "DELETE"],
  ])("404 for %s", async (_n, path, method) => {
    expect(await problemOf(await h.api(path, { method }))).toEqual({
      status: 404,
      code: "mirror_not_found",
      type: PROBLEM,
    });
    expect(h.calls.mirrorsChanged).toBe(0);
  });
});
