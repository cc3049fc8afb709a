import { beforeEach, describe, expect, it } from "vitest";
import { parseIp } from "../../../core/ip.js";
import { ADMIN_IP, adminHarness, problemOf, START, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
});

const DAY = 86_400_000;
const PROBLEM = "application/problem+json";

interface Created {
  token: { id: string; label: string; state: string; expiresAt: string | null };
  secret: string;
}

async function create(body: unknown): Promise<Created> {
  const res = await h.api("/tokens", { method: "POST", body });
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

const works = (secret: string) =>
  h.tokens.authenticate({ password: secret }, parseIp(ADMIN_IP)).then(
    () => true,
    () => false,
  );

describe("POST /tokens", () => {
  it("creates a token: the secret once, a view without secrets", async () => {
    const body = await create({
      names: [{ name: "Home.Example.com" }, { name: "lab.example.com", subtree: true }],
      types: ["A"],
      allowedCidrs: ["81.2.69.0/24"],
      expiresInDays: 30,
    });
    expect(body.secret).toMatch(/^tk_[a-z2-7]{10}\.[A-Za-z0-9_-]{32}$/);
    expect(body.token).toEqual({
      id: body.secret.split(".")[0],
      label: "home.example.com, lab.example.com/*",
      names: [
        { name: "home.example.com", subtree: false },
        { name: "lab.example.com", subtree: true },
      ],
      types: ["A"],
      allowedCidrs: ["81.2.69.0/24"],
      createdAt: new Date(START).toISOString(),
      expiresAt: new Date(START + 30 * DAY).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
      state: "active",
      hostId: null,
      signing: null,
      requireSignature: false,
    });
    expect(await works(body.secret)).toBe(true);
  });

  it.each([
    ["no names", { names: [] }, 400, "bad_request"],
    ["a bad name", { names: [{ name: "a b" }] }, 400, "invalid_hostname"],
    ["an unknown type", { names: [{ name: "a.example.com" }], types: ["MX"] }, 400, "bad_request"],
    ["a bad CIDR", { names: [{ name: "a.example.com" }], allowedCidrs: ["10.0.0.0/33"] }, 400, "bad_request"],
    ["a negative expiry", { names: [{ name: "a.example.com" }], expiresInDays: -1 }, 400, "bad_request"],
    ["a float expiry", { names: [{ name: "a.example.com" }], expiresInDays: 1.5 }, 400, "bad_request"],
    [
      "a 10k-char label",
      { names: [{ name: "a.example.com" }], label: "x".repeat(10_000) },
      400,
      "bad_request",
    ],
    ["an unknown field", { names: [{ name: "a.example.com" }], admin: true }, 400, "bad_request"],
    ["an unknown field in a scope", { names: [{ name: "a.example.com", all: true }] }, 400, "bad_request"],
    ["an array", [{ name: "a.example.com" }], 400, "bad_request"],
  ])("refuses %s", async (_n, body, status, code) => {
    expect(await problemOf(await h.api("/tokens", { method: "POST", body }))).toEqual({
      status,
      code,
      type: PROBLEM,
    });
    expect(await h.store.listTokens()).toEqual([]);
  });
});

describe("GET /tokens", () => {
  it("lists every token with its state and never a secret or its hash", async () => {
    const a = await create({ names: [{ name: "a.example.com" }], label: "kept" });
    const b = await create({ names: [{ name: "b.example.com" }] });
    const c = await create({ names: [{ name: "c.example.com" }], expiresInDays: 1 });
    await h.api(`/tokens/${b.token.id}/revoke`, { method: "POST" });
    h.setNow(START + 2 * DAY);
    const res = await h.api("/tokens");
    const text = await res.text();
    for (const t of [a, b, c]) expect(text).not.toContain(t.secret.split(".")[1]);
    expect(text).not.toContain("secretHash");
    const { tokens } = JSON.parse(text) as { tokens: { id: string; state: string; label: string }[] };
    const states = new Map(tokens.map((t) => [t.id, t.state]));
    expect(tokens).toHaveLength(3);
    expect([states.get(a.token.id), states.get(b.token.id), states.get(c.token.id)]).toEqual([
      "active",
      "revoked",
      "expired",
    ]);
  });
});

describe("POST /tokens/:id/revoke", () => {
  it("revokes: the token stops working and shows revoked", async () => {
    const t = await create({ names: [{ name: "a.example.com" }] });
    const res = await h.api(`/tokens/${t.token.id}/revoke`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      token: { id: t.token.id, state: "revoked", revokedAt: new Date(START).toISOString() },
    });
    expect(await works(t.secret)).toBe(false);
  });

  it.each([
    ["an unknown id", "/tokens/tk_aaaaaaaaaa/revoke"],
    ["a malformed id", "/tokens/..%2F..%2Fetc/revoke"],
    ["a 10k-char id", `/tokens/${"a".repeat(10_000)}/revoke`],
  ])("404 for %s", async (_n, path) => {
    expect(await problemOf(await h.api(path, { method: "POST" }))).toEqual({
      status: 404,
      code: "token_not_found",
      type: PROBLEM,
    });
  });
});

describe("POST /tokens/:id/rotate", () => {
  it("issues a new token with the same scope and lifetime and revokes the old one", async () => {
    const old = await create({
      names: [{ name: "a.example.com" }],
      types: ["A", "TXT"],
      allowedCidrs: ["81.2.69.0/24"],
      label: "router",
      expiresInDays: 10,
    });
    h.setNow(START + DAY);
    const res = await h.api(`/tokens/${old.token.id}/rotate`, { method: "POST" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Created & { replaced: string };
    expect(body.replaced).toBe(old.token.id);
    expect(body.token.id).not.toBe(old.token.id);
    expect(body.token).toMatchObject({
      label: "router",
      names: [{ name: "a.example.com", subtree: false }],
      types: ["A", "TXT"],
      allowedCidrs: ["81.2.69.0/24"],
      expiresAt: new Date(START + DAY + 10 * DAY).toISOString(),
      state: "active",
    });
    expect(await works(old.secret)).toBe(false);
    expect(await works(body.secret)).toBe(true);
    // The new secret is not listed afterwards.
    expect(await (await h.api("/tokens")).text()).not.toContain(body.secret.split(".")[1]);
  });

  it("refuses a revoked token (400) and an unknown one (404)", async () => {
    const t = await create({ names: [{ name: "a.example.com" }] });
    await h.api(`/tokens/${t.token.id}/revoke`, { method: "POST" });
    expect((await problemOf(await h.api(`/tokens/${t.token.id}/rotate`, { method: "POST" }))).code).toBe(
      "bad_request",
    );
    expect((await problemOf(await h.api("/tokens/tk_zzzzzzzzzz/rotate", { method: "POST" }))).code).toBe(
      "token_not_found",
    );
    expect(await h.store.listTokens()).toHaveLength(1);
  });
});
