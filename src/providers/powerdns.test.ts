// The powerdns provider against a REAL pdns_server (gsqlite3 backend) started per file, peeked over
// DNS with dig (a second route to the truth, and the one users depend on); error shapes the real
// server cannot be made to produce (5xx, rate limits, garbage) come from a fake on 127.0.0.1.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dig } from "../../test/e2e/support/dig.js";
import { peerAvailable } from "../../test/e2e/support/peers.js";
import { isBeaconError } from "../core/errors.js";
import { canonicalValues } from "../core/records.js";
import { VendorError } from "./errors.js";
import { powerdnsProvider, type PowerdnsSettings } from "./powerdns.js";
import { runProviderContract } from "./testing/contract.js";
import { testProviderDeps } from "./testing/deps.js";
import { json, startFakeVendor, type FakeReply, type FakeVendor } from "./testing/fake-vendor.js";
import { startPdns, type PdnsServer } from "./testing/peers/pdns.js";
import { unquoteTxt } from "./kit/txt-presentation.js";
import type { CallContext, Provider, ProviderRecordType, ProviderRRSet } from "./types.js";

const ZONE = "pdns.beacon.test";
const havePeers = peerAvailable("pdns_server", "pdns-server") && peerAvailable("dig", "bind9-dnsutils");

const ctx = (): CallContext => ({ signal: AbortSignal.timeout(15_000) });

function provider(over: Record<string, unknown>): Provider {
  const settings: PowerdnsSettings = powerdnsProvider.settings.parse(over);
  return powerdnsProvider.create("pdns1", settings, testProviderDeps());
}

/** What the server answers over DNS for fqdn/type, as a set (undefined: no answer of that type). */
async function peekDns(
  port: number,
  fqdn: string,
  type: ProviderRecordType,
): Promise<ProviderRRSet | undefined> {
  const a = await dig(port, [fqdn, type]);
  if (a.status !== "NOERROR" && a.status !== "NXDOMAIN") throw new Error(`dig ${fqdn} ${type}: ${a.status}`);
  let ttl = 0;
  const values: string[] = [];
  for (const line of a.answers) {
    const m = /^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.*)$/.exec(line);
    if (m?.[3] !== type) continue;
    ttl = Number(m[2]);
    const data = m[4] ?? "";
    values.push(type === "TXT" ? (unquoteTxt(data) ?? `unreadable ${data}`) : data);
  }
  return values.length === 0 ? undefined : { type, ttl, values: canonicalValues(type, values) };
}

async function rejection(p: Promise<unknown>) {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

describe.runIf(havePeers)("powerdns against pdns_server", () => {
  let pdns: PdnsServer;

  runProviderContract("powerdns (pdns_server 4.x, gsqlite3)", async () => {
    pdns = await startPdns();
    await pdns.createZone(ZONE);
    await pdns.createZone(`child.${ZONE}`);
    return {
      provider: provider({ endpoint: pdns.endpoint, api_key: pdns.apiKey }),
      zone: ZONE,
      peek: (fqdn, type) => peekDns(pdns.dnsPort, fqdn, type),
      wrongCredentials: provider({ endpoint: pdns.endpoint, api_key: "not-the-key" }),
      foreignName: "www.not-hosted.example",
      close: () => pdns.stop(),
    };
  });

  describe("beyond the contract", () => {
    let server: PdnsServer;
    let p: Provider;
    const rrsetOf = async (zone: string, fqdn: string, type: string) => {
      const r = await server.api("GET", `/api/v1/servers/localhost/zones/${zone}.`);
      const zoneData = JSON.parse(r.body) as {
        rrsets: { name: string; type: string; comments: unknown[] }[];
      };
      return zoneData.rrsets.find((s) => s.name === `${fqdn}.` && s.type === type);
    };

    beforeAll(async () => {
      server = await startPdns();
      await server.createZone(ZONE);
      await server.createZone(`child.${ZONE}`);
      p = provider({ endpoint: server.endpoint, api_key: server.apiKey });
    }, 60_000);
    afterAll(() => server.stop());

    it("keeps the set's comments across an update (REPLACE without `comments`)", async () => {
      const fqdn = `commented.${ZONE}`;
      const patch = await server.api("PATCH", `/api/v1/servers/localhost/zones/${ZONE}.`, {
        rrsets: [
          {
            name: `${fqdn}.`,
            type: "A",
            ttl: 900,
            changetype: "REPLACE",
            records: [{ content: "192.0.2.1", disabled: false }],
            comments: [{ content: "managed by the router team", account: "ops" }],
          },
        ],
      });
      expect(patch.status).toBe(204);
      expect(await p.upsert({ fqdn, type: "A", values: ["81.2.69.142"], ttl: undefined }, ctx())).toBe(
        "changed",
      );
      expect(await peekDns(server.dnsPort, fqdn, "A")).toEqual({
        type: "A",
        ttl: 900,
        values: ["81.2.69.142"],
      });
      expect((await rrsetOf(ZONE, fqdn, "A"))?.comments).toEqual([
        expect.objectContaining({ content: "managed by the router team", account: "ops" }),
      ]);
    });

    it("a name below a delegated child zone is written into the child zone (longest match)", async () => {
      const fqdn = `host.child.${ZONE}`;
      await p.upsert({ fqdn, type: "AAAA", values: ["2a02:8070:a1b2::9"], ttl: 120 }, ctx());
      expect(await rrsetOf(`child.${ZONE}`, fqdn, "AAAA")).toBeDefined();
      expect(await rrsetOf(ZONE, fqdn, "AAAA")).toBeUndefined();
      expect(await p.get(fqdn, "AAAA", ctx())).toEqual({
        type: "AAAA",
        ttl: 120,
        values: ["2a02:8070:a1b2::9"],
      });
    });

    it("the zone apex can be written", async () => {
      await p.upsert({ fqdn: ZONE, type: "TXT", values: ["apex marker"], ttl: 60 }, ctx());
      expect(await peekDns(server.dnsPort, ZONE, "TXT")).toEqual({
        type: "TXT",
        ttl: 60,
        values: ["apex marker"],
      });
    });

    it("TXT with quotes, backslashes and UTF-8 survives the server's presentation form", async () => {
      const fqdn = `_acme-challenge.odd.${ZONE}`;
      const values = ['say "hi" \\ bye', "grüße ✓"];
      await p.upsert({ fqdn, type: "TXT", values, ttl: 60 }, ctx());
      expect((await peekDns(server.dnsPort, fqdn, "TXT"))?.values).toEqual([...values].sort());
      expect((await p.get(fqdn, "TXT", ctx()))?.values).toEqual([...values].sort());
    });

    it("disabled records are not part of the set", async () => {
      const fqdn = `disabled.${ZONE}`;
      await server.api("PATCH", `/api/v1/servers/localhost/zones/${ZONE}.`, {
        rrsets: [
          {
            name: `${fqdn}.`,
            type: "A",
            ttl: 300,
            changetype: "REPLACE",
            records: [
              { content: "192.0.2.7", disabled: false },
              { content: "192.0.2.8", disabled: true },
            ],
          },
        ],
      });
      expect(await p.get(fqdn, "A", ctx())).toEqual({ type: "A", ttl: 300, values: ["192.0.2.7"] });
    });

    it("a CNAME at the name is provider_conflict with the server's words", async () => {
      const fqdn = `alias.${ZONE}`;
      await server.api("PATCH", `/api/v1/servers/localhost/zones/${ZONE}.`, {
        rrsets: [
          {
            name: `${fqdn}.`,
            type: "CNAME",
            ttl: 300,
            changetype: "REPLACE",
            records: [{ content: `commented.${ZONE}.`, disabled: false }],
          },
        ],
      });
      const e = await rejection(p.upsert({ fqdn, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx()));
      expect(isBeaconError(e) && e.code).toBe("provider_conflict");
      expect(isBeaconError(e) && e.message).toMatch(/Conflicts with pre-existing RRset/);
      expect(isBeaconError(e) && e.cause).toBeInstanceOf(VendorError);
    });

    it("wrong credentials are provider_auth quoting the server; the key is not in the message", async () => {
      const bad = provider({ endpoint: server.endpoint, api_key: "wrong-key-123" });
      const e = await rejection(bad.get(`x.${ZONE}`, "A", ctx()));
      expect(isBeaconError(e) && e.code).toBe("provider_auth");
      expect(isBeaconError(e) && e.message).toMatch(/401 Unauthorized/);
      expect(isBeaconError(e) && e.message).not.toContain("wrong-key-123");
    });

    it("an unknown server_id or configured zone is provider_zone_not_found", async () => {
      const otherServer = provider({ endpoint: server.endpoint, api_key: server.apiKey, server_id: "nope" });
      const e1 = await rejection(otherServer.get(`x.${ZONE}`, "A", ctx()));
      expect(isBeaconError(e1) && e1.code).toBe("provider_zone_not_found");
      const missing = provider({ endpoint: server.endpoint, api_key: server.apiKey, zone: "missing.test" });
      const e2 = await rejection(missing.get("x.missing.test", "A", ctx()));
      expect(isBeaconError(e2) && e2.code).toBe("provider_zone_not_found");
      const outside = provider({ endpoint: server.endpoint, api_key: server.apiKey, zone: ZONE });
      const e3 = await rejection(outside.get("x.elsewhere.test", "A", ctx()));
      expect(isBeaconError(e3) && e3.code).toBe("provider_zone_not_found");
    });

    it("a configured zone is used without walking (and a name at its apex works)", async () => {
      const pinned = provider({ endpoint: server.endpoint, api_key: server.apiKey, zone: ZONE });
      expect(
        await pinned.upsert({ fqdn: `pinned.${ZONE}`, type: "A", values: ["81.2.69.160"], ttl: 300 }, ctx()),
      ).toBe("changed");
      expect((await peekDns(server.dnsPort, `pinned.${ZONE}`, "A"))?.values).toEqual(["81.2.69.160"]);
    });

    it("a zone deleted on the server is looked up again, not written from the cache", async () => {
      const zone = `gone.${ZONE}`;
      await server.createZone(zone);
      await p.upsert({ fqdn: `h.${zone}`, type: "A", values: ["81.2.69.142"], ttl: 300 }, ctx());
      expect((await server.api("DELETE", `/api/v1/servers/localhost/zones/${zone}.`)).status).toBe(204);
      // The cached zone now 404s: zone_not_found once, then the walk finds the parent zone.
      const e = await rejection(p.get(`h.${zone}`, "A", ctx()));
      expect(isBeaconError(e) && e.code).toBe("provider_zone_not_found");
      expect(await p.get(`h.${zone}`, "A", ctx())).toBeUndefined();
      await p.upsert({ fqdn: `h.${zone}`, type: "A", values: ["81.2.69.160"], ttl: 300 }, ctx());
      expect((await rrsetOf(ZONE, `h.${zone}`, "A")) !== undefined).toBe(true);
    });
  });
});

describe("powerdns error replies (fake server)", () => {
  let fake: FakeVendor;
  let p: Provider;
  const zoneListing = json(200, [{ id: "example.com.", name: "example.com.", kind: "Native" }]);

  beforeAll(async () => {
    fake = await startFakeVendor((req) => {
      if (req.headers["x-api-key"] !== "k") return { status: 401, body: "Unauthorized" };
      if (req.path.endsWith("/zones")) return zoneListing;
      return json(200, { id: "example.com.", name: "example.com.", rrsets: [] });
    });
    p = powerdnsProvider.create(
      "pdns-fake",
      powerdnsProvider.settings.parse({ endpoint: `${fake.url}/prefix/`, api_key: "k" }),
      testProviderDeps({ clock: () => Date.parse("2026-01-01T00:00:00Z") }),
    );
  });
  afterAll(() => fake.close());

  it("sends X-API-Key, our User-Agent, and walks up the name below the endpoint's path", async () => {
    fake.requests.length = 0;
    expect(await p.get("a.b.example.com", "A", ctx())).toBeUndefined();
    const paths = fake.requests.map((r) => `${r.path}?${r.query.toString()}`);
    expect(paths).toEqual([
      "/prefix/api/v1/servers/localhost/zones?zone=a.b.example.com.",
      "/prefix/api/v1/servers/localhost/zones?zone=b.example.com.",
      "/prefix/api/v1/servers/localhost/zones?zone=example.com.",
      "/prefix/api/v1/servers/localhost/zones/example.com.?rrset_name=a.b.example.com.&rrset_type=A",
    ]);
    expect(fake.requests[0]?.headers["x-api-key"]).toBe("k");
    expect(fake.requests[0]?.headers["user-agent"]).toMatch(/^Beacon\//);
  });

  it("the zone is cached per instance", async () => {
    fake.requests.length = 0;
    await p.get("a.b.example.com", "AAAA", ctx());
    expect(fake.requests).toHaveLength(1);
  });

  const cases: [string, string, FakeReply, RegExp][] = [
    [
      "500 with the API's error body",
      "provider_unavailable",
      json(500, { error: "Backend error: database is locked" }),
      /database is locked/,
    ],
    [
      "503 plain text",
      "provider_unavailable",
      { status: 503, body: "Service Unavailable" },
      /Service Unavailable/,
    ],
    [
      "422 refused data",
      "provider_rejected",
      json(422, { error: "Record x./A '1.2.3': unable to parse IP address" }),
      /unable to parse IP/,
    ],
    ["400 bad request", "provider_rejected", { status: 400, body: "Bad Request" }, /Bad Request/],
    ["403 (a proxy in front)", "provider_permission", { status: 403, body: "Forbidden" }, /Forbidden/],
    ["404 plain", "provider_zone_not_found", { status: 404, body: "Not Found" }, /Not Found/],
    [
      "200 that is not JSON",
      "malformed_reply",
      { status: 200, body: "<html>captive portal</html>" },
      /not JSON/,
    ],
    [
      "200 with the wrong shape",
      "malformed_reply",
      json(200, { rrsets: [{ name: "a.b.example.com.", type: "A" }] }),
      /shape/,
    ],
    [
      "200 with a set holding garbage",
      "malformed_reply",
      json(200, {
        rrsets: [
          {
            name: "a.b.example.com.",
            type: "A",
            ttl: 60,
            records: [{ content: "not-an-ip", disabled: false }],
          },
        ],
      }),
      /unreadable A set/,
    ],
  ];
  it.each(cases)("%s → %s", async (_what, code, reply, message) => {
    await p.get("a.b.example.com", "A", ctx()); // the zone is cached: the failure hits the set's read
    fake.failNext(reply);
    const e = await rejection(p.get("a.b.example.com", "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe(code);
    expect(isBeaconError(e) && e.message).toMatch(message);
  });

  it("429 with Retry-After → provider_rate_limited with details.retryAfterMs", async () => {
    fake.failNext({ status: 429, headers: { "retry-after": "7" }, body: "Too Many Requests" });
    const e = await rejection(p.get("a.b.example.com", "A", ctx()));
    expect(isBeaconError(e) && e.code).toBe("provider_rate_limited");
    expect(isBeaconError(e) && e.details?.["retryAfterMs"]).toBe(7000);
  });

  it("a TXT content that is not presentation form is malformed_reply", async () => {
    fake.failNext(
      json(200, {
        rrsets: [
          { name: "t.example.com.", type: "TXT", ttl: 60, records: [{ content: '"open', disabled: false }] },
        ],
      }),
    );
    const e = await rejection(p.get("t.example.com", "TXT", ctx()));
    expect(isBeaconError(e) && e.code).toBe("malformed_reply");
  });

  it("settings: bad inputs are refused with the setting named", () => {
    const bad: [Record<string, unknown>, string | undefined][] = [
      [{}, "api_key"],
      [{ api_key: "" }, "api_key"],
      [{ api_key: "k", endpoint: "ftp://x" }, "endpoint"],
      [{ api_key: "k", endpoint: "http://user:pw@host:8081" }, "endpoint"],
      [{ api_key: "k", zone: "not a zone" }, "zone"],
      [{ api_key: "k", ttl: 0 }, "ttl"],
      [{ api_key: "k", ttl: 1.5 }, "ttl"],
      [{ api_key: "k", surprise: 1 }, undefined],
    ];
    for (const [input, setting] of bad) {
      const r = powerdnsProvider.settings.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      expect(r.error?.issues[0]?.path[0], JSON.stringify(input)).toBe(setting);
    }
    expect(powerdnsProvider.settings.parse({ api_key: "k", zone: "Example.COM." })).toMatchObject({
      endpoint: "http://127.0.0.1:8081/",
      server_id: "localhost",
      zone: "example.com",
      ttl: 300,
    });
  });
});
