import { describe, expect, it } from "vitest";
import { createReplayGuard } from "./replay.js";

const mac = (n: number) => Uint8Array.of(n, n >> 8, 7, 7);

describe("TSIG replay guard", () => {
  it("a MAC is a replay for the same key until it expires, fresh for another key", () => {
    const g = createReplayGuard(10);
    expect(g.check("k", mac(1), 1300, 1000)).toBe("fresh");
    expect(g.check("k", mac(1), 1300, 1001)).toBe("pending"); // the first copy is not answered yet
    g.settled("k", mac(1));
    expect(g.check("k", mac(1), 1300, 1200)).toBe("replay");
    expect(g.check("k", mac(1), 1300, 1300)).toBe("replay");
    expect(g.check("other", mac(1), 1300, 1200)).toBe("fresh");
    expect(g.check("k", mac(1), 1700, 1301)).toBe("fresh"); // expired: the caller's time check decides
  });

  it("memory stays bounded: expired entries are swept, and a full table says so instead of forgetting", () => {
    const g = createReplayGuard(100);
    for (let i = 0; i < 100; i++) {
      expect(g.check("k", mac(i), 1300, 1000)).toBe("fresh");
      g.settled("k", mac(i));
    }
    expect(g.check("k", mac(500), 1300, 1001)).toBe("full");
    expect(g.check("k", mac(0), 1300, 1001)).toBe("replay"); // still remembered
    expect(g.size).toBe(100);
    // once their window is over, the old entries make room (swept on the next full check)
    expect(g.check("k", mac(500), 1700, 1301)).toBe("fresh");
    expect(g.size).toBe(1);
  });
});
