import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBeaconError, type BeaconError } from "../../core/errors.js";
import { route53Provider, type Route53Settings } from "./route53.js";
import { fromRoute53Name, fromRoute53Txt, toRoute53Txt } from "./values.js";
import { runProviderContract } from "../testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "../testing/deps.js";
import { r53Error, R53_NS, startFakeRoute53, type FakeRoute53 } from "../testing/fakes/route53.js";
import type { ProviderDeps, ProviderRecordType, ProviderRRSet } from "../types.js";

const KEY = "AKIABEACONTEST000001";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TEMP_KEY = "ASIABEACONTEST000002";
const TOKEN = "FwoGZXIvYXdzEBYaDEXAMPLETOKEN//+=";
const ZONE = "example.com";

function provider(
  fake: FakeRoute53,
  over: Partial<Record<keyof Route53Settings, unknown>> = {},
  deps?: ProviderDeps,
) {
  const settings = route53Provider.settings.parse({
    access_key_id: KEY,
    secret_access_key: SECRET,
    endpoint: fake.url,
    ...over,
  });
  return route53Provider.create("r53", settings, deps ?? testProviderDeps());
}

/** The fake's state read without the provider's codec (the contract's TXT values have no escapes). */
function peek(
  fake: FakeRoute53,
  zoneId: string,
  fqdn: string,
  type: ProviderRecordType,
): ProviderRRSet | undefined {
  const [set] = fake.find(zoneId, fqdn, type);
  if (set === undefined) return undefined;
  const values = set.values.map((v) => (type === "TXT" ? v.slice(1, -1).replace(/\\(.)/g, "$1") : v)).sort();
  return { type, ttl: set.ttl ?? 0, values };
}

const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (err: unknown) => err,
  );
  if (!isBeaconError(e)) throw new Error(`not a BeaconError: ${String(e)}`);
  return e;
}

describe("Route 53 text forms", () => {
  it('quotes TXT with \\" \\\\ and octal escapes, and reads them back', () => {
    expect(toRoute53Txt('say "hi" \\ café\t')).toBe('"say \\"hi\\" \\\\ caf\\303\\251\\011"');
    expect(fromRoute53Txt('"say \\"hi\\" \\\\ caf\\303\\251\\011"')).toBe('say "hi" \\ café\t');
    expect(fromRoute53Txt('"v=spf1 " "include:_spf.example.net ~all"')).toBe(
      "v=spf1 include:_spf.example.net ~all",
    );
    expect(fromRoute53Txt("bare-token")).toBe("bare-token");
    expect(fromRoute53Txt('"😀"')).toBe("😀");
    for (const bad of ['"open', '"a" b', '"\\', '"\\377"', ""])
      expect(fromRoute53Txt(bad), bad).toBeUndefined();
  });

  it("reads names with a trailing dot, any case and octal escapes", () => {
    expect(fromRoute53Name("\\052.Example.COM.")).toBe("*.example.com");
    expect(fromRoute53Name("_acme-challenge.example.com.")).toBe("_acme-challenge.example.com");
  });
});

describe("Route 53 settings", () => {
  it("fills defaults, strips /hostedzone/ and refuses bad values", () => {
    const s = route53Provider.settings.parse({
      access_key_id: KEY,
      secret_access_key: "x",
      hosted_zone_id: "/hostedzone/Z0123ABC",
    });
    expect(s).toMatchObject({
      region: "us-east-1",
      ttl: 300,
      private_zone: false,
      hosted_zone_id: "Z0123ABC",
    });
    expect(s.endpoint).toBeUndefined();
    for (const bad of [
      { access_key_id: "short", secret_access_key: "x" },
      { access_key_id: KEY, secret_access_key: "" },
      { access_key_id: KEY, secret_access_key: "x", region: "mars" },
      { access_key_id: KEY, secret_access_key: "x", hosted_zone_id: "z-lower" },
      { access_key_id: KEY, secret_access_key: "x", endpoint: "https://u:p@route53.example" },
      { access_key_id: KEY, secret_access_key: "x", profile: "default" },
    ]) {
      expect(route53Provider.settings.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

runProviderContract("route53 (fake Route 53, AWS SDK)", async () => {
  const fake = await startFakeRoute53({ keys: { [KEY]: { secret: SECRET } } });
  const zoneId = fake.addZone(ZONE);
  fake.addZone(ZONE, { private: true });
  return {
    provider: provider(fake),
    zone: ZONE,
    peek: (fqdn, type) => Promise.resolve(peek(fake, zoneId, fqdn, type)),
    wrongCredentials: provider(fake, { secret_access_key: "not-the-secret" }),
    foreignName: "host.not-in-this-account.org",
    close: () => fake.close(),
  };
});

describe("route53 provider against the fake", () => {
  let fake: FakeRoute53;
  let zoneId: string;
  let privateId: string;
  let subId: string;
  beforeAll(async () => {
    fake = await startFakeRoute53({
      keys: { [KEY]: { secret: SECRET }, [TEMP_KEY]: { secret: SECRET, sessionToken: TOKEN } },
      maxZonesPerPage: 1,
    });
    privateId = fake.addZone(ZONE, { private: true });
    zoneId = fake.addZone(ZONE);
    subId = fake.addZone("sub.example.com");
  });
  afterAll(() => fake.close());

  const seed = (
    name: string,
    type: string,
    values: string[],
    extra: Record<string, string> = {},
    ttl: number | undefined = 300,
    zone = zoneId,
  ) => fake.zones.get(zone)!.sets.push({ name, type, ttl, values, extra });

  it("sends the documented calls, signed, with our User-Agent", async () => {
    const before = fake.requests.length;
    await provider(fake, { hosted_zone_id: zoneId }).upsert(
      { fqdn: "shape.example.com", type: "A", values: ["81.2.69.142"], ttl: 60 },
      ctx(),
    );
    const [list, change] = fake.requests.slice(before);
    expect(list).toMatchObject({ method: "GET", path: `/2013-04-01/hostedzone/${zoneId}/rrset` });
    expect(Object.fromEntries(list!.query)).toEqual({
      name: "shape.example.com.",
      type: "A",
      maxitems: "20",
    });
    expect(change).toMatchObject({ method: "POST", path: `/2013-04-01/hostedzone/${zoneId}/rrset` });
    expect(change!.body).toContain(`<ChangeResourceRecordSetsRequest xmlns="${R53_NS}">`);
    expect(change!.body).toContain("<Action>UPSERT</Action>");
    expect(change!.body).toContain("<Name>shape.example.com.</Name>");
    for (const r of [list!, change!]) {
      expect(r.headers["user-agent"]).toBe(TEST_USER_AGENT);
      expect(r.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIABEACONTEST000001\/\d{8}\/us-east-1\/route53\/aws4_request/,
      );
      expect(JSON.stringify(r)).not.toContain(SECRET);
    }
    expect(fake.find(zoneId, "shape.example.com", "A")[0]).toMatchObject({
      ttl: 60,
      values: ["81.2.69.142"],
    });
  });

  it("discovers the public zone (or the private one when asked), the longest match, once per name", async () => {
    const p = provider(fake);
    await p.upsert({ fqdn: "disc.example.com", type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx());
    expect(fake.find(zoneId, "disc.example.com", "A")).toHaveLength(1);
    expect(fake.find(privateId, "disc.example.com", "A")).toHaveLength(0);
    const before = fake.requests.length;
    await p.get("disc.example.com", "A", ctx());
    expect(fake.requests.slice(before).map((r) => r.path)).toEqual([
      `/2013-04-01/hostedzone/${zoneId}/rrset`,
    ]);
    await provider(fake, { private_zone: true }).upsert(
      { fqdn: "disc.example.com", type: "A", values: ["10.0.0.1"], ttl: 60 },
      ctx(),
    );
    expect(fake.find(privateId, "disc.example.com", "A")[0]?.values).toEqual(["10.0.0.1"]);
    await p.upsert({ fqdn: "a.b.sub.example.com", type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx());
    expect(fake.find(subId, "a.b.sub.example.com", "A")).toHaveLength(1);
  });

  it("two public zones of one name are provider_conflict (set hosted_zone_id)", async () => {
    const f = await startFakeRoute53({ keys: { [KEY]: { secret: SECRET } } });
    try {
      f.addZone("twice.example");
      f.addZone("twice.example");
      const e = await failure(provider(f).get("www.twice.example", "A", ctx()));
      expect(e.code).toBe("provider_conflict");
      expect(e.message).toContain("hosted_zone_id");
    } finally {
      await f.close();
    }
  });

  it("checks that the listing really is the asked name and type", async () => {
    seed("next.example.com.", "A", ["81.2.69.1"]);
    seed("asked.example.com.", "TXT", ['"x"']);
    seed("\\052.example.com.", "A", ["81.2.69.2"]);
    const p = provider(fake, { hosted_zone_id: zoneId });
    expect(await p.get("asked.example.com", "A", ctx())).toBeUndefined();
    expect(await p.get("next.example.com", "A", ctx())).toEqual({
      type: "A",
      ttl: 300,
      values: ["81.2.69.1"],
    });
  });

  it("keeps the health check and the TTL held when the write has none", async () => {
    seed(
      "hc.example.com.",
      "A",
      ["81.2.69.1"],
      { HealthCheckId: "abcdef11-2222-3333-4444-555555fedcba" },
      900,
    );
    const p = provider(fake, { hosted_zone_id: zoneId });
    expect(
      await p.upsert({ fqdn: "hc.example.com", type: "A", values: ["81.2.69.160"], ttl: undefined }, ctx()),
    ).toBe("changed");
    expect(fake.find(zoneId, "hc.example.com", "A")[0]).toMatchObject({
      ttl: 900,
      values: ["81.2.69.160"],
      extra: { HealthCheckId: "abcdef11-2222-3333-4444-555555fedcba" },
    });
    // DELETE repeats the set exactly (with its health check), or Route 53 refuses it.
    expect(await p.delete("hc.example.com", "A", ctx())).toBe("changed");
    expect(fake.find(zoneId, "hc.example.com", "A")).toEqual([]);
  });

  it("refuses to touch weighted or alias sets (provider_conflict), writing nothing", async () => {
    seed("w.example.com.", "A", ["81.2.69.1"], { SetIdentifier: "home", Weight: "10" });
    seed("w.example.com.", "A", ["81.2.69.2"], { SetIdentifier: "office", Weight: "20" });
    seed(
      "alias.example.com.",
      "A",
      [],
      {
        AliasTarget:
          "<HostedZoneId>Z2FDTNDATAQYW2</HostedZoneId><DNSName>d111111abcdef8.cloudfront.net.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth>",
      },
      undefined,
    );
    const p = provider(fake, { hosted_zone_id: zoneId });
    for (const fqdn of ["w.example.com", "alias.example.com"]) {
      const before = fake.requests.length;
      const e = await failure(p.upsert({ fqdn, type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx()));
      expect(e.code).toBe("provider_conflict");
      expect(e.message).toMatch(/SetIdentifier|AliasTarget/);
      expect(fake.requests.slice(before).map((r) => r.method)).toEqual(["GET"]);
    }
  });

  it("writes and reads TXT with escapes, several strings and non-ASCII", async () => {
    const p = provider(fake, { hosted_zone_id: zoneId });
    const values = ['say "hi" \\ café', "v=DKIM1; k=rsa"].sort();
    await p.upsert({ fqdn: "txt.example.com", type: "TXT", values, ttl: 60 }, ctx());
    expect(fake.find(zoneId, "txt.example.com", "TXT")[0]?.values.sort()).toEqual(
      ['"say \\"hi\\" \\\\ caf\\303\\251"', '"v=DKIM1; k=rsa"'].sort(),
    );
    expect((await p.get("txt.example.com", "TXT", ctx()))?.values).toEqual(values);
    seed("split.example.com.", "TXT", ['"v=spf1 " "-all"']);
    expect((await p.get("split.example.com", "TXT", ctx()))?.values).toEqual(["v=spf1 -all"]);
    seed("broken.example.com.", "TXT", ['"unterminated']);
    expect((await failure(p.get("broken.example.com", "TXT", ctx()))).code).toBe("malformed_reply");
  });

  it("a CNAME at the name is provider_conflict with Route 53's words", async () => {
    seed("cn.example.com.", "CNAME", ["elsewhere.example.net."]);
    const e = await failure(
      provider(fake, { hosted_zone_id: zoneId }).upsert(
        { fqdn: "cn.example.com", type: "A", values: ["81.2.69.142"], ttl: 60 },
        ctx(),
      ),
    );
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_conflict", "InvalidChangeBatch"]);
    expect(e.message).toContain("conflicting RRSet of type CNAME");
  });

  it("a name outside the configured zone is provider_zone_not_found; an unknown zone id too", async () => {
    let e = await failure(
      provider(fake, { hosted_zone_id: zoneId }).upsert(
        { fqdn: "x.example.org", type: "A", values: ["81.2.69.142"], ttl: 60 },
        ctx(),
      ),
    );
    expect([e.code, e.message]).toEqual([
      "provider_zone_not_found",
      expect.stringContaining("is not permitted in zone"),
    ]);
    e = await failure(provider(fake, { hosted_zone_id: "ZNOSUCHZONE" }).get("x.example.com", "A", ctx()));
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_zone_not_found", "NoSuchHostedZone"]);
  });

  it("temporary credentials need their session token", async () => {
    const ok = provider(fake, { access_key_id: TEMP_KEY, session_token: TOKEN, hosted_zone_id: zoneId });
    expect(await ok.get("tmp.example.com", "A", ctx())).toBeUndefined();
    const e = await failure(
      provider(fake, { access_key_id: TEMP_KEY, hosted_zone_id: zoneId }).get("tmp.example.com", "A", ctx()),
    );
    expect([e.code, e.details?.vendorCode]).toEqual(["provider_auth", "InvalidClientTokenId"]);
  });

  it("a clock more than 5 minutes off is refused as Route 53 does (provider_auth)", async () => {
    const f = await startFakeRoute53({
      keys: { [KEY]: { secret: SECRET } },
      clock: () => Date.now() + 3_600_000,
    });
    try {
      const e = await failure(provider(f, { hosted_zone_id: "Z1" }).get("x.example.com", "A", ctx()));
      expect([e.code, e.message]).toEqual(["provider_auth", expect.stringContaining("Signature expired")]);
    } finally {
      await f.close();
    }
  });

  it("an IAM policy without the action is provider_permission", async () => {
    fake.denied.add("ChangeResourceRecordSets");
    try {
      const e = await failure(
        provider(fake, { hosted_zone_id: zoneId }).upsert(
          { fqdn: "iam.example.com", type: "A", values: ["81.2.69.142"], ttl: 60 },
          ctx(),
        ),
      );
      expect([e.code, e.details?.vendorCode]).toEqual(["provider_permission", "AccessDenied"]);
      expect(e.message).toContain("is not authorized to perform: route53:ChangeResourceRecordSets");
    } finally {
      fake.denied.delete("ChangeResourceRecordSets");
    }
  });

  it("maps Route 53's error replies onto catalogue codes and keeps AWS's message", async () => {
    const p = provider(fake, { hosted_zone_id: zoneId });
    const cases: [ReturnType<typeof r53Error>, string, string][] = [
      [r53Error(400, "Throttling", "Rate exceeded"), "provider_rate_limited", "Rate exceeded"],
      [
        r53Error(
          400,
          "PriorRequestNotComplete",
          "The request was rejected because Route 53 was still processing a prior request.",
        ),
        "provider_rate_limited",
        "still processing",
      ],
      [
        r53Error(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
        "provider_auth",
        "security token",
      ],
      [
        r53Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match"),
        "provider_auth",
        "does not match",
      ],
      [
        r53Error(403, "AccessDenied", "User is not authorized to perform: route53:ListResourceRecordSets"),
        "provider_permission",
        "not authorized",
      ],
      [
        r53Error(404, "NoSuchHostedZone", "No hosted zone found with ID: Z1"),
        "provider_zone_not_found",
        "No hosted zone",
      ],
      [r53Error(400, "InvalidInput", "Invalid XML ; cvc-datatype-valid"), "provider_rejected", "Invalid XML"],
      [
        r53Error(503, "ServiceUnavailable", "Service Unavailable"),
        "provider_unavailable",
        "Service Unavailable",
      ],
      [
        r53Error(500, "InternalFailure", "An internal error occurred"),
        "provider_unavailable",
        "internal error",
      ],
      [
        {
          status: 502,
          headers: { "content-type": "text/html" },
          body: "<html><body>Bad Gateway</body></html>",
        },
        "provider_unavailable",
        "502",
      ],
      [
        { status: 200, headers: { "content-type": "text/xml" }, body: "<<<not xml" },
        "malformed_reply",
        "route53 r53",
      ],
    ];
    for (const [reply, code, words] of cases) {
      fake.failNext(reply);
      const e = await failure(p.get("err.example.com", "A", ctx()));
      expect([e.code, e.message], reply.body).toEqual([code, expect.stringContaining(words)]);
    }
  });

  it("a DELETE racing another deleter ends with the set gone", async () => {
    seed("race.example.com.", "A", ["81.2.69.1"]);
    const base = testProviderDeps();
    const racing: ProviderDeps = {
      ...base,
      httpRequest: (url, opts) => {
        if (opts.method === "POST")
          fake.zones.get(zoneId)!.sets = fake.zones
            .get(zoneId)!
            .sets.filter((s) => s.name !== "race.example.com.");
        return base.httpRequest(url, opts);
      },
    };
    expect(
      await provider(fake, { hosted_zone_id: zoneId }, racing).delete("race.example.com", "A", ctx()),
    ).toBe("changed");
    expect(fake.find(zoneId, "race.example.com", "A")).toEqual([]);
  });
});
