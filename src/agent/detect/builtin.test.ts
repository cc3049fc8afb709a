import { describe, expect, it } from "vitest";
import { isBeaconError } from "../../core/errors.js";
import { parseCidr, type IpFamily } from "../../core/ip.js";
import type { HttpRequest } from "../../net/http.js";
import type { DnsQueryOptions } from "../../dns/client/ports.js";
import { BUILTIN_SOURCES, createBuiltinSources, DEFAULT_SOURCE_IDS } from "./builtin.js";
import { SOURCE_TYPES } from "./registry.js";
import { fakeDeps } from "./testing/deps.js";
import { detectAddress } from "./verdict.js";

const byId = (id: string) => BUILTIN_SOURCES.find((b) => b.id === id)!;

describe("built-in sources (data)", () => {
  it("have unique ids and settings their type accepts", () => {
    expect(new Set(BUILTIN_SOURCES.map((b) => b.id)).size).toBe(BUILTIN_SOURCES.length);
    for (const b of BUILTIN_SOURCES)
      expect(SOURCE_TYPES.get(b.type)!.settings.safeParse(b.settings).success, b.id).toBe(true);
  });

  it("list own ranges that are valid CIDRs and never broader than a /13 (IPv4) or /32 (IPv6)", () => {
    for (const b of BUILTIN_SOURCES)
      for (const range of b.ownRanges) {
        const canonical = parseCidr(range);
        expect(canonical, `${b.id} ${range}`).toBeDefined();
        const bits = Number(canonical!.split("/")[1]);
        expect(bits).toBeGreaterThanOrEqual(range.includes(":") ? 32 : 13);
      }
  });

  it("name icanhazip's operator as Cloudflare, the same as 1.1.1.1", () => {
    expect(byId("icanhazip-v4").operator).toBe("cloudflare");
    expect(byId("icanhazip-v6").operator).toBe(byId("cloudflare-trace-v4").operator);
    expect(byId("cloudflare-dns").operator).toBe("cloudflare");
  });

  it.each([4, 6] as const)(
    "default IPv%s set has at least 3 independent operators that all answer it",
    (family) => {
      const ids = DEFAULT_SOURCE_IDS[family];
      const entries = ids.map(byId);
      expect(entries.every((b) => b !== undefined && b.families.includes(family))).toBe(true);
      expect(new Set(entries.map((b) => b.operator)).size).toBeGreaterThanOrEqual(3);
    },
  );

  it("covers the Cloudflare resolver addresses in the Cloudflare entries' own ranges", () => {
    expect(byId("cloudflare-trace-v4").ownRanges).toEqual(
      expect.arrayContaining(["1.1.1.0/24", "1.0.0.0/24"]),
    );
    expect(byId("cloudflare-trace-v6").ownRanges).toContain("2606:4700:4700::/48");
  });
});

describe("createBuiltinSources", () => {
  it("creates sources with the entries' operators and hands back their own ranges", () => {
    const { sources, ownRanges } = createBuiltinSources(["ipify-v4", "opendns", "ipify-v4"], fakeDeps());
    expect(sources.map((s) => [s.id, s.operator])).toEqual([
      ["ipify-v4", "ipify"],
      ["opendns", "opendns"],
    ]);
    expect(ownRanges.get("opendns")).toContain("208.67.216.0/21");
  });

  it("throws config_invalid naming an unknown id", () => {
    try {
      createBuiltinSources(["ipfy"], fakeDeps());
      expect.unreachable();
    } catch (e) {
      expect(isBeaconError(e) && e.code).toBe("config_invalid");
      expect((e as Error).message).toContain("ipfy");
    }
  });

  // The built-ins through faked networks: what each real service answers, by URL or DNS question.
  const TRUE: Record<IpFamily, string> = { 4: "81.2.69.142", 6: "2a02:8070:1234::1" };
  function fakeNetwork(lie?: { url: string; body: string }) {
    const httpRequest: HttpRequest = (url, o) => {
      const ip = TRUE[o.family ?? 4];
      if (lie && url === lie.url) return Promise.resolve({ status: 200, headers: {}, body: lie.body });
      const body = url.endsWith("/cdn-cgi/trace") ? `fl=1\nh=x\nip=${ip}\nts=1\n` : `${ip}\n`;
      return Promise.resolve({ status: 200, headers: {}, body });
    };
    const dnsQuery = (o: DnsQueryOptions) =>
      Promise.resolve({ rcode: "NOERROR", answers: [TRUE[o.server.includes(":") ? 6 : 4]] });
    return fakeDeps({ httpRequest, dnsQuery });
  }

  it.each([4, 6] as const)("the default IPv%s set agrees on the faked address", async (family) => {
    const { sources, ownRanges } = createBuiltinSources(DEFAULT_SOURCE_IDS[family], fakeNetwork());
    const v = await detectAddress(sources, { family, timeoutMs: 2000, ownRanges });
    expect(v).toMatchObject({ status: "agreed", ip: { text: TRUE[family] } });
    expect(v.report.every((r) => r.accepted)).toBe(true);
  });

  it("rejects the Cloudflare trace when it reports 1.1.1.1, its own anycast address", async () => {
    const lie = { url: "https://1.1.1.1/cdn-cgi/trace", body: "ip=1.1.1.1\n" };
    const { sources, ownRanges } = createBuiltinSources(DEFAULT_SOURCE_IDS[4], fakeNetwork(lie));
    const v = await detectAddress(sources, { family: 4, timeoutMs: 2000, ownRanges });
    expect(v.report.find((r) => r.id === "cloudflare-trace-v4")).toMatchObject({ rejection: "own_range" });
    expect(v).toMatchObject({ status: "agreed", ip: { text: TRUE[4] } });
  });
});
