import { describe, expect, it } from "vitest";
import { staticSource } from "./static.js";
import { fakeDeps } from "./testing/deps.js";

describe("static source", () => {
  it("reports its canonical address for its family only", async () => {
    const src = staticSource.create(
      "s",
      staticSource.settings.parse({ address: "2A02:8070::0001" }),
      fakeDeps(),
    );
    expect(src.families).toEqual([6]);
    expect(src.operator).toBe("static");
    const ctx = { signal: AbortSignal.timeout(1000), localAddress: undefined };
    expect(await src.observe({ ...ctx, family: 6 })).toEqual({
      ok: true,
      ip: { text: "2a02:8070::1", family: 6 },
    });
    expect(await src.observe({ ...ctx, family: 4 })).toMatchObject({ ok: false, reason: "wrong_family" });
  });

  it.each(["", "example.com", "81.2.69.142/32", "1.2.3"])("rejects the address %j", (address) => {
    expect(staticSource.settings.safeParse({ address }).success).toBe(false);
  });
});
