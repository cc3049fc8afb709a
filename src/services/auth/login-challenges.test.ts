import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { CHALLENGE_TTL_MS, createLoginChallenges, type LoginChallenges } from "./login-challenges.js";

const T0 = 1_700_000_000_000;

describe("sign-in challenges", () => {
  let store: Store;
  let now: number;
  let challenges: LoginChallenges;
  beforeEach(async () => {
    store = createMemoryStore();
    now = T0;
    challenges = createLoginChallenges({ store, clock: () => now });
    await store.createUser({
      name: "alice",
      passwordHash: "x",
      role: "admin",
      createdAt: T0,
      passwordChangedAt: T0,
    });
  });

  it("finds a challenge by its cookie until it expires; the store keeps only the hash", async () => {
    const { cookieValue, challenge } = await challenges.begin("alice");
    expect(challenge.idHash).not.toContain(cookieValue);
    expect(await challenges.find(cookieValue)).toMatchObject({
      user: "alice",
      expiresAt: T0 + CHALLENGE_TTL_MS,
    });
    now = T0 + CHALLENGE_TTL_MS - 1;
    expect(await challenges.find(cookieValue)).toBeDefined();
    now = T0 + CHALLENGE_TTL_MS;
    expect(await challenges.find(cookieValue)).toBeUndefined();
  });

  it("tolerates a clock behind by less than a TTL, not more", async () => {
    const { cookieValue } = await challenges.begin("alice");
    now = T0 - 1000;
    expect(await challenges.find(cookieValue)).toBeDefined();
    now = T0 - CHALLENGE_TTL_MS - 1;
    expect(await challenges.find(cookieValue)).toBeUndefined();
  });

  it("is finished by one caller only", async () => {
    const { cookieValue } = await challenges.begin("alice");
    const both = await Promise.all([challenges.finish(cookieValue), challenges.finish(cookieValue)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await challenges.find(cookieValue)).toBeUndefined();
  });

  it("finds nothing for missing, malformed or unknown cookies", async () => {
    for (const bad of [undefined, "", "x", "a".repeat(43) + "=", "a".repeat(10_000), "a".repeat(43)])
      expect(await challenges.find(bad)).toBeUndefined();
  });

  it("prunes expired challenges when a new one begins", async () => {
    await challenges.begin("alice");
    now += CHALLENGE_TTL_MS;
    await challenges.begin("alice");
    expect(await store.pruneLoginChallenges(now)).toBe(0);
  });
});
