import { beforeEach, describe, expect, it } from "vitest";
import { createSecondFactor } from "../../services/auth/second-factor.js";
import { totpCode } from "../../services/auth/totp-code.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import type { Io } from "../output.js";
import { userTotpCommands } from "./user-totp.js";

const T0 = 1_700_000_000_000;

describe("beacon user totp", () => {
  let store: Store;
  let out: string[];
  const io: Io = { out: (t) => void out.push(t), err: () => undefined };
  const factor = () => createSecondFactor({ store, clock: () => T0 });
  const cmds = () => userTotpCommands(store, factor());

  beforeEach(async () => {
    store = createMemoryStore();
    out = [];
    for (const name of ["alice", "bob", "carol"])
      await store.createUser({
        name,
        passwordHash: "x",
        role: "admin",
        createdAt: T0,
        passwordChangedAt: T0,
      });
    const { secret } = await factor().begin("alice", "Beacon");
    await factor().confirm("alice", totpCode(secret, T0));
    await factor().begin("bob", "Beacon");
  });

  it("shows every admin's state, as a table and as JSON", async () => {
    await cmds().status(io, false);
    expect(out[0]).toMatch(/^USER\s+TOTP\s+RECOVERY CODES LEFT\s+ENABLED/);
    expect(out.join("\n")).toMatch(/alice\s+on\s+10\s+2023-11-14T22:13:20Z/);
    expect(out.join("\n")).toMatch(/bob\s+pending\s+-/);
    expect(out.join("\n")).toMatch(/carol\s+off\s+-/);
    out = [];
    await cmds().status(io, true);
    expect(JSON.parse(out.join("\n"))).toEqual([
      { user: "alice", totp: "on", recoveryCodesLeft: 10, enabledAt: T0 },
      { user: "bob", totp: "pending", recoveryCodesLeft: 0 },
      { user: "carol", totp: "off", recoveryCodesLeft: 0 },
    ]);
  });

  it("resets a user's factor and signs out their sessions; the password alone then signs in", async () => {
    const session = {
      user: "alice",
      csrfToken: "c",
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + 3_600_000,
    };
    await store.createSession({ ...session, idHash: "a".repeat(64) });
    await cmds().reset(io, "ALICE");
    expect(out).toEqual([
      "two-factor sign-in of alice removed and 1 session(s) signed out; they sign in with their password and can enrol again",
    ]);
    expect(await factor().required("alice")).toBe(false);
    expect(await store.getSession("a".repeat(64))).toBeUndefined();
    await cmds().reset(io, "carol");
    expect(out[1]).toBe("carol had no two-factor sign-in; nothing changed");
  });

  it("refuses an unknown or malformed user name", async () => {
    await expect(cmds().reset(io, "nobody")).rejects.toMatchObject({ code: "user_not_found" });
    await expect(cmds().reset(io, "-bad name")).rejects.toMatchObject({ code: "bad_request" });
  });
});
