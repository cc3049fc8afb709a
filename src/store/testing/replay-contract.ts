// The ReplayStore part of the Store contract (called from runStoreContract and each adapter's
// port-modules test): a MAC is claimed once per key until it expires, concurrent claims of one MAC
// let exactly one through, pruning is bounded and only takes expired entries, bad input is refused
// with bad_request and changes nothing.

import { describe, expect, it } from "vitest";

import type { ReplayStore } from "../ports.js";

const NOW = 1_700_000_000;
const mac = (byte: number, length = 32) => new Uint8Array(length).fill(byte);

export function replayContract(get: () => ReplayStore): void {
  describe("TSIG replay memory", () => {
    it("claims a MAC once per key until it expires, then again", async () => {
      const store = get();
      expect(await store.claimTsigMac("k1.", mac(1), NOW + 300, NOW)).toBe(true);
      expect(await store.claimTsigMac("k1.", mac(1), NOW + 300, NOW + 10)).toBe(false);
      // The same MAC under another key, and another MAC under the same key, are other messages.
      expect(await store.claimTsigMac("k2.", mac(1), NOW + 300, NOW)).toBe(true);
      expect(await store.claimTsigMac("k1.", mac(2), NOW + 300, NOW)).toBe(true);
      // Still a replay at its last second; claimable again after it.
      expect(await store.claimTsigMac("k1.", mac(1), NOW + 900, NOW + 300)).toBe(false);
      expect(await store.claimTsigMac("k1.", mac(1), NOW + 900, NOW + 301)).toBe(true);
      expect(await store.claimTsigMac("k1.", mac(1), NOW + 900, NOW + 302)).toBe(false);
    });

    it("lets exactly one of many concurrent claims of one MAC through", async () => {
      const store = get();
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => store.claimTsigMac("k.", mac(7), NOW + 300, NOW)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it("prunes only expired entries, at most `limit` per call", async () => {
      const store = get();
      for (let i = 0; i < 5; i++) await store.claimTsigMac("k.", mac(i + 1), NOW + i, NOW);
      expect(await store.pruneTsigMacs(NOW + 3, 2)).toBe(2);
      expect(await store.pruneTsigMacs(NOW + 3, 10)).toBe(1);
      expect(await store.pruneTsigMacs(NOW + 3, 10)).toBe(0);
      // The live entries are still there: claiming them is a replay.
      expect(await store.claimTsigMac("k.", mac(4), NOW + 300, NOW + 3)).toBe(false);
      expect(await store.claimTsigMac("k.", mac(5), NOW + 300, NOW + 3)).toBe(false);
      // A pruned one is new again.
      expect(await store.claimTsigMac("k.", mac(1), NOW + 300, NOW + 3)).toBe(true);
    });

    it("keeps MACs whose bytes differ only in a way text could lose (NUL, 0xff, one byte shorter)", async () => {
      const store = get();
      expect(await store.claimTsigMac("k.", Uint8Array.of(0, 255, 0), NOW + 300, NOW)).toBe(true);
      expect(await store.claimTsigMac("k.", Uint8Array.of(0, 255), NOW + 300, NOW)).toBe(true);
      expect(await store.claimTsigMac("k.", Uint8Array.of(0, 255, 0), NOW + 300, NOW)).toBe(false);
      expect(await store.claimTsigMac(`it's "odd" \\ $1 --.`, mac(1), NOW + 300, NOW)).toBe(true);
      expect(await store.claimTsigMac(`it's "odd" \\ $1 --.`, mac(1), NOW + 300, NOW)).toBe(false);
    });

    it("refuses bad input with bad_request and records nothing", async () => {
      const store = get();
      const bad: [string, Uint8Array, number, number][] = [
        ["", mac(1), NOW + 300, NOW],
        ["k".repeat(1_025), mac(1), NOW + 300, NOW],
        ["k".repeat(100_000), mac(1), NOW + 300, NOW],
        ["k.", new Uint8Array(0), NOW + 300, NOW],
        ["k.", mac(1, 513), NOW + 300, NOW],
        ["k.", mac(1), Number.NaN, NOW],
        ["k.", mac(1), NOW + 300, Number.POSITIVE_INFINITY],
        ["k.", mac(1), NOW + 0.5, NOW],
      ];
      for (const args of bad)
        await expect(store.claimTsigMac(...args)).rejects.toMatchObject({ code: "bad_request" });
      expect(await store.claimTsigMac("k".repeat(1_024), mac(1, 512), NOW + 300, NOW)).toBe(true);
      expect(await store.claimTsigMac("k.", mac(1), NOW + 300, NOW)).toBe(true);
    });
  });
}
