import { describe, expect, it } from "vitest";
import { attemptKeys, createLoginLimiter, ipKey, pairKey, successKeys, userKey } from "./login-limiter.js";

const MIN = 60_000;

function setup(opts: { maxEntries?: number } = {}) {
  let now = 1_000_000;
  const limiter = createLoginLimiter({ clock: () => now, ...opts });
  return {
    limiter,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function fail(limiter: ReturnType<typeof createLoginLimiter>, keys: readonly string[], times: number) {
  for (let i = 0; i < times; i++) limiter.failed(keys);
}

describe("login limiter", () => {
  const net = "ip:192.0.2.1";

  it("allows four failures, locks on the fifth for one minute", () => {
    const { limiter, advance } = setup();
    const keys = attemptKeys("alice", net);
    fail(limiter, [...keys], 4);
    expect(limiter.check(keys)).toBeUndefined();
    limiter.failed(keys);
    expect(limiter.check(keys)).toBe(MIN);
    advance(MIN - 1);
    expect(limiter.check(keys)).toBe(1);
    advance(1);
    expect(limiter.check(keys)).toBeUndefined();
  });

  it("doubles the lock on each further failure, up to one hour", () => {
    const { limiter, advance } = setup();
    const keys = [net];
    fail(limiter, keys, 5);
    const locks: number[] = [];
    for (let i = 0; i < 9; i++) {
      const wait = limiter.check(keys) ?? 0;
      locks.push(wait);
      advance(wait);
      limiter.failed(keys);
    }
    expect(locks).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60].map((m) => m * MIN));
  });

  it("locks a network across user names, and only that network", () => {
    const { limiter } = setup();
    for (const name of ["a", "b", "c", "d", "e"]) limiter.failed(attemptKeys(name, net));
    expect(limiter.check(attemptKeys("f", net))).toBe(MIN);
    expect(limiter.check(attemptKeys("a", "ip:192.0.2.2"))).toBeUndefined();
  });

  it("never locks an account for everyone: five strangers' failures leave a clean network in", () => {
    const { limiter, advance } = setup();
    // The attack: five wrong passwords for admin from five addresses, then one an hour.
    for (let i = 1; i <= 5; i++) limiter.failed(attemptKeys("admin", ipKey(`198.51.100.${i}`)));
    expect(limiter.check(attemptKeys("admin", ipKey("203.0.113.9")))).toBeUndefined();
    for (let h = 0; h < 24; h++) {
      advance(60 * MIN);
      limiter.failed(attemptKeys("admin", ipKey(`198.51.100.${h % 5}`)));
      expect(limiter.check(attemptKeys("admin", ipKey("203.0.113.9")))).toBeUndefined();
    }
  });

  it("brakes a guessed account: a network that already failed waits from its first failure", () => {
    const { limiter, advance } = setup();
    const attackers = Array.from({ length: 10 }, (_, i) => ipKey(`198.51.100.${i}`));
    for (const a of attackers) {
      expect(limiter.check(attemptKeys("admin", a))).toBeUndefined();
      limiter.failed(attemptKeys("admin", a));
    }
    // Ten failures from ten networks: each of them now waits before its next guess…
    for (const a of attackers) expect(limiter.check(attemptKeys("admin", a))).toBe(MIN);
    // …another user from those networks does not, nor does the owner from a network without failures.
    expect(limiter.check(attemptKeys("bob", attackers[0]!))).toBeUndefined();
    expect(limiter.check(attemptKeys("admin", ipKey("203.0.113.9")))).toBeUndefined();
    // A further failure doubles that network's wait.
    advance(MIN);
    limiter.failed(attemptKeys("admin", attackers[0]!));
    expect(limiter.check(attemptKeys("admin", attackers[0]!))).toBe(2 * MIN);
  });

  it("keeps every wait within the lock and the cap when the clock is stepped back or forward", () => {
    const { limiter, advance } = setup();
    const keys = attemptKeys("alice", net);
    fail(limiter, [...keys], 5);
    expect(limiter.check(keys)).toBe(MIN);
    advance(-86_400_000); // the wall clock stepped back a day
    expect(limiter.check(keys)).toBe(MIN);
    advance(MIN);
    expect(limiter.check(keys)).toBeUndefined();
    // Long locks too: at the cap, a clock stepped back never asks for more than an hour.
    fail(limiter, [...keys], 20);
    advance(-7 * 86_400_000);
    expect(limiter.check(keys)).toBe(60 * MIN);
    advance(365 * 86_400_000); // and stepped forward a year: nothing is locked any more
    expect(limiter.check(keys)).toBeUndefined();
  });

  it("forgets a streak after 15 quiet minutes", () => {
    const { limiter, advance } = setup();
    fail(limiter, [net], 4);
    advance(15 * MIN);
    limiter.failed([net]);
    expect(limiter.check([net])).toBeUndefined();
  });

  it("a success clears the account from that network, never the network", () => {
    const { limiter } = setup();
    fail(limiter, [...attemptKeys("alice", net)], 5);
    limiter.succeeded(successKeys("alice", net));
    expect(limiter.check([pairKey("alice", net)])).toBeUndefined();
    expect(limiter.check([net])).toBe(MIN);
  });

  it("stays bounded and evicts the least recently failed key", () => {
    const { limiter } = setup({ maxEntries: 3 });
    fail(limiter, ["ip:attacker"], 5);
    for (let i = 0; i < 100; i++) limiter.failed(["ip:attacker", `ip:other${i}`]);
    expect(limiter.check(["ip:attacker"])).toBeDefined();
    expect(limiter.check(["ip:other0"])).toBeUndefined();
  });
});

describe("limiter keys", () => {
  it.each([
    ["192.0.2.1", "ip:192.0.2.1"],
    ["::ffff:192.0.2.1", "ip:192.0.2.1"],
    ["::ffff:c000:201", "ip:192.0.2.1"],
    ["2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"],
    ["2001:db8:1:2::9", "ip:2001:db8:1:2::/64"],
    ["2001:db8::1", "ip:2001:db8:0:0::/64"],
    ["::1", "ip:0:0:0:0::/64"],
    ["not an ip", "ip:unknown"],
    [undefined, "ip:unknown"],
  ])("ipKey(%s) = %s", (input, key) => {
    expect(ipKey(input)).toBe(key);
  });

  it("puts one IPv6 /64 under one key", () => {
    expect(ipKey("2001:db8:aa:bb:1::1")).toBe(ipKey("2001:db8:aa:bb:ffff::2"));
    expect(ipKey("2001:db8:aa:bb::1")).not.toBe(ipKey("2001:db8:aa:bc::1"));
  });

  it("folds case and clips user keys", () => {
    expect(userKey("Alice")).toBe(userKey("alice"));
    expect(userKey("x".repeat(10_000)).length).toBe(5 + 128);
  });
});
