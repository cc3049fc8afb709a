import { describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { Registry } from "prom-client";
import { createFixture, UA } from "./testing/fixture.js";

describe("app", () => {
  it("answers unknown routes with a 404 not_found problem", async () => {
    const f = await createFixture();
    const res = await f.request("/nope?secret=1");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({
      type: "https://beacon.invalid/errors/not_found",
      title: "Not found",
      status: 404,
      code: "not_found",
    });
  });

  it("sets a request id, keeping a sane incoming one and replacing an unsafe one", async () => {
    const f = await createFixture();
    expect(
      (await f.request("/ip", { headers: { "x-request-id": "abc-123" } })).headers.get("x-request-id"),
    ).toBe("abc-123");
    const replaced = (await f.request("/ip", { headers: { "x-request-id": "bad id\u0001" } })).headers.get(
      "x-request-id",
    );
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes one access-log line per request without the query string", async () => {
    const f = await createFixture();
    await f.request("/ip?format=json&token=tk_secret");
    const lines = f.logs.filter((l) => l.msg === "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]?.obj).toMatchObject({ method: "GET", path: "/ip", status: 200, ip: "81.2.69.142" });
    expect(JSON.stringify(f.logs)).not.toContain("tk_secret");
  });

  it("sends X-Content-Type-Options: nosniff on every answer: replies, problems, 404, metrics", async () => {
    const f = await createFixture({ metrics: new Registry() });
    const token = await f.token(["home.example.com"]);
    const answers = await Promise.all([
      f.request("/ip"),
      f.request("/healthz"),
      f.request("/metrics"),
      f.request("/nic/update?hostname=home.example.com&myip=81.2.69.160", {
        headers: { authorization: `Basic ${btoa(`home.example.com:${token}`)}`, "user-agent": UA },
      }),
      f.request("/nic/update?hostname=home.example.com", { headers: { "user-agent": UA } }),
      f.request("/api/v1/hosts/home.example.com", { headers: { authorization: `Bearer ${token}` } }),
      f.request("/api/v1/hosts/home.example.com"),
      f.request("/api/v1/hosts/home.example.com/records/A", {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
        body: "{}",
      }),
      f.request("/nope"),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 401, 200, 401, 415, 404]);
    for (const r of answers) expect(r.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("refuses an invalid trusted proxy at construction", async () => {
    await expect(createFixture({ trustedProxies: ["not-a-cidr"] })).rejects.toMatchObject({
      code: "config_invalid",
    });
  });
});

describe("GET /healthz", () => {
  it("is 200 {status:ok} when the store answers", async () => {
    const f = await createFixture();
    const res = await f.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", writable: true });
  });

  it.each([
    ["store_read_only", "the database cannot be written (/data/beacon.db: EPERM): updates fail"],
    ["store_unavailable", "/data/beacon.db was deleted while the server was running"],
  ] as const)(
    "is 503 %s when the store answers but cannot take updates, without a log line per poll",
    async (code, message) => {
      const base = createMemoryStore();
      const f = await createFixture({
        store: { ...base, health: () => ({ writable: false, problem: { code, message } }) },
      });
      const before = f.logs.length;
      const res = await f.request("/healthz");
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ code, status: 503, detail: message });
      expect(f.logs.slice(before).filter((l) => l.level === "error")).toEqual([]);
    },
  );

  it("is 503 store_unavailable when the store fails, without leaking the cause", async () => {
    const base = createMemoryStore();
    let broken = false;
    const f = await createFixture({
      store: {
        ...base,
        getZone: (n) =>
          broken ? Promise.reject(new Error("SQLITE_IOERR /var/lib/secret")) : base.getZone(n),
      },
    });
    broken = true;
    const res = await f.request("/healthz");
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ code: "store_unavailable", status: 503 });
    expect(body).not.toContain("SQLITE");
  });

  it("hides internal errors behind a generic 500 and logs them", async () => {
    const base = createMemoryStore();
    let broken = false;
    const f = await createFixture({
      store: {
        ...base,
        getZone: (n) =>
          broken ? Promise.reject(new BeaconError("internal", "stack at /src/x.ts")) : base.getZone(n),
      },
    });
    broken = true;
    // healthz maps every failure to store_unavailable; use an API route for a raw internal error.
    const t = await f.token(["home.example.com"]);
    const res = await f.request("/api/v1/hosts/home.example.com", {
      headers: { authorization: `Bearer ${t}` },
    });
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ code: "internal", detail: "Internal error" });
    expect(body).not.toContain("/src/x.ts");
    expect(f.logs.some((l) => l.level === "error")).toBe(true);
  });
});
