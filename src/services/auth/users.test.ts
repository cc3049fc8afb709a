import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import { canonicalUserName, createUserService } from "./users.js";

const PW = "a long enough password";

function setup() {
  const store = createMemoryStore();
  let now = 1_700_000_000_000;
  const users = createUserService({ store, clock: () => now });
  return {
    store,
    users,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe("user service", () => {
  it("adds a user with a hashed password and verifies it", async () => {
    const { users, store } = setup();
    const u = await users.add("Alice", PW);
    expect(u).toEqual({
      name: "alice",
      role: "admin",
      createdAt: u.createdAt,
      passwordChangedAt: u.createdAt,
    });
    expect(JSON.stringify(u)).not.toContain("scrypt");
    expect((await store.getUser("alice"))?.passwordHash).toMatch(/^scrypt\$/);
    expect((await users.verify("alice", PW))?.name).toBe("alice");
    expect((await users.verify("ALICE", PW))?.name).toBe("alice");
    expect(await users.verify("alice", PW + "x")).toBeUndefined();
  });

  it.each([
    ["unknown user", "bob"],
    ["empty name", ""],
    ["10k-character name", "a".repeat(10_000)],
    ["name with a space", "al ice"],
    ["KELVIN SIGN for k", "\u212Aelly"],
  ])("verify refuses an %s without throwing", async (_n, name) => {
    const { users } = setup();
    await users.add("alice", PW);
    await users.add("kelly", PW);
    expect(await users.verify(name, PW)).toBeUndefined();
  });

  it("refuses taken names, weak passwords and bad names with their codes", async () => {
    const { users } = setup();
    await users.add("alice", PW);
    expect(await code(users.add("alice", PW))).toBe("user_exists");
    expect(await code(users.add("bob", "short"))).toBe("weak_password");
    expect(await code(users.add("bob", "x".repeat(1025)))).toBe("weak_password");
    expect(await code(users.add("bad name", PW))).toBe("bad_request");
    expect(await code(users.add("-leading", PW))).toBe("bad_request");
    expect(await code(users.add("x".repeat(65), PW))).toBe("bad_request");
    expect(await code(users.add("", PW))).toBe("bad_request");
  });

  it("changes a password", async () => {
    const { users, store, advance } = setup();
    await users.add("alice", PW);
    advance(1000);
    await users.setPassword("alice", "another long password");
    expect(await users.verify("alice", PW)).toBeUndefined();
    const u = await users.verify("alice", "another long password");
    expect(u && u.passwordChangedAt - u.createdAt).toBe(1000);
    expect(await code(users.setPassword("alice", "short"))).toBe("weak_password");
    expect(await code(users.setPassword("nobody", PW))).toBe("user_not_found");
    expect((await store.getUser("alice"))?.passwordChangedAt).toBe(u?.passwordChangedAt);
  });

  it("removes a user, and lists and counts them", async () => {
    const { users } = setup();
    await users.add("bob", PW);
    await users.add("alice", PW);
    expect((await users.list()).map((u) => u.name)).toEqual(["alice", "bob"]);
    expect(await users.count()).toBe(2);
    await users.remove("bob");
    expect(await code(users.remove("bob"))).toBe("user_not_found");
    expect(await users.count()).toBe(1);
  });

  it("sets up the first user once; later attempts get setup_done", async () => {
    const { users } = setup();
    expect(await code(users.setupFirstUser("admin", "short"))).toBe("weak_password");
    expect(await users.count()).toBe(0);
    const results = await Promise.allSettled([
      users.setupFirstUser("admin", PW),
      users.setupFirstUser("mallory", PW),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await users.count()).toBe(1);
    expect(await code(users.setupFirstUser("other", PW))).toBe("setup_done");
  });
});

describe("canonicalUserName", () => {
  it.each([
    ["Admin", "admin"],
    ["ops.team_1@example-org", "ops.team_1@example-org"],
  ])("%s → %s", (input, out) => {
    expect(canonicalUserName(input)).toBe(out);
  });

  // U+212A KELVIN SIGN lowercases to ASCII "k": never folded into another user's name.
  it.each(["", " admin", "admin\n", "ädmin", "a/b", "_admin", "a".repeat(65), "\u212Aevin", "\u0130nfo"])(
    "refuses %j",
    (input) => {
      expect(() => canonicalUserName(input)).toThrow(/user name/);
    },
  );
});
