import { describe, expect, it } from "vitest";

import { createHttpChallenges } from "./http-01.js";

describe("HTTP-01 challenges", () => {
  it("answers a token while it is pending, and only then", async () => {
    const c = createHttpChallenges();
    const task = {
      type: "http-01",
      name: "a.example.com",
      token: "tok_1-A",
      value: "tok_1-A.thumb",
    } as const;
    expect(c.lookup("tok_1-A")).toBeUndefined();
    await c.present(task);
    expect(c.lookup("tok_1-A")).toBe("tok_1-A.thumb");
    expect(c.lookup("other")).toBeUndefined();
    await c.cleanUp(task);
    await c.cleanUp(task);
    expect(c.lookup("tok_1-A")).toBeUndefined();
  });
});
