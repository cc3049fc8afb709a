import { describe, expect, test } from "vitest";
import {
  backoffDelayMs,
  DYNDNS2_BACKOFF_MIN_MS,
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  retryDelayMs,
} from "./backoff.js";
import { changedInterfaces, interfaceSignature, isAffected } from "./interface-watch.js";
import { ifaceAddress } from "../testing/fakes.js";

describe("backoff", () => {
  test("retry delays stay within ±10% of the doubling schedule and never exceed the cap", () => {
    for (const random of [0, 0.5, 0.999999]) {
      for (let attempt = 1; attempt <= 30; attempt++) {
        const d = retryDelayMs(attempt, () => random);
        const nominal = Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_CAP_MS);
        expect(d).toBeGreaterThanOrEqual(nominal * 0.9);
        expect(d).toBeLessThanOrEqual(Math.min(nominal * 1.1, RETRY_CAP_MS));
      }
    }
  });

  test("911 and dnserr (any case) wait at least 30 min; other codes as asked, at least the retry base", () => {
    expect(backoffDelayMs("911", 0)).toBe(DYNDNS2_BACKOFF_MIN_MS);
    expect(backoffDelayMs("DNSERR", 5_000)).toBe(DYNDNS2_BACKOFF_MIN_MS);
    expect(backoffDelayMs("911", -1)).toBe(DYNDNS2_BACKOFF_MIN_MS);
    expect(backoffDelayMs("911", Number.NaN)).toBe(DYNDNS2_BACKOFF_MIN_MS);
    expect(backoffDelayMs("rate_limited", 90_000)).toBe(90_000);
    expect(backoffDelayMs("rate_limited", 1)).toBe(RETRY_BASE_MS);
  });
});

describe("interface watch", () => {
  const before = interfaceSignature([ifaceAddress("eth0", "2a02:8070::1"), ifaceAddress("eth1", "10.0.0.2")]);

  test("address, flag, added and removed interfaces are changes; order is not", () => {
    const same = interfaceSignature([ifaceAddress("eth1", "10.0.0.2"), ifaceAddress("eth0", "2a02:8070::1")]);
    expect(changedInterfaces(before, same)).toEqual(new Set());
    const deprecated = interfaceSignature([
      ifaceAddress("eth0", "2a02:8070::1", { deprecated: true }),
      ifaceAddress("eth1", "10.0.0.2"),
      ifaceAddress("wg0", "10.9.0.1"),
    ]);
    expect(changedInterfaces(before, deprecated)).toEqual(new Set(["eth0", "wg0"]));
    expect(changedInterfaces(before, interfaceSignature([ifaceAddress("eth1", "10.0.0.2")]))).toEqual(
      new Set(["eth0"]),
    );
  });

  test("isAffected", () => {
    const changed = new Set(["eth0"]);
    expect(isAffected("none", changed)).toBe(false);
    expect(isAffected("any", changed)).toBe(true);
    expect(isAffected("any", new Set())).toBe(false);
    expect(isAffected(new Set(["eth0", "eth9"]), changed)).toBe(true);
    expect(isAffected(new Set(["eth1"]), changed)).toBe(false);
  });
});
