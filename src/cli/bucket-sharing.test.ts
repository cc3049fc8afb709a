import { describe, expect, it } from "vitest";

import { bucketSharing } from "./bucket-sharing.js";

describe("bucketSharing", () => {
  it("keeps SQLite as before: long windows only, every 10 s, not read back", () => {
    expect(bucketSharing({ sqlitePath: "/data/beacon.db", postgres: undefined })).toEqual({
      persistFromMs: 3_600_000,
      shared: false,
      flushEveryMs: 10_000,
    });
  });

  it("shares every bucket on PostgreSQL, flushed every second", () => {
    const postgres = { url: "postgres://u:p@db/beacon", where: "db:5432/beacon" };
    expect(bucketSharing({ sqlitePath: "/data/beacon.db", postgres })).toEqual({
      persistFromMs: 0,
      shared: true,
      flushEveryMs: 1_000,
    });
  });
});
