// The contract every Provider passes (see ../types.ts), run from each provider's test file against a
// real server (BIND, Knot, PowerDNS) or the vendor's fake. `peek` reads the service by another route
// than the provider (the fake's state, dig against the real server), so write-only providers are
// checked too and a provider cannot pass by agreeing with itself.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBeaconError } from "../../core/errors.js";
import type { CallContext, Provider, ProviderRecordType, ProviderRRSet } from "../types.js";

export interface ContractSubject {
  /** Connected to the service; `zone` exists there and starts with no A/AAAA/TXT below it. */
  readonly provider: Provider;
  readonly zone: string;
  /** What the service holds now, read without the provider. */
  peek(fqdn: string, type: ProviderRecordType): Promise<ProviderRRSet | undefined>;
  /** The same service with wrong credentials; omit when the protocol has none to get wrong. */
  readonly wrongCredentials?: Provider;
  /** A name in no zone of the account; omit when the vendor cannot tell (it would accept anything). */
  readonly foreignName?: string;
  /**
   * The n-th fresh name, for services that cannot hold arbitrary names below `zone` (DuckDNS holds
   * only <sub>.duckdns.org). Default `c<n>.contract.<zone>`.
   */
  readonly freshName?: (n: number) => string;
  close(): Promise<void>;
}

const V4 = ["81.2.69.142", "81.2.69.160"] as const;
const V6 = ["2a02:8070:a1b2::1"] as const;
const TXT = ["token-1_abcDEF", "v=spf1 include:_spf.example.net ~all"] as const;

const ctx = (): CallContext => ({ signal: AbortSignal.timeout(20_000) });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

export function runProviderContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`Provider contract: ${name}`, () => {
    let s: ContractSubject;
    let n = 0;
    /** A fresh name per test, two labels below the zone (providers must not assume one label). */
    /** A TTL the provider can hold: `t` raised to its floor (vendors with a floor of 600 exist). */
    const ttlOf = (t: number) => Math.max(t, s.provider.capabilities.minTtl ?? 1);
    const fresh = () => {
      n++;
      return s.freshName === undefined ? `c${n}.contract.${s.zone}` : s.freshName(n);
    };

    beforeAll(async () => {
      s = await setup();
    }, 60_000);
    afterAll(async () => {
      await s.close();
    });

    it("get() of a name that holds nothing is undefined", async () => {
      if (!s.provider.capabilities.read) {
        const e = await rejection(s.provider.get(fresh(), "A", ctx()));
        expect(isBeaconError(e) && e.code).toBe("provider_unsupported");
        return;
      }
      expect(await s.provider.get(fresh(), "A", ctx())).toBeUndefined();
    });

    it("upsert() creates the set; the same upsert again is unchanged (or, write-only, harmless)", async () => {
      const fqdn = fresh();
      const ttl = ttlOf(300);
      expect(await s.provider.upsert({ fqdn, type: "A", values: [V4[0]], ttl }, ctx())).toBe("changed");
      const want = { type: "A", values: [V4[0]], ...(s.provider.capabilities.ttl ? { ttl } : {}) };
      expect(await s.peek(fqdn, "A")).toMatchObject(want);
      const again = await s.provider.upsert({ fqdn, type: "A", values: [V4[0]], ttl }, ctx());
      if (s.provider.capabilities.read) {
        expect(again).toBe("unchanged");
        expect(await s.provider.get(fqdn, "A", ctx())).toMatchObject(want);
      }
      expect(await s.peek(fqdn, "A")).toMatchObject(want);
    });

    it("upsert() replaces the values; several values when the provider holds sets", async () => {
      const fqdn = fresh();
      await s.provider.upsert({ fqdn, type: "A", values: [V4[0]], ttl: ttlOf(300) }, ctx());
      const values = s.provider.capabilities.multiValue ? [...V4] : [V4[1]];
      expect(await s.provider.upsert({ fqdn, type: "A", values, ttl: ttlOf(300) }, ctx())).toBe("changed");
      expect((await s.peek(fqdn, "A"))?.values).toEqual(values);
      if (s.provider.capabilities.multiValue) {
        await s.provider.upsert({ fqdn, type: "A", values: [V4[1]], ttl: ttlOf(300) }, ctx());
        expect((await s.peek(fqdn, "A"))?.values).toEqual([V4[1]]);
      }
    });

    it("an undefined TTL keeps the TTL the service holds", async () => {
      if (!s.provider.capabilities.ttl) return;
      const fqdn = fresh();
      const [hi, lo] = [ttlOf(600) * 2, ttlOf(120)];
      await s.provider.upsert({ fqdn, type: "A", values: [V4[0]], ttl: hi }, ctx());
      expect(await s.provider.upsert({ fqdn, type: "A", values: [V4[1]], ttl: undefined }, ctx())).toBe(
        "changed",
      );
      expect(await s.peek(fqdn, "A")).toMatchObject({ ttl: hi, values: [V4[1]] });
      // A TTL-only change is a change.
      expect(await s.provider.upsert({ fqdn, type: "A", values: [V4[1]], ttl: lo }, ctx())).toBe("changed");
      expect(await s.peek(fqdn, "A")).toMatchObject({ ttl: lo, values: [V4[1]] });
    });

    it("A and AAAA of one name are independent sets", async () => {
      if (!s.provider.capabilities.types.includes("AAAA")) return;
      const fqdn = fresh();
      await s.provider.upsert({ fqdn, type: "A", values: [V4[0]], ttl: ttlOf(300) }, ctx());
      await s.provider.upsert({ fqdn, type: "AAAA", values: [...V6], ttl: ttlOf(300) }, ctx());
      expect((await s.peek(fqdn, "A"))?.values).toEqual([V4[0]]);
      expect((await s.peek(fqdn, "AAAA"))?.values).toEqual([...V6]);
      if (s.provider.capabilities.read) {
        expect((await s.provider.get(fqdn, "AAAA", ctx()))?.values).toEqual([...V6]);
      }
    });

    it("TXT at an _acme-challenge name, with spaces and '=' (several values when supported)", async () => {
      if (!s.provider.capabilities.types.includes("TXT")) {
        const e = await rejection(
          s.provider.upsert({ fqdn: fresh(), type: "TXT", values: [TXT[0]], ttl: ttlOf(60) }, ctx()),
        );
        expect(isBeaconError(e) && e.code).toBe("provider_unsupported");
        return;
      }
      const fqdn = `_acme-challenge.${fresh()}`;
      const values = s.provider.capabilities.multiValue ? [...TXT] : [TXT[1]];
      expect(await s.provider.upsert({ fqdn, type: "TXT", values, ttl: ttlOf(60) }, ctx())).toBe("changed");
      expect((await s.peek(fqdn, "TXT"))?.values).toEqual(values);
      if (s.provider.capabilities.read) {
        expect((await s.provider.get(fqdn, "TXT", ctx()))?.values).toEqual(values);
        expect(await s.provider.upsert({ fqdn, type: "TXT", values, ttl: ttlOf(60) }, ctx())).toBe(
          "unchanged",
        );
      }
    });

    it("delete() removes one set and leaves the other; deleting again is unchanged", async () => {
      if (!s.provider.capabilities.delete) {
        const e = await rejection(s.provider.delete(fresh(), "A", ctx()));
        expect(isBeaconError(e) && e.code).toBe("provider_unsupported");
        return;
      }
      const fqdn = fresh();
      const hasV6 = s.provider.capabilities.types.includes("AAAA");
      await s.provider.upsert({ fqdn, type: "A", values: [V4[0]], ttl: ttlOf(300) }, ctx());
      if (hasV6) await s.provider.upsert({ fqdn, type: "AAAA", values: [...V6], ttl: ttlOf(300) }, ctx());
      expect(await s.provider.delete(fqdn, "A", ctx())).toBe("changed");
      expect(await s.peek(fqdn, "A")).toBeUndefined();
      if (hasV6) expect((await s.peek(fqdn, "AAAA"))?.values).toEqual([...V6]);
      if (s.provider.capabilities.read) {
        expect(await s.provider.delete(fqdn, "A", ctx())).toBe("unchanged");
      }
    });

    it("wrong credentials are provider_auth, and nothing is written", async () => {
      if (s.wrongCredentials === undefined) return;
      const fqdn = fresh();
      const e = await rejection(
        s.wrongCredentials.upsert({ fqdn, type: "A", values: [V4[0]], ttl: ttlOf(300) }, ctx()),
      );
      expect(isBeaconError(e) && e.code).toBe("provider_auth");
      expect(isBeaconError(e) && e.message).toMatch(/\S/);
      expect(await s.peek(fqdn, "A")).toBeUndefined();
    });

    it("a name in no zone of the account is provider_zone_not_found", async () => {
      if (s.foreignName === undefined) return;
      const e = await rejection(
        s.provider.upsert({ fqdn: s.foreignName, type: "A", values: [V4[0]], ttl: ttlOf(300) }, ctx()),
      );
      expect(isBeaconError(e) && e.code).toBe("provider_zone_not_found");
    });

    it("an already-aborted signal rejects with aborted and sends nothing", async () => {
      const fqdn = fresh();
      const ac = new AbortController();
      ac.abort();
      const e = await rejection(
        s.provider.upsert({ fqdn, type: "A", values: [V4[0]], ttl: ttlOf(300) }, { signal: ac.signal }),
      );
      expect(isBeaconError(e) && e.code).toBe("aborted");
      expect(await s.peek(fqdn, "A")).toBeUndefined();
    });
  });
}
