import { describe, expect, it } from "vitest";

import { T0, tokenFixture } from "../testing/fixtures.js";
import { createMemoryTokens } from "./tokens.js";

describe("createMemoryTokens: revokeHostTokens", () => {
  it("revokes the live tokens made for that host only, keeping earlier revocations", async () => {
    const tokens = createMemoryTokens(() => undefined);
    await tokens.createToken(tokenFixture("tk_a", { hostId: 1 }));
    await tokens.createToken(tokenFixture("tk_b", { hostId: 1, revokedAt: T0 + 1 }));
    await tokens.createToken(tokenFixture("tk_c", { hostId: 2 }));
    await tokens.createToken(tokenFixture("tk_d"));
    tokens.revokeHostTokens(1, T0 + 9);
    const revoked = Object.fromEntries((await tokens.listTokens()).map((t) => [t.id, t.revokedAt]));
    expect(revoked).toEqual({ tk_a: T0 + 9, tk_b: T0 + 1, tk_c: undefined, tk_d: undefined });
  });
});
