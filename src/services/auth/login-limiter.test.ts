import { describe, expect, it } from "vitest";
import { createLoginLimiter, ipKey, userKey } from "./login-limiter.js";

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

function fail(limiter: ReturnType<typeof createLoginLimiter>, keys: string[], times: number) {
  for (let i = 0; i < times; i++) limiter.failed(keys);
}

describe("login limiter", () => {
  it("allows four failures, locks on the fifth for one minute", () => {
    const { limiter, advance } = setup();
    const keys = ["ip:192.0.2.1", "user:alice"];
    fail(limiter, keys, 4);
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
    const keys = ["user:alice"];
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

  it("locks each key on its own: a network across user names, a user across networks", () => {
    const { limiter } = setup();
    for (const name of ["a", "b", "c", "d", "e"]) limiter.failed(["ip:192.0.2.1", userKey(name)]);
    expect(limiter.check(["ip:192.0.2.1", userKey("f")])).toBe(MIN);
    expect(limiter.check(["ip:192.0.2.2", userKey("a")])).toBeUndefined();
    for (const ip of ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.14"])
      limiter.failed([ipKey(ip), userKey("bob")]);
    expect(limiter.check([ipKey("198.51.100.1"), userKey("bob")])).toBe(MIN);
  });

  it("forgets a streak after 15 quiet minutes", () => {
    const { limiter, advance } = setup();
    fail(limiter, ["user:alice"], 4);
    advance(15 * MIN);
    limiter.failed(["user:alice"]);
    expect(limiter.check(["user:alice"])).toBeUndefined();
  });

  it("success clears the keys it is given", () => {
    const { limiter } = setup();
    fail(limiter, ["ip:192.0.2.1", "user:alice"], 5);
    limiter.succeeded(["user:alice"]);
    expect(limiter.check(["user:alice"])).toBeUndefined();
    expect(limiter.check(["ip:192.0.2.1"])).toBe(MIN);
  });

  it("stays bounded and evicts the least recently failed key", () => {
    const { limiter } = setup({ maxEntries: 3 });
    fail(limiter, ["ip:attacker"], 5);
    for (let i = 0; i < 100; i++) limiter.failed(["ip:attacker", `user:u${i}`]);
    expect(limiter.check(["ip:attacker"])).toBeDefined();
    expect(limiter.check(["user:u99"])).toBeUndefined();
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
