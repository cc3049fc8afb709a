import { beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { parseIp } from "../core/ip.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/ports.js";
import { createTokenService, type TokenService } from "./tokens.js";

let store: Store;
let now: number;
let tokens: TokenService;
const ip = parseIp("81.2.69.142");

beforeEach(() => {
  store = createMemoryStore();
  now = 1_700_000_000_000;
  tokens = createTokenService({ store, clock: () => now });
});

const input = {
  label: "router",
  names: [{ name: "home.example.com", subtree: false }],
  types: ["A" as const],
  allowedCidrs: ["81.2.69.0/24"],
};

const works = (t: string) =>
  tokens.authenticate({ password: t }, ip).then(
    () => true,
    () => false,
  );

describe("tokens.rotate", () => {
  it("creates a token with the old scope and an expiry as far ahead as the old one's lifetime", async () => {
    const old = await tokens.create({ ...input, expiresAt: now + 1_000_000 });
    now += 500_000;
    const r = await tokens.rotate(old.record.id);
    expect(r.replaced).toBe(old.record.id);
    expect(r.record).toMatchObject({
      label: "router",
      names: input.names,
      types: ["A"],
      allowedCidrs: ["81.2.69.0/24"],
      createdAt: now,
      expiresAt: now + 1_000_000,
    });
    expect(await works(old.token)).toBe(false);
    expect(await works(r.token)).toBe(true);
    expect((await store.getToken(old.record.id))?.revokedAt).toBe(now);
  });

  it("keeps no expiry when the old one had none, and renews an expired token", async () => {
    const forever = await tokens.create(input);
    expect((await tokens.rotate(forever.record.id)).record.expiresAt).toBeUndefined();
    const short = await tokens.create({ ...input, expiresAt: now + 10 });
    now += 100;
    expect(await works(short.token)).toBe(false);
    const renewed = await tokens.rotate(short.record.id);
    expect(renewed.record.expiresAt).toBe(now + 10);
    expect(await works(renewed.token)).toBe(true);
  });

  it.each([
    ["an unknown id", "tk_aaaaaaaaaa", "token_not_found"],
    ["a malformed id", "../etc", "token_not_found"],
  ])("refuses %s", async (_n, id, code) => {
    await expect(tokens.rotate(id)).rejects.toSatisfy((e) => e instanceof BeaconError && e.code === code);
  });

  it("refuses a revoked token", async () => {
    const t = await tokens.create(input);
    await tokens.revoke(t.record.id);
    await expect(tokens.rotate(t.record.id)).rejects.toSatisfy(
      (e) => e instanceof BeaconError && e.code === "bad_request",
    );
    expect(await store.listTokens()).toHaveLength(1);
  });

  it("leaves the old token working and the new one revoked when revoking the old one fails", async () => {
    const t = await tokens.create(input);
    const failing: Store = {
      ...store,
      revokeToken: (id, at) =>
        id === t.record.id ? Promise.reject(new BeaconError("store_unavailable")) : store.revokeToken(id, at),
    };
    const flaky = createTokenService({ store: failing, clock: () => now });
    await expect(flaky.rotate(t.record.id)).rejects.toSatisfy(
      (e) => e instanceof BeaconError && e.code === "store_unavailable",
    );
    expect(await works(t.token)).toBe(true);
    const all = await store.listTokens();
    expect(all).toHaveLength(2);
    expect(all.filter((x) => x.revokedAt === undefined).map((x) => x.id)).toEqual([t.record.id]);
  });
});
