import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BeaconError, isBeaconError } from "../core/errors.js";
import { namecheapProvider, type NamecheapSettings } from "./namecheap.js";
import { runProviderContract } from "./testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "./testing/deps.js";
import { startFakeNamecheap, type FakeNamecheap } from "./testing/fakes/namecheap.js";
import type { ProviderDeps, Provider, WriteRequest } from "./types.js";

const PASSWORD = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });
const contractHosts = Array.from({ length: 20 }, (_, i) => `c${i + 1}.contract`);

function make(
  fake: FakeNamecheap,
  over: Partial<Record<keyof NamecheapSettings, unknown>> = {},
  deps: Partial<ProviderDeps> = {},
): Provider {
  const s = namecheapProvider.settings.parse({
    password: PASSWORD,
    domain: "example.com",
    endpoint: fake.url,
    ...over,
  });
  return namecheapProvider.create("nc", s, testProviderDeps(deps));
}

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (x: unknown) => x,
  );
  if (!isBeaconError(e)) throw new Error(`not a BeaconError: ${String(e)}`);
  expect(e.message).not.toContain(PASSWORD);
  expect(JSON.stringify(e.details ?? {})).not.toContain(PASSWORD);
  return e;
}

runProviderContract("namecheap → fake Namecheap Dynamic DNS", async () => {
  const fake = await startFakeNamecheap({
    passwords: { "example.com": PASSWORD },
    hosts: { "example.com": ["@", ...contractHosts] },
  });
  return {
    provider: make(fake),
    wrongCredentials: make(fake, { password: "00000000000000000000000000000000" }),
    zone: "example.com",
    foreignName: "home.not-ours.example",
    peek: (fqdn, type) => {
      const v = type === "A" ? fake.held.get(fqdn) : undefined;
      return Promise.resolve(v === undefined ? undefined : { type, ttl: 1799, values: [v] });
    },
    close: () => fake.close(),
  };
});

describe("namecheap provider against the fake", () => {
  let fake: FakeNamecheap;
  const write = (over: Partial<WriteRequest> = {}): WriteRequest => ({
    fqdn: "home.example.com",
    type: "A",
    values: ["81.2.69.142"],
    ttl: 300,
    ...over,
  });

  beforeAll(async () => {
    fake = await startFakeNamecheap({
      passwords: { "example.com": PASSWORD, "other.net": "ffffffffffffffffffffffffffffffff" },
      hosts: { "example.com": ["@", "home", "*", "a.b"] },
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.held.clear();
    fake.requests.length = 0;
    fake.failAll(undefined);
  });

  it("GETs /update with host, domain, password and ip, and our User-Agent", async () => {
    expect(await make(fake).upsert(write(), ctx())).toBe("changed");
    const r = fake.requests[0];
    expect(r?.method).toBe("GET");
    expect(r?.path).toBe("/update");
    expect(Object.fromEntries(r?.query ?? [])).toEqual({
      host: "home",
      domain: "example.com",
      password: PASSWORD,
      ip: "81.2.69.142",
    });
    expect(r?.headers["user-agent"]).toBe(TEST_USER_AGENT);
    expect(fake.held.get("home.example.com")).toBe("81.2.69.142");
  });

  it('sends "@" for the domain itself, the relative part for deeper names, and the `host` override as is', async () => {
    await make(fake).upsert(write({ fqdn: "example.com" }), ctx());
    await make(fake).upsert(write({ fqdn: "a.b.example.com" }), ctx());
    await make(fake, { host: "*" }).upsert(write({ fqdn: "anything.example.com" }), ctx());
    expect(fake.requests.map((r) => r.query.get("host"))).toEqual(["@", "a.b", "*"]);
    expect(fake.held.get("*.example.com")).toBe("81.2.69.142");
  });

  it("refuses AAAA, TXT, several values, reads and deletes without sending anything", async () => {
    const p = make(fake);
    const v6 = await failure(p.upsert(write({ type: "AAAA", values: ["2a02:8070::1"] }), ctx()));
    expect(v6.code).toBe("provider_unsupported");
    expect(v6.message).toMatch(/IPv6 is not supported/);
    expect((await failure(p.upsert(write({ type: "TXT", values: ["x"] }), ctx()))).code).toBe(
      "provider_unsupported",
    );
    expect((await failure(p.upsert(write({ values: ["81.2.69.1", "81.2.69.2"] }), ctx()))).code).toBe(
      "provider_unsupported",
    );
    expect((await failure(p.get("home.example.com", "A", ctx()))).code).toBe("provider_unsupported");
    expect((await failure(p.delete("home.example.com", "A", ctx()))).code).toBe("provider_unsupported");
    expect(fake.requests).toHaveLength(0);
  });

  describe("maps Namecheap's errors, keeps its words, never shows the password", () => {
    it('"Passwords do not match" → provider_auth', async () => {
      const e = await failure(make(fake, { password: "0123456789abcdef" }).upsert(write(), ctx()));
      expect(e.code).toBe("provider_auth");
      expect(e.message).toContain("Passwords do not match");
      expect(e.details?.vendorCode).toBe("304156");
    });

    it('"Domain name not found" and "A record not Found" → provider_zone_not_found', async () => {
      const d = await failure(
        make(fake, { domain: "nope.org" }).upsert(write({ fqdn: "h.nope.org" }), ctx()),
      );
      expect(d.code).toBe("provider_zone_not_found");
      expect(d.message).toContain("Domain name not found");
      const h = await failure(make(fake).upsert(write({ fqdn: "nohost.example.com" }), ctx()));
      expect(h.code).toBe("provider_zone_not_found");
      expect(h.message).toContain("A record not Found");
    });

    it('"Invalid IP" → provider_rejected', async () => {
      fake.failNext({
        status: 200,
        body: '<?xml version="1.0"?><interface-response><ErrCount>1</ErrCount><errors><Err1>Invalid IP</Err1></errors><Done>true</Done></interface-response>',
      });
      const e = await failure(make(fake).upsert(write(), ctx()));
      expect(e.code).toBe("provider_rejected");
      expect(e.message).toContain("Invalid IP");
    });

    it("a reply that echoes the password has it cut out", async () => {
      fake.failNext({
        status: 200,
        body: `<interface-response><ErrCount>1</ErrCount><errors><Err1>bad request password=${PASSWORD} &amp; more</Err1></errors></interface-response>`,
      });
      const e = await failure(make(fake).upsert(write(), ctx()));
      expect(e.message).toContain("password=[secret] & more");
    });

    it("5xx → provider_unavailable; 404 (a wrong endpoint) → provider_rejected; 429 → rate limited", async () => {
      fake.failNext({ status: 502, body: "Bad Gateway" });
      expect((await failure(make(fake).upsert(write(), ctx()))).code).toBe("provider_unavailable");
      fake.failNext({ status: 404, body: "Not Found" });
      expect((await failure(make(fake).upsert(write(), ctx()))).code).toBe("provider_rejected");
      fake.failNext({ status: 429, headers: { "retry-after": "60" }, body: "" });
      const r = await failure(make(fake).upsert(write(), ctx()));
      expect(r.code).toBe("provider_rate_limited");
      expect(r.details?.retryAfterMs).toBe(60_000);
    });

    it("a 200 that is not an interface-response → malformed_reply", async () => {
      for (const body of ["", "OK", "<interface-response><Done>true</Done></interface-response>", "{}"]) {
        fake.failNext({ status: 200, body });
        expect((await failure(make(fake).upsert(write(), ctx()))).code).toBe("malformed_reply");
      }
    });

    it("an HTTP client error that quotes the URL loses the password", async () => {
      const leaky: ProviderDeps["httpRequest"] = (url) =>
        Promise.reject(new BeaconError("network_error", `connect ECONNREFUSED for ${url}`));
      const e = await failure(make(fake, {}, { httpRequest: leaky }).upsert(write(), ctx()));
      expect(e.code).toBe("network_error");
      expect(e.message).toContain("password=[secret]");
    });
  });

  describe("settings", () => {
    const parse = (over: Record<string, unknown>) =>
      namecheapProvider.settings.safeParse({ password: PASSWORD, domain: "example.com", ...over });
    it("defaults the endpoint to dynamicdns.park-your-domain.com", () => {
      expect(parse({}).data?.endpoint).toBe("https://dynamicdns.park-your-domain.com");
    });
    it.each([
      ["no domain", { domain: undefined }],
      ["a password with a space", { password: "abc def" }],
      ["a host with a slash", { host: "a/b" }],
      ["an endpoint with a query", { endpoint: "https://dynamicdns.park-your-domain.com/?password=x" }],
      ["an unknown setting", { ttl: 60 }],
    ])("refuses %s", (_, over) => {
      expect(parse(over).success).toBe(false);
    });
  });
});
