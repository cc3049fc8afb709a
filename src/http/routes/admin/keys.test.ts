import { beforeEach, describe, expect, it } from "vitest";
import { adminHarness, problemOf, START, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
});

const PROBLEM = "application/problem+json";

describe("POST /keys", () => {
  it("creates a key: the secret and an nsupdate example once; the keyring is reloaded", async () => {
    const res = await h.api("/keys", {
      method: "POST",
      body: {
        name: "Router.Key.",
        names: [{ name: "example.com", subtree: true }],
        allowedCidrs: ["81.2.69.0/24"],
      },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { key: unknown; secret: string; nsupdate: string };
    expect(body.key).toEqual({
      name: "router.key",
      algorithm: "hmac-sha256",
      names: [{ name: "example.com", subtree: true }],
      types: ["A", "AAAA", "TXT"],
      allowedCidrs: ["81.2.69.0/24"],
      createdAt: new Date(START).toISOString(),
    });
    expect(Buffer.from(body.secret, "base64")).toHaveLength(32);
    expect(body.nsupdate).toContain(
      `key "router.key" {\n\talgorithm hmac-sha256;\n\tsecret "${body.secret}";\n};`,
    );
    expect(body.nsupdate).toContain("nsupdate -k router.key.key <<'EOF'\nserver beacon.test 53\n");
    expect(body.nsupdate).toContain("update add host.example.com. 60 A 192.0.2.1\nsend\nEOF");
    expect(h.calls.keysChanged).toBe(1);
  });

  it("takes another algorithm and the types given", async () => {
    const res = await h.api("/keys", {
      method: "POST",
      body: { name: "k2", algorithm: "hmac-sha512", names: [{ name: "home.example.com" }], types: ["TXT"] },
    });
    const body = (await res.json()) as {
      key: { algorithm: string; types: string[] };
      secret: string;
      nsupdate: string;
    };
    expect(body.key).toMatchObject({ algorithm: "hmac-sha512", types: ["TXT"] });
    expect(Buffer.from(body.secret, "base64")).toHaveLength(64);
    expect(body.nsupdate).toContain('update add home.example.com. 60 TXT "hello"');
  });

  it.each([
    ["an existing name", { name: "dup", names: [{ name: "example.com" }] }, 409, "key_exists"],
    [
      "an unknown algorithm",
      { name: "k", algorithm: "rot13", names: [{ name: "example.com" }] },
      400,
      "bad_request",
    ],
    ["a bad key name", { name: "a b", names: [{ name: "example.com" }] }, 400, "invalid_hostname"],
    ["a bad scope name", { name: "k", names: [{ name: "a b" }] }, 400, "invalid_hostname"],
    ["no scope", { name: "k", names: [] }, 400, "bad_request"],
    [
      "a bad CIDR",
      { name: "k", names: [{ name: "example.com" }], allowedCidrs: ["nope"] },
      400,
      "bad_request",
    ],
    ["a 10k-char name", { name: "k".repeat(10_000), names: [{ name: "example.com" }] }, 400, "bad_request"],
    [
      "a caller-chosen secret",
      { name: "k", names: [{ name: "example.com" }], secret: "AAAA" },
      400,
      "bad_request",
    ],
    ["an array", [{ name: "k" }], 400, "bad_request"],
  ])("refuses %s", async (_n, body, status, code) => {
    await h.api("/keys", { method: "POST", body: { name: "dup", names: [{ name: "example.com" }] } });
    const before = h.calls.keysChanged;
    expect(await problemOf(await h.api("/keys", { method: "POST", body }))).toEqual({
      status,
      code,
      type: PROBLEM,
    });
    expect((await h.store.listTsigKeys()).map((k) => k.name)).toEqual(["dup"]);
    expect(h.calls.keysChanged).toBe(before);
  });
});

describe("GET /keys", () => {
  it("never shows a secret after creation", async () => {
    const created = (await (
      await h.api("/keys", { method: "POST", body: { name: "k1", names: [{ name: "example.com" }] } })
    ).json()) as { secret: string };
    const res = await h.api("/keys");
    const text = await res.text();
    expect(text).not.toContain(created.secret);
    expect(text).not.toContain("secret");
    expect(JSON.parse(text)).toMatchObject({ keys: [{ name: "k1", algorithm: "hmac-sha256" }] });
  });
});

describe("DELETE /keys/:name", () => {
  it("deletes and reloads the keyring; then 404", async () => {
    await h.api("/keys", { method: "POST", body: { name: "k1", names: [{ name: "example.com" }] } });
    expect((await h.api("/keys/K1.", { method: "DELETE" })).status).toBe(204);
    expect(await h.store.listTsigKeys()).toEqual([]);
    expect(h.calls.keysChanged).toBe(2);
    expect(await problemOf(await h.api("/keys/k1", { method: "DELETE" }))).toEqual({
      status: 404,
      code: "key_not_found",
      type: PROBLEM,
    });
    expect(h.calls.keysChanged).toBe(2);
  });
});
