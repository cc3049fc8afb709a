import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { createSecondFactor, type SecondFactor } from "./second-factor.js";
import { totpCode } from "./totp-code.js";

const T0 = 1_700_000_000_000;

describe("the TOTP second factor", () => {
  let store: Store;
  let now: number;
  let factor: SecondFactor;
  beforeEach(async () => {
    store = createMemoryStore();
    now = T0;
    factor = createSecondFactor({ store, clock: () => now });
    await store.createUser({
      name: "alice",
      passwordHash: "x",
      role: "admin",
      createdAt: T0,
      passwordChangedAt: T0,
    });
  });

  async function enrol(): Promise<{ secret: string; codes: string[] }> {
    const { secret } = await factor.begin("alice", "Beacon");
    const codes = await factor.confirm("alice", totpCode(secret, now));
    return { secret, codes };
  }

  it("is not required until a code confirms the enrolment", async () => {
    const { secret, uri } = await factor.begin("alice", "Beacon");
    expect(uri).toContain(`secret=${secret}`);
    expect(await factor.required("alice")).toBe(false);
    expect(await factor.status("alice")).toMatchObject({ enabled: false, pending: true });
    await expect(factor.confirm("alice", "000000")).rejects.toMatchObject({ code: "wrong_code" });
    await expect(factor.confirm("alice", "12345")).rejects.toMatchObject({ code: "wrong_code" });
    expect(await factor.required("alice")).toBe(false);
    const codes = await factor.confirm("alice", totpCode(secret, now));
    expect(codes).toHaveLength(10);
    expect(await factor.required("alice")).toBe(true);
    expect(await factor.status("alice")).toMatchObject({
      enabled: true,
      pending: false,
      recoveryCodesLeft: 10,
    });
    // The codes are not stored in clear.
    expect(JSON.stringify(await store.getTotp("alice"))).not.toContain(codes[0]);
  });

  it("refuses a second enrolment while on, and a confirmation without one", async () => {
    await expect(factor.confirm("alice", "123456")).rejects.toMatchObject({ code: "totp_not_enabled" });
    await enrol();
    await expect(factor.begin("alice", "Beacon")).rejects.toMatchObject({ code: "totp_enabled" });
    await expect(factor.begin("nobody", "Beacon")).rejects.toMatchObject({ code: "user_not_found" });
  });

  it("accepts a code once per step (replay), a newer step after, never an older one", async () => {
    const { secret } = await enrol(); // the confirming code used the current step
    expect(await factor.verify("alice", totpCode(secret, now))).toBeUndefined();
    now += 30_000;
    const code = totpCode(secret, now);
    expect(await factor.verify("alice", code)).toBe("totp");
    expect(await factor.verify("alice", code)).toBeUndefined();
    expect(await factor.verify("alice", totpCode(secret, now - 30_000))).toBeUndefined();
    expect(await factor.verify("alice", totpCode(secret, now + 30_000))).toBe("totp");
    now += 5 * 30_000;
    expect(await factor.verify("alice", totpCode(secret, now - 60_000))).toBeUndefined(); // outside ± 1
    expect(await factor.verify("alice", totpCode(secret, now - 30_000))).toBe("totp");
  });

  it("accepts each recovery code once, in any case and grouping", async () => {
    const { codes } = await enrol();
    expect(await factor.verify("alice", codes[3]!.toUpperCase().replace(/-/g, ""))).toBe("recovery");
    expect(await factor.verify("alice", codes[3]!)).toBeUndefined();
    expect(await factor.verify("alice", codes[4]!)).toBe("recovery");
    expect(await factor.status("alice")).toMatchObject({ recoveryCodesLeft: 8 });
    expect(await factor.verify("alice", "aaaa-aaaa-aaaa-aaaa")).toBeUndefined();
  });

  it("accepts nothing for a user without an enabled factor, and nothing malformed", async () => {
    const { secret } = await factor.begin("alice", "Beacon");
    expect(await factor.verify("alice", totpCode(secret, now))).toBeUndefined(); // pending only
    expect(await factor.verify("nobody", "123456")).toBeUndefined();
    await factor.confirm("alice", totpCode(secret, now));
    now += 30_000;
    for (const bad of ["", "12345", "1234567", "12 34 56 78", "abcdef", "x".repeat(100_000)])
      expect(await factor.verify("alice", bad)).toBeUndefined();
  });

  it("is removed (reset), and dies with its user", async () => {
    await enrol();
    expect(await factor.remove("alice")).toBe(true);
    expect(await factor.remove("alice")).toBe(false);
    expect(await factor.required("alice")).toBe(false);
    await enrol();
    await store.deleteUser("alice");
    expect(await factor.list()).toEqual([]);
  });
});
