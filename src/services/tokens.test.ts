import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { parseIp } from "../core/ip.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/ports.js";
import { createTokenService, isTokenId, type TokenService } from "./tokens.js";

const ip = (s: string) => parseIp(s);
let store: Store;
let now: number;
let tokens: TokenService;

beforeEach(() => {
  store = createMemoryStore();
  now = 1_700_000_000_000;
  tokens = createTokenService({ store, clock: () => now });
});

const home = {
  label: "home",
  names: [{ name: "Home.Example.com.", subtree: false }],
  types: ["A" as const, "AAAA" as const],
};

async function expectUnauthorized(p: Promise<unknown>) {
  await expect(p).rejects.toSatisfy(
    (e) => e instanceof BeaconError && e.code === "unauthorized" && e.status === 401,
  );
}

describe("token creation", () => {
  it("returns id.secret once and stores only the secret's SHA-256", async () => {
    const { record, token } = await tokens.create(home);
    expect(token).toMatch(/^tk_[a-z2-7]{10}\.[A-Za-z0-9_-]{32}$/);
    const [id, secret = ""] = token.split(".");
    expect(record.id).toBe(id);
    expect(isTokenId(record.id)).toBe(true);
    const stored = await store.getToken(record.id);
    expect(stored?.secretHash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored?.names).toEqual([{ name: "home.example.com", subtree: false }]);
  });

  it("uses the injected randomness", async () => {
    const fixed = createTokenService({ store, clock: () => now, randomBytes: (n) => new Uint8Array(n) });
    const { token } = await fixed.create(home);
    expect(token).toBe(`tk_aaaaaaaaaa.${"A".repeat(32)}`);
  });

  it.each([
    ["empty label", { ...home, label: " " }],
    ["no names", { ...home, names: [] }],
    ["no types", { ...home, types: [] }],
    ["unknown type", { ...home, types: ["MX"] }],
    ["bad CIDR", { ...home, allowedCidrs: ["10.0.0.0/33"] }],
    ["expiry in the past", { ...home, expiresAt: 1 }],
  ])("refuses %s", async (_name, input) => {
    await expect(tokens.create(input as typeof home)).rejects.toBeInstanceOf(BeaconError);
  });

  it("rejects an invalid scope name with invalid_hostname", async () => {
    await expect(
      tokens.create({ ...home, names: [{ name: "bad name", subtree: false }] }),
    ).rejects.toMatchObject({
      code: "invalid_hostname",
    });
  });
});

describe("authentication", () => {
  it("accepts the full token as password with any user", async () => {
    const { record, token } = await tokens.create(home);
    for (const user of [undefined, "", "whatever", "home.example.com", record.id]) {
      expect((await tokens.authenticate({ user, password: token }, undefined)).id).toBe(record.id);
    }
  });

  it("accepts user = token id with the bare secret", async () => {
    const { record, token } = await tokens.create(home);
    const secret = token.split(".")[1] ?? "";
    expect((await tokens.authenticate({ user: record.id, password: secret }, undefined)).id).toBe(record.id);
  });

  it("accepts user = a covered hostname with the bare secret, picking the right token", async () => {
    await tokens.create(home);
    const { record, token } = await tokens.create({ ...home, label: "second" });
    const secret = token.split(".")[1] ?? "";
    expect((await tokens.authenticate({ user: "HOME.example.com.", password: secret }, undefined)).id).toBe(
      record.id,
    );
    await expectUnauthorized(
      tokens.authenticate({ user: "office.example.com", password: secret }, undefined),
    );
  });

  it("covers subtree scopes for the hostname form", async () => {
    const { token } = await tokens.create({ ...home, names: [{ name: "example.com", subtree: true }] });
    const secret = token.split(".")[1] ?? "";
    await expect(
      tokens.authenticate({ user: "a.b.example.com", password: secret }, undefined),
    ).resolves.toBeDefined();
  });

  it("refuses wrong secrets, unknown ids, empty and oversized passwords", async () => {
    const { record, token } = await tokens.create(home);
    const secret = token.split(".")[1] ?? "";
    await expectUnauthorized(tokens.authenticate({ password: `${record.id}.wrong` }, undefined));
    await expectUnauthorized(tokens.authenticate({ password: `tk_aaaaaaaaaa.${secret}` }, undefined));
    await expectUnauthorized(tokens.authenticate({ user: "tk_aaaaaaaaaa", password: secret }, undefined));
    await expectUnauthorized(tokens.authenticate({ user: "nobody", password: secret }, undefined));
    await expectUnauthorized(tokens.authenticate({ password: "" }, undefined));
    await expectUnauthorized(tokens.authenticate({ password: "x".repeat(600) }, undefined));
  });

  it("refuses revoked and expired tokens", async () => {
    const a = await tokens.create(home);
    await tokens.revoke(a.record.id);
    await expectUnauthorized(tokens.authenticate({ password: a.token }, undefined));

    const b = await tokens.create({ ...home, expiresAt: now + 1000 });
    await expect(tokens.authenticate({ password: b.token }, undefined)).resolves.toBeDefined();
    now += 1000;
    await expectUnauthorized(tokens.authenticate({ password: b.token }, undefined));
  });

  it("enforces allowed CIDRs against the source address", async () => {
    const { token } = await tokens.create({ ...home, allowedCidrs: ["81.2.69.0/24", "2a02:8070::/32"] });
    await expect(tokens.authenticate({ password: token }, ip("81.2.69.142"))).resolves.toBeDefined();
    await expect(tokens.authenticate({ password: token }, ip("2a02:8070::1"))).resolves.toBeDefined();
    await expectUnauthorized(tokens.authenticate({ password: token }, ip("81.2.70.1")));
    await expectUnauthorized(tokens.authenticate({ password: token }, undefined));
  });

  it("records the last use", async () => {
    const { record, token } = await tokens.create(home);
    now += 5000;
    await tokens.authenticate({ password: token }, undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect((await store.getToken(record.id))?.lastUsedAt).toBe(now);
  });

  it("records the last use at most once a minute per token (no write per update)", async () => {
    const { record, token } = await tokens.create(home);
    await tokens.authenticate({ password: token }, undefined);
    await new Promise((r) => setTimeout(r, 0));
    const first = now;
    now += 59_000;
    await tokens.authenticate({ password: token }, undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect((await store.getToken(record.id))?.lastUsedAt).toBe(first);
    now += 1_000;
    await tokens.authenticate({ password: token }, undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect((await store.getToken(record.id))?.lastUsedAt).toBe(now);
  });

  it("does not fail authentication when recording the use fails", async () => {
    const failing = { ...store, touchToken: () => Promise.reject(new Error("busy")) };
    const svc = createTokenService({ store: failing, clock: () => now });
    const { token } = await svc.create(home);
    await expect(svc.authenticate({ password: token }, undefined)).resolves.toBeDefined();
  });
});

describe("list and revoke", () => {
  it("lists tokens including revoked ones; revoke is idempotent; unknown id is token_not_found", async () => {
    const a = await tokens.create(home);
    await tokens.revoke(a.record.id);
    await tokens.revoke(a.record.id);
    const list = await tokens.list();
    expect(list.map((t) => [t.id, t.revokedAt])).toEqual([[a.record.id, now]]);
    await expect(tokens.revoke("tk_aaaaaaaaaa")).rejects.toMatchObject({ code: "token_not_found" });
  });
});
