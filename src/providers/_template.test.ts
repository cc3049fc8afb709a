// The template provider's test, the shape every provider's test has: the shared contract suite against
// the vendor's fake (peek reads the fake's state, not the provider), then what the contract cannot
// know: the requests the vendor documents, every documented error reply, the settings' rules.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError } from "../core/errors.js";
import { canonicalValues } from "../core/records.js";
import { templateProvider } from "./_template.js";
import { withRedaction } from "./kit/redacting.js";
import { secretValues } from "./kit/secrets.js";
import { PROVIDER_TYPES } from "./registry.js";
import { runProviderContract } from "./testing/contract.js";
import { testProviderDeps } from "./testing/deps.js";
import { json, type FakeReply } from "./testing/fake-vendor.js";
import { startTemplateFake, type TemplateFake } from "./testing/fakes/_template.js";
import type { CallContext, Provider } from "./types.js";

const TOKEN = "exdns-t0ken-abcdefghijklmnop";
const ZONE = "home.example";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const ctx = (): CallContext => ({ signal: AbortSignal.timeout(10_000) });

const startFake = () => startTemplateFake({ token: TOKEN, zones: [ZONE] });

function provider(fake: TemplateFake, over: Record<string, unknown> = {}): Provider {
  const settings = templateProvider.settings.parse({
    endpoint: fake.endpoint,
    api_token: TOKEN,
    zone: ZONE,
    ...over,
  });
  return templateProvider.create("ex1", settings, testProviderDeps({ clock: () => NOW }));
}

async function rejection(p: Promise<unknown>) {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

runProviderContract("template (fake)", async () => {
  const fake = await startFake();
  return {
    provider: provider(fake),
    zone: ZONE,
    peek: (fqdn, type) => {
      const name = fqdn === ZONE ? "@" : fqdn.slice(0, -ZONE.length - 1);
      const held = fake.rrset(ZONE, name, type);
      return Promise.resolve(
        held === undefined ? undefined : { type, ttl: held.ttl, values: canonicalValues(type, held.values) },
      );
    },
    wrongCredentials: provider(fake, { api_token: "wrong" }),
    foreignName: "www.not-mine.example",
    close: () => fake.vendor.close(),
  };
});

describe("template beyond the contract", () => {
  let fake: TemplateFake;
  let p: Provider;
  beforeAll(async () => {
    fake = await startFake();
    p = provider(fake);
  });
  afterAll(() => fake.vendor.close());
  beforeEach(() => {
    fake.vendor.requests.length = 0;
  });

  it("is not in the registry users pick providers from", () => {
    expect(PROVIDER_TYPES.has(templateProvider.type)).toBe(false);
    expect([...PROVIDER_TYPES.values()].map((d) => d.description)).not.toContain(
      templateProvider.description,
    );
  });

  it("sends the bearer token, reads the set, then PUTs it whole with a JSON body", async () => {
    await p.upsert({ fqdn: `nas.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
    expect(fake.vendor.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v1/zones/${ZONE}/rrsets/nas/A`,
      `PUT /v1/zones/${ZONE}/rrsets/nas/A`,
    ]);
    for (const r of fake.vendor.requests) expect(r.headers["authorization"]).toBe(`Bearer ${TOKEN}`);
    expect(fake.vendor.requests[1]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(fake.vendor.requests[1]?.body ?? "")).toEqual({ ttl: 300, values: ["81.2.69.142"] });
  });

  it("names the apex `@`; a new set without a TTL gets the `ttl` setting, an existing one keeps its own", async () => {
    await p.upsert({ fqdn: ZONE, type: "AAAA", values: ["2001:db8::1"], ttl: undefined }, ctx());
    expect(fake.rrset(ZONE, "@", "AAAA")).toEqual({ ttl: 300, values: ["2001:db8::1"] });
    await p.upsert({ fqdn: ZONE, type: "AAAA", values: ["2001:db8::1"], ttl: 900 }, ctx());
    await p.upsert({ fqdn: ZONE, type: "AAAA", values: ["2001:db8::2"], ttl: undefined }, ctx());
    expect(fake.rrset(ZONE, "@", "AAAA")).toEqual({ ttl: 900, values: ["2001:db8::2"] });
  });

  it("refuses a name outside the configured zone without a request", async () => {
    const e = await rejection(p.get("www.other.example", "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("provider_zone_not_found");
    expect(fake.vendor.requests).toHaveLength(0);
  });

  it("a zone missing from the account is provider_zone_not_found with the vendor's words", async () => {
    const e = await rejection(provider(fake, { zone: "gone.example" }).get("a.gone.example", "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("provider_zone_not_found");
    expect(isBeaconError(e) && e.message).toContain("zone gone.example is not in this account");
  });

  const err = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    json(status, { error: { code, message } }, headers);
  const cases: [string, string, FakeReply, RegExp][] = [
    [
      "401 unauthorized",
      "provider_auth",
      err(401, "unauthorized", "bad token"),
      /bad token \(unauthorized\)/,
    ],
    ["403 forbidden", "provider_permission", err(403, "forbidden", "read-only token"), /read-only token/],
    ["409 conflict", "provider_conflict", err(409, "conflict", "a CNAME is there"), /a CNAME is there/],
    ["422 invalid_value", "provider_rejected", err(422, "invalid_value", "bad value"), /bad value/],
    ["400 unknown vendor code → by status", "provider_rejected", err(400, "constructor", "odd"), /odd/],
    [
      "503 plain text",
      "provider_unavailable",
      { status: 503, body: "Service Unavailable" },
      /Service Unavailable/,
    ],
    ["500 empty body", "provider_unavailable", { status: 500, body: "" }, /HTTP 500/],
    ["200 not JSON", "malformed_reply", { status: 200, body: "<html>hi</html>" }, /not JSON/],
    [
      "200 wrong shape",
      "malformed_reply",
      json(200, { rrset: { ttl: "x", values: [] } }),
      /unexpected reply shape/,
    ],
  ];
  it.each(cases)("%s → %s, keeping the vendor's message", async (_what, code, reply, message) => {
    fake.vendor.failNext(reply);
    const e = await rejection(
      p.upsert({ fqdn: `err.${ZONE}`, type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx()),
    );
    expect(isBeaconError(e) && e.code).toBe(code);
    expect(isBeaconError(e) && e.message).toMatch(message);
  });

  it("429 → provider_rate_limited with Retry-After as details.retryAfterMs", async () => {
    fake.vendor.failNext(err(429, "rate_limited", "slow down", { "retry-after": "12" }));
    const e = await rejection(p.get(`slow.${ZONE}`, "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("provider_rate_limited");
    expect(isBeaconError(e) && e.details?.["retryAfterMs"]).toBe(12_000);
  });

  it("a value the vendor holds that is not valid for the type is malformed_reply", async () => {
    fake.vendor.failNext(json(200, { rrset: { ttl: 60, values: ["not-an-ip"] } }));
    const e = await rejection(p.get(`bad.${ZONE}`, "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("malformed_reply");
  });

  it("the token is a secret: as registered, a vendor reply echoing it is cut out of the error", async () => {
    expect(secretValues(templateProvider.settings, { api_token: TOKEN, zone: ZONE })).toEqual([TOKEN]);
    const settings = templateProvider.settings.parse({
      endpoint: fake.endpoint,
      api_token: TOKEN,
      zone: ZONE,
    });
    const guarded = withRedaction(templateProvider).create("ex1", settings, testProviderDeps());
    fake.vendor.failNext(err(401, "unauthorized", `token ${TOKEN} is revoked`));
    const e = await rejection(guarded.get(`x.${ZONE}`, "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("provider_auth");
    expect(isBeaconError(e) && e.message).not.toContain(TOKEN);
  });

  it("settings: bad inputs are refused with the setting named", () => {
    const bad: [Record<string, unknown>, string | undefined][] = [
      [{ zone: ZONE }, "api_token"],
      [{ api_token: "", zone: ZONE }, "api_token"],
      [{ api_token: "t" }, "zone"],
      [{ api_token: "t", zone: "bad zone" }, "zone"],
      [{ api_token: "t", zone: ZONE, endpoint: "https://api.example/v1/?x=1" }, "endpoint"],
      [{ api_token: "t", zone: ZONE, ttl: 0 }, "ttl"],
      [{ api_token: "t", zone: ZONE, token: "t" }, undefined],
    ];
    for (const [input, setting] of bad) {
      const r = templateProvider.settings.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      expect(r.error?.issues[0]?.path[0], JSON.stringify(input)).toBe(setting);
    }
    expect(templateProvider.settings.parse({ api_token: "t", zone: "Home.Example." })).toMatchObject({
      zone: "home.example",
      endpoint: "https://api.example-dns.test/v1/",
      ttl: 300,
    });
  });
});
