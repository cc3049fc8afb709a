import { describe, expect, it } from "vitest";

import { renewalAt, retryDelay, RETRY_FIRST_MS, RETRY_MAX_MS } from "./schedule.js";

const DAY = 86_400_000;

describe("renewalAt", () => {
  it("is the earlier of the window before expiry and a third of the lifetime left", () => {
    const ninety = { notBefore: 0, notAfter: 90 * DAY };
    expect(renewalAt(ninety, 30 * DAY)).toBe(60 * DAY);
    expect(renewalAt(ninety, 10 * DAY)).toBe(60 * DAY); // a third left comes first
    expect(renewalAt(ninety, 45 * DAY)).toBe(45 * DAY); // the window comes first
  });

  it("ignores a window longer than the lifetime (a 6-day certificate is not due when issued)", () => {
    expect(renewalAt({ notBefore: 0, notAfter: 6 * DAY }, 30 * DAY)).toBe(4 * DAY);
    expect(renewalAt({ notBefore: 0, notAfter: 6 * DAY }, 6 * DAY)).toBe(4 * DAY);
  });
});

describe("retryDelay", () => {
  it("doubles from 1 minute to a 1 hour cap, jittered down to half", () => {
    const top = [1, 2, 3, 7, 8, 1000].map((f) => retryDelay(f, () => 1));
    expect(top).toEqual([1, 2, 4, 60, 60, 60].map((m) => m * RETRY_FIRST_MS));
    expect(retryDelay(3, () => 0)).toBe(2 * RETRY_FIRST_MS);
    expect(retryDelay(1000, () => 0.5)).toBe(0.75 * RETRY_MAX_MS);
  });

  it("treats 0 or a negative count as the first failure", () => {
    expect(retryDelay(0, () => 1)).toBe(RETRY_FIRST_MS);
    expect(retryDelay(-5, () => 1)).toBe(RETRY_FIRST_MS);
  });
});
