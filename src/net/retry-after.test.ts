import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from "./retry-after.js";

const NOW = 1_700_000_000_000;

describe("parseRetryAfter", () => {
  it.each([
    ["delay-seconds", "120", 120_000],
    ["zero", "0", 0],
    ["padded", " 5 ", 5_000],
    ["an HTTP-date 30 s ahead", new Date(NOW + 30_000).toUTCString(), 30_000],
    ["an HTTP-date in the past", new Date(NOW - 30_000).toUTCString(), 0],
    ["a huge delay (capped)", "9999999999", MAX_RETRY_AFTER_MS],
  ])("%s", (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ["absent", undefined],
    ["negative", "-5"],
    ["fractional", "1.5"],
    ["words", "soon"],
    ["an ISO date (not an HTTP-date)", "2023-11-14T22:13:20Z"],
    ["a bogus date", "Mon, 99 Foo 2023 99:99:99 GMT"],
  ])("ignores %s", (_name, value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});
