import { hostname } from "node:os";
import { describe, expect, it } from "vitest";

import { newNodeId } from "./node-id.js";

describe("node id", () => {
  it("names the host and process, and differs for every call (a restarted node is a new one)", () => {
    const ids = new Set(Array.from({ length: 20 }, () => newNodeId()));
    expect(ids.size).toBe(20);
    for (const id of ids)
      expect(id).toMatch(new RegExp(`^${hostname().replace(/\./g, "\\.")}/${process.pid}/[0-9a-f]{12}$`));
  });
});
