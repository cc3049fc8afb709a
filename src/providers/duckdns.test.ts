import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BeaconError, isBeaconError } from "../core/errors.js";
import { duckdnsProvider } from "./duckdns.js";
import { runProviderContract } from "./testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "./testing/deps.js";
import { startFakeDuckdns, type FakeDuckdns } from "./testing/fakes/duckdns.js";
import type { Provider, ProviderDeps, WriteRequest } from "./types.js";

const TOKEN = "7f4c2a91-3b5d-4e8f-a6c0-1d2e3f4a5b6c";
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });
const contractSubs = Array.from({ length: 20 }, (_, i) => `c${i + 1}`);

function make(fake: FakeDuckdns, token = TOKEN, deps: Partial<ProviderDeps> = {}): Provider {
  const s = duckdnsProvider.settings.parse({ token, endpoint: fake.url });
  return duckdnsProvider.create("duck", s, testProviderDeps(deps));
}

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (x: unknown) => x,
  );
  if (!isBeaconError(e)) throw new Error(`not a BeaconError: ${String(e)}`);
  expect(e.message).not.toContain(TOKEN);
  return e;
}

// DuckDNS holds records only for <sub>.duckdns.org, so the contract's fresh names are subs; TXT at
// _acme-challenge.<sub> is the sub's TXT. No foreignName: DuckDNS's "KO" cannot say "no such domain".
runProviderContract("duckdns → fake DuckDNS", async () => {
  const fake = await startFakeDuckdns({ token: TOKEN, domains: contractSubs });
  return {
    provider: make(fake),
    wrongCredentials: make(fake, "00000000-0000-0000-0000-000000000000"),
    zone: "duckdns.org",
    freshName: (n) => `c${n}.duckdns.org`,
    peek: (fqdn, type) => {
      const sub = fqdn.replace(/^_acme-challenge\./, "").replace(/\.duckdns\.org$/, "");
      const v = fake.held.get(sub)?.[type];
      return Promise.resolve(v === undefined ? undefined : { type, ttl: 60, values: [v] });
    },
    close: () => fake.close(),
  };
});

describe("duckdns provider against the fake", () => {
  let fake: FakeDuckdns;
  let p: Provider;
  const write = (over: Partial<WriteRequest> = {}): WriteRequest => ({
    fqdn: "home.duckdns.org",
    type: "A",
    values: ["81.2.69.142"],
    ttl: undefined,
    ...over,
  });
  const query = (i: number) => Object.fromEntries(fake.requests[i]?.query ?? []);

  beforeAll(async () => {
    fake = await startFakeDuckdns({ token: TOKEN, domains: ["home", "lab"] });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    for (const r of fake.held.values()) for (const k of ["A", "AAAA", "TXT"] as const) delete r[k];
    fake.requests.length = 0;
    fake.failAll(undefined);
    p = make(fake);
  });

  it("A goes as ip=, AAAA as ipv6= (leaving A alone), TXT as txt=; always verbose, with our User-Agent", async () => {
    await p.upsert(write(), ctx());
    await p.upsert(write({ type: "AAAA", values: ["2a02:8070:a1b2::1"] }), ctx());
    await p.upsert(write({ type: "TXT", values: ["tok en=1"] }), ctx());
    expect([query(0), query(1), query(2)]).toEqual([
      { domains: "home", token: TOKEN, ip: "81.2.69.142", verbose: "true" },
      { domains: "home", token: TOKEN, ipv6: "2a02:8070:a1b2::1", verbose: "true" },
      { domains: "home", token: TOKEN, txt: "tok en=1", verbose: "true" },
    ]);
    expect(fake.requests.every((r) => r.method === "GET" && r.path === "/update")).toBe(true);
    expect(fake.requests[0]?.headers["user-agent"]).toBe(TEST_USER_AGENT);
    expect(fake.held.get("home")).toEqual({ A: "81.2.69.142", AAAA: "2a02:8070:a1b2::1", TXT: "tok en=1" });
  });

  it("NOCHANGE is unchanged, UPDATED is changed, a plain OK is changed", async () => {
    expect(await p.upsert(write(), ctx())).toBe("changed");
    expect(await p.upsert(write(), ctx())).toBe("unchanged");
    fake.failNext({ status: 200, body: "OK" });
    expect(await p.upsert(write(), ctx())).toBe("changed");
  });

  it("delete of TXT clears only the TXT (txt= with clear=true); deleting an address is unsupported", async () => {
    await p.upsert(write(), ctx());
    await p.upsert(write({ fqdn: "_acme-challenge.home.duckdns.org", type: "TXT", values: ["abc"] }), ctx());
    expect(await p.delete("_acme-challenge.home.duckdns.org", "TXT", ctx())).toBe("changed");
    expect(query(2)).toMatchObject({ domains: "home", txt: "", clear: "true" });
    expect(fake.held.get("home")).toEqual({ A: "81.2.69.142" });
    expect(await p.delete("home.duckdns.org", "TXT", ctx())).toBe("unchanged");
    const e = await failure(p.delete("home.duckdns.org", "AAAA", ctx()));
    expect(e.code).toBe("provider_unsupported");
    expect(fake.requests).toHaveLength(4);
  });

  it("refuses names DuckDNS cannot hold, before sending", async () => {
    const deep = await failure(p.upsert(write({ fqdn: "a.home.duckdns.org" }), ctx()));
    expect(deep.code).toBe("provider_unsupported");
    const acmeA = await failure(p.upsert(write({ fqdn: "_acme-challenge.home.duckdns.org" }), ctx()));
    expect(acmeA.code).toBe("provider_unsupported");
    const other = await failure(p.upsert(write({ fqdn: "home.example.com" }), ctx()));
    expect(other.code).toBe("provider_zone_not_found");
    const apex = await failure(p.upsert(write({ fqdn: "duckdns.org" }), ctx()));
    expect(apex.code).toBe("provider_zone_not_found");
    const many = await failure(p.upsert(write({ values: ["81.2.69.1", "81.2.69.2"] }), ctx()));
    expect(many.code).toBe("provider_unsupported");
    expect((await failure(p.get("home.duckdns.org", "A", ctx()))).code).toBe("provider_unsupported");
    expect(fake.requests).toHaveLength(0);
  });

  describe("maps DuckDNS's replies and never shows the token", () => {
    it("KO (wrong token, or a domain not in the account) → provider_auth naming both", async () => {
      const wrong = await failure(make(fake, "11111111-1111-1111-1111-111111111111").upsert(write(), ctx()));
      expect(wrong.code).toBe("provider_auth");
      expect(wrong.message).toMatch(/KO: the token is wrong or the account has no domain home\.duckdns\.org/);
      const missing = await failure(p.upsert(write({ fqdn: "stranger.duckdns.org" }), ctx()));
      expect(missing.code).toBe("provider_auth");
    });

    it("5xx → provider_unavailable; 429 with Retry-After → provider_rate_limited", async () => {
      fake.failNext({ status: 503, body: "Service Unavailable" });
      expect((await failure(p.upsert(write(), ctx()))).code).toBe("provider_unavailable");
      fake.failNext({ status: 429, headers: { "retry-after": "120" }, body: "slow down" });
      const e = await failure(p.upsert(write(), ctx()));
      expect(e.code).toBe("provider_rate_limited");
      expect(e.details?.retryAfterMs).toBe(120_000);
    });

    it("anything but OK/KO, or OK without UPDATED/NOCHANGE → malformed_reply (token cut out)", async () => {
      for (const body of ["", "<html>hello</html>", "OK\n81.2.69.142\n\nMAYBE", `error for token ${TOKEN}`]) {
        fake.failNext({ status: 200, body });
        expect((await failure(p.upsert(write(), ctx()))).code).toBe("malformed_reply");
      }
    });

    it("an HTTP client error that quotes the URL loses the token", async () => {
      const leaky: ProviderDeps["httpRequest"] = (url) =>
        Promise.reject(new BeaconError("network_error", `socket hang up (${url})`));
      const e = await failure(make(fake, TOKEN, { httpRequest: leaky }).upsert(write(), ctx()));
      expect(e.code).toBe("network_error");
      expect(e.message).toContain("token=[secret]");
    });
  });

  describe("settings", () => {
    const parse = (over: Record<string, unknown>) =>
      duckdnsProvider.settings.safeParse({ token: TOKEN, ...over });
    it("defaults the endpoint to www.duckdns.org", () => {
      expect(parse({}).data?.endpoint).toBe("https://www.duckdns.org");
    });
    it.each([
      ["a token with '&'", { token: "abc&ip=1.2.3.4" }],
      ["an empty token", { token: "" }],
      ["an endpoint with a query", { endpoint: "https://www.duckdns.org/?token=x" }],
      ["an unknown setting", { domain: "home" }],
    ])("refuses %s", (_, over) => {
      expect(parse(over).success).toBe(false);
    });
  });
});
