import { Buffer } from "node:buffer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBeaconError, type BeaconError } from "../../core/errors.js";
import { createFixture } from "../../http/testing/fixture.js";
import { serveFetch } from "../../agent/targets/testing/serve.js";
import { DYNDNS2_MIN_WAIT_MS } from "./reply.js";
import { dyndns2Provider, type Dyndns2Settings } from "./dyndns2.js";
import { runProviderContract } from "../testing/contract.js";
import { TEST_USER_AGENT, testProviderDeps } from "../testing/deps.js";
import { startFakeDyndns2, type FakeDyndns2 } from "../testing/fakes/dyndns2.js";
import type { Provider, WriteRequest } from "../types.js";

const V4 = "81.2.69.142";
const V6 = "2a02:8070:a1b2::1";
const PASSWORD = "p@ss:w/rd é&x=1";
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

function provider(settings: Record<string, unknown>, id = "dd"): Provider {
  return dyndns2Provider.create(id, dyndns2Provider.settings.parse(settings), testProviderDeps());
}

// The contract against the real Beacon HTTP app: peek reads the server's store.
runProviderContract("dyndns2 → Beacon /nic/update", async () => {
  const names = Array.from({ length: 20 }, (_, i) => `c${i + 1}.contract.example.com`);
  const f = await createFixture({ hosts: names });
  const token = await f.token(["contract.example.com"], { subtree: true });
  const server = await serveFetch(f.app.fetch);
  const url = `${server.url}/nic/update`;
  return {
    provider: provider({ url, username: "beacon", password: token }),
    wrongCredentials: provider({ url, username: "beacon", password: `${token}x` }),
    zone: "example.com",
    foreignName: "home.not-ours.example",
    peek: async (fqdn, type) => {
      const set = (await f.rrsets(fqdn)).find((s) => s.type === type);
      return set === undefined ? undefined : { type, ttl: set.ttl, values: [...set.values] };
    },
    close: () => server.close(),
  };
});

// The same contract against the fake (No-IP style: IPv6 in myipv6).
runProviderContract("dyndns2 → fake service (send_ipv6_as: myipv6)", async () => {
  const fake = await startFakeDyndns2({ username: "alice", password: PASSWORD, zones: ["example.net"] });
  const base = { url: fake.url, username: "alice", send_ipv6_as: "myipv6" };
  return {
    provider: provider({ ...base, password: PASSWORD }),
    wrongCredentials: provider({ ...base, password: "wrong" }),
    zone: "example.net",
    foreignName: "home.example.org",
    peek: (fqdn, type) => {
      const v = fake.held.get(fqdn)?.get(type as "A" | "AAAA");
      return Promise.resolve(v === undefined ? undefined : { type, ttl: 60, values: [v] });
    },
    close: () => fake.close(),
  };
});

describe("dyndns2 provider against a fake service", () => {
  let fake: FakeDyndns2;
  const write = (over: Partial<WriteRequest> = {}): WriteRequest => ({
    fqdn: "home.example.net",
    type: "A",
    values: [V4],
    ttl: undefined,
    ...over,
  });
  const make = (over: Partial<Dyndns2Settings> = {}) =>
    provider({ url: fake.url, username: "alice", password: PASSWORD, ...over });
  async function failure(p: Promise<unknown>): Promise<BeaconError> {
    const e = await p.then(
      () => expect.fail("expected a rejection"),
      (x: unknown) => x,
    );
    if (!isBeaconError(e)) throw new Error(`not a BeaconError: ${String(e)}`);
    return e;
  }

  beforeAll(async () => {
    fake = await startFakeDyndns2({ username: "alice", password: PASSWORD, zones: ["example.net"] });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.vendor.requests.length = 0;
    fake.held.clear();
  });

  it("sends GET with Basic auth and the deps' User-Agent; the password is never in the URL", async () => {
    expect(await make().upsert(write(), ctx())).toBe("changed");
    const [seen] = fake.vendor.requests.slice(-1);
    expect(seen?.method).toBe("GET");
    expect(seen?.query.get("hostname")).toBe("home.example.net");
    expect(seen?.query.get("myip")).toBe(V4);
    expect(seen?.headers["user-agent"]).toBe(TEST_USER_AGENT);
    expect(Buffer.from((seen?.headers.authorization ?? "").slice(6), "base64").toString()).toBe(
      `alice:${PASSWORD}`,
    );
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD), "p@ss", "w/rd"])
      expect(seen?.rawUrl).not.toContain(form);
  });

  it("the hostname setting names the host at the service; extra query parameters are kept", async () => {
    const p = make({
      url: `${fake.url}?system=dyndns&hostname=stale.example.net`,
      hostname: "alias.example.net",
    });
    await p.upsert(write(), ctx());
    const seen = fake.vendor.requests.at(-1);
    expect(seen?.query.getAll("hostname")).toEqual(["alias.example.net"]);
    expect(seen?.query.get("system")).toBe("dyndns");
    expect(fake.held.get("alias.example.net")?.get("A")).toBe(V4);
  });

  it("AAAA in myip by default, in myipv6 with send_ipv6_as: myipv6", async () => {
    await make().upsert(write({ type: "AAAA", values: [V6] }), ctx());
    await make({ send_ipv6_as: "myipv6" }).upsert(write({ type: "AAAA", values: [V6] }), ctx());
    const q = fake.vendor.requests.slice(-2).map((r) => [r.query.get("myip"), r.query.get("myipv6")]);
    expect(q).toEqual([
      [V6, null],
      [null, V6],
    ]);
  });

  it("good → changed, nochg → unchanged", async () => {
    expect(await make().upsert(write(), ctx())).toBe("changed");
    expect(await make().upsert(write(), ctx())).toBe("unchanged");
  });

  it.each([
    ["badauth", 200, "provider_auth"],
    ["badauth", 401, "provider_auth"],
    ["<html>401</html>", 401, "provider_auth"],
    ["nohost", 200, "provider_zone_not_found"],
    ["nohost", 400, "provider_zone_not_found"],
    ["notfqdn", 200, "provider_zone_not_found"],
    ["!active", 200, "provider_zone_not_found"],
    ["abuse", 200, "provider_permission"],
    ["badagent", 200, "provider_permission"],
    ["!donator", 200, "provider_permission"],
    ["!yours", 200, "provider_permission"],
    ["good 127.0.0.1", 200, "provider_permission"],
    ["numhost", 200, "provider_rejected"],
    ["badsys", 200, "provider_rejected"],
    ["<!DOCTYPE html><h1>Oops</h1>", 200, "malformed_reply"],
    ["", 200, "malformed_reply"],
    [" \r\n\t", 200, "malformed_reply"],
    ["goodbye", 200, "malformed_reply"],
    ["Internal Server Error", 500, "provider_unavailable"],
    [`good ${V4}`, 502, "provider_unavailable"],
    ["Not Found", 404, "provider_rejected"],
    ["Forbidden", 403, "provider_permission"],
    ["", 302, "provider_rejected"],
  ])("%j with HTTP %i → %s, quoting the service", async (body, status, code) => {
    fake.vendor.failNext({ status, headers: {}, body });
    const e = await failure(make().upsert(write(), ctx()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/^dyndns2 127\.0\.0\.1:\d+: /);
    const word = body.trim().split(/\s+/)[0] ?? "";
    if (word !== "" && status !== 401) expect(e.message).toContain(word);
    expect(fake.held.size).toBe(0);
  });

  it.each([["911"], ["dnserr"], ["dnserr 0x1f2e"]])(
    "%s → provider_unavailable with retryAfterMs of at least 30 minutes",
    async (body) => {
      fake.vendor.failNext({ status: 200, headers: {}, body });
      const e = await failure(make().upsert(write(), ctx()));
      expect(e.code).toBe("provider_unavailable");
      expect(e.details?.["retryAfterMs"]).toBe(DYNDNS2_MIN_WAIT_MS);
      expect(e.details?.["vendorCode"]).toBe(body.split(" ")[0]);
    },
  );

  it("911 with a longer Retry-After waits that long", async () => {
    fake.vendor.failNext({ status: 503, headers: { "retry-after": "7200" }, body: "911" });
    expect((await failure(make().upsert(write(), ctx()))).details?.["retryAfterMs"]).toBe(7_200_000);
  });

  it("429 with Retry-After → provider_rate_limited with retryAfterMs", async () => {
    fake.vendor.failNext({ status: 429, headers: { "retry-after": "120" }, body: "Too Many Requests" });
    const e = await failure(make().upsert(write(), ctx()));
    expect(e.code).toBe("provider_rate_limited");
    expect(e.details?.["retryAfterMs"]).toBe(120_000);
    expect(e.message).toContain("Too Many Requests");
  });

  it("a reply echoing secrets or control characters is clipped to one printable line", async () => {
    const body = `abuse ${"x".repeat(500)}\u0007\u001b[31m\r\nsecond line`;
    fake.vendor.failNext({ status: 200, headers: {}, body });
    const e = await failure(make().upsert(write(), ctx()));
    expect(e.code).toBe("provider_permission");
    // eslint-disable-next-line no-control-regex
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
    expect(e.message).not.toContain("second line");
    expect(e.message.length).toBeLessThan(400);
  });

  it.each([
    ["TXT", write({ type: "TXT", values: ["v=spf1 -all"] })],
    ["two A values", write({ values: [V4, "81.2.69.160"] })],
  ])("refuses %s as provider_unsupported without sending", async (_name, req) => {
    const e = await failure(make().upsert(req, ctx()));
    expect(e.code).toBe("provider_unsupported");
    expect(fake.vendor.requests).toHaveLength(0);
  });

  it("get() and delete() are provider_unsupported; capabilities say write-only", async () => {
    const p = make();
    expect(p.capabilities).toMatchObject({ read: false, delete: false, ttl: false, multiValue: false });
    expect((await failure(p.get("home.example.net", "A", ctx()))).code).toBe("provider_unsupported");
    expect((await failure(p.delete("home.example.net", "A", ctx()))).code).toBe("provider_unsupported");
    expect(fake.vendor.requests).toHaveLength(0);
  });

  it("connection refused → network_error", async () => {
    const gone = await startFakeDyndns2({ username: "a", password: "b", zones: [] });
    await gone.close();
    const p = provider({ url: gone.url, username: "a", password: "b" });
    expect((await failure(p.upsert(write(), ctx()))).code).toBe("network_error");
  });
});

describe("dyndns2 provider settings", () => {
  const base = { url: "https://dynupdate.example/nic/update", username: "u", password: "p" };
  it.each([
    ["credentials in the URL", { url: "https://u:p@dynupdate.example/nic/update" }, /credentials/],
    ["an ftp URL", { url: "ftp://dynupdate.example/" }, /http/],
    ["a ':' in the username", { username: "a:b" }, /':'/],
    ["an empty password", { password: "" }, /empty/],
    ["two hostnames", { hostname: "a.example,b.example" }, /exactly one hostname/],
    ["send_ipv6_as: ipv6", { send_ipv6_as: "ipv6" }, /myip or myipv6/],
    ["a ttl (the protocol has none)", { ttl: 60 }, /ttl/],
  ])("rejects %s", (_name, over, message) => {
    const r = dyndns2Provider.settings.safeParse({ ...base, ...over });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});
