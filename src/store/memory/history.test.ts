import { describe, expect, it } from "vitest";

import { HISTORY_FOLD_WINDOW_MS, type HistoryEntry, type StoredHistoryEntry } from "../types.js";
import { historyFixture, T0 } from "../testing/fixtures.js";
import { foldsInto } from "./history.js";

const latest: StoredHistoryEntry = {
  ...historyFixture("a.example.com", { outcome: "nochg", oldValues: ["192.0.2.1"] }),
  id: 7,
  hostId: 1,
  count: 3,
  lastAt: T0 + 10,
};
const repeat = (extra: Partial<HistoryEntry>): HistoryEntry => ({ ...latest, at: T0 + 1000, ...extra });

describe("foldsInto", () => {
  it.each<[string, Partial<HistoryEntry>, boolean]>([
    ["an identical nochg", {}, true],
    ["a change (good)", { outcome: "good" }, false],
    ["a delete", { outcome: "deleted" }, false],
    ["another outcome", { outcome: "rate_limited" }, false],
    ["another protocol", { protocol: "api" }, false],
    ["another token", { tokenId: "tk_2" }, false],
    ["no token", { tokenId: undefined }, false],
    ["another source", { sourceIp: "192.0.2.2" }, false],
    ["another user agent", { userAgent: "other/1" }, false],
    ["other old values", { oldValues: ["192.0.2.9"] }, false],
    ["other new values", { newValues: ["192.0.2.1", "192.0.2.2"] }, false],
    ["just inside the window", { at: T0 + HISTORY_FOLD_WINDOW_MS - 1 }, true],
    ["at the window's end", { at: T0 + HISTORY_FOLD_WINDOW_MS }, false],
  ])("%s → %s", (_name, extra, folds) => {
    expect(foldsInto(repeat(extra), latest)).toBe(folds);
  });

  it("folds a refusal into the same refusal", () => {
    const refused = { ...latest, outcome: "rate_limited" };
    expect(foldsInto(repeat({ outcome: "rate_limited" }), refused)).toBe(true);
  });
});
