import { describe, expect, it } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { CHECK_DEFAULTS, POOL_DEFAULTS } from "../../core/pools.js";
import { parseExpect, parsePoolSpec } from "./pool-spec.js";

const BASE = {
  name: "www.example.com",
  type: "A",
  check: { type: "tcp", port: 443 },
  members: [
    { id: "a", address: "192.0.2.1" },
    { id: "b", host: "line1.example.com" },
  ],
};

/** BASE with `patch` merged in (check merged one level deeper); undefined values delete keys. */
function pool(patch: Record<string, unknown> = {}, check?: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...BASE, ...patch };
  if (check !== undefined) out.check = { ...BASE.check, ...check };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  if (out.check !== null && typeof out.check === "object") {
    for (const [k, v] of Object.entries(out.check))
      if (v === undefined) delete (out.check as Record<string, unknown>)[k];
  }
  return out;
}

function problem(input: unknown): string {
  return thrown(() => parsePoolSpec(input)).message;
}

/** The invalid_pool error `f` throws. */
function thrown(f: () => unknown): BeaconError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BeaconError);
    expect((e as BeaconError).code).toBe("invalid_pool");
    return e as BeaconError;
  }
  throw new Error("accepted");
}

describe("parsePoolSpec: what it accepts", () => {
  it("fills in every default and canonicalises names and addresses", () => {
    const spec = parsePoolSpec({
      name: "WWW.Example.COM.",
      type: "AAAA",
      check: { type: "tcp", port: 22 },
      members: [
        { id: "a", address: "2001:DB8:0::1" },
        { id: "b", host: "Line1.Example.com." },
      ],
    });
    expect(spec).toEqual({
      name: "www.example.com",
      type: "AAAA",
      steering: POOL_DEFAULTS.steering,
      whenAllDown: POOL_DEFAULTS.whenAllDown,
      fallback: [],
      maxAnswers: POOL_DEFAULTS.maxAnswers,
      ttlMin: POOL_DEFAULTS.ttlMin,
      ttlMax: POOL_DEFAULTS.ttlMax,
      check: {
        type: "tcp",
        port: 22,
        intervalMs: CHECK_DEFAULTS.intervalMs,
        timeoutMs: CHECK_DEFAULTS.timeoutMs,
        rise: CHECK_DEFAULTS.rise,
        fall: CHECK_DEFAULTS.fall,
      },
      members: [
        { id: "a", address: "2001:db8::1", priority: 1, weight: 1 },
        { id: "b", host: "line1.example.com", priority: 1, weight: 1 },
      ],
    });
  });

  it.each([
    ["http", { port: undefined }, { type: "http", port: 80, path: "/", expect: "2xx" }],
    ["https", { port: undefined }, { type: "https", port: 443, path: "/", expect: "2xx", tlsVerify: true }],
    [
      "https with everything",
      {
        port: 8443,
        path: "/health?full=1",
        host: "API.example.com",
        expect: "200,301-302",
        body: "ok",
        tlsVerify: false,
      },
      {
        port: 8443,
        path: "/health?full=1",
        host: "api.example.com",
        expect: "200,301-302",
        body: "ok",
        tlsVerify: false,
      },
    ],
    ["dns", { port: undefined }, { type: "dns", port: 53 }],
    [
      "dns with a query",
      { port: 5353, query: "Probe.example.com" },
      { type: "dns", port: 5353, query: "probe.example.com" },
    ],
    ["icmp", { port: undefined }, { type: "icmp" }],
    ["none", { port: undefined }, { type: "none" }],
  ])("check %s: its defaults", (name, check, expected) => {
    const type = name.split(" ")[0];
    expect(parsePoolSpec(pool({}, { type, ...check })).check).toEqual({
      intervalMs: 10_000,
      timeoutMs: 3_000,
      rise: 2,
      fall: 3,
      type,
      ...expected,
    });
  });

  it("heartbeat: host members only, maxAgeMs defaults to 2 × interval", () => {
    const spec = parsePoolSpec(
      pool(
        { members: [{ id: "line1", host: "line1.example.com" }] },
        { type: "heartbeat", port: undefined, intervalMs: 5_000 },
      ),
    );
    expect(spec.check).toEqual({
      type: "heartbeat",
      intervalMs: 5_000,
      timeoutMs: 2_500,
      rise: 2,
      fall: 3,
      maxAgeMs: 10_000,
    });
  });

  it.each([
    [{}, 30, 60],
    [{ ttlMax: 20 }, 10, 20],
    [{ ttlMax: 1 }, 1, 1],
    [{ ttlMin: 45 }, 45, 60],
    [{ ttlMin: 300, ttlMax: 600 }, 300, 600],
    [{ ttlMin: 86_400, ttlMax: 86_400 }, 86_400, 86_400],
  ])("TTL %j → [%d, %d]", (ttl, min, max) => {
    expect(parsePoolSpec(pool(ttl))).toMatchObject({ ttlMin: min, ttlMax: max });
  });

  it("a short interval gets a default timeout of half of it", () => {
    expect(parsePoolSpec(pool({}, { intervalMs: 1_000 })).check.timeoutMs).toBe(500);
  });

  it("takes every steering and all-down choice, priorities, weights and fallback addresses", () => {
    const spec = parsePoolSpec(
      pool({
        steering: "weighted",
        whenAllDown: "fallback",
        fallback: ["198.51.100.7", " 198.51.100.7", "198.51.100.8"],
        maxAnswers: 16,
        members: [
          { id: "a_1", address: "192.0.2.1", priority: 100, weight: 0 },
          { id: "b-2", address: "192.0.2.2", priority: 1, weight: 1000 },
        ],
      }),
    );
    expect(spec.fallback).toEqual(["198.51.100.7", "198.51.100.8"]);
    expect(spec.members.map((m) => [m.priority, m.weight])).toEqual([
      [100, 0],
      [1, 1000],
    ]);
    for (const steering of ["failover", "weighted", "all", "hashed", "fastest"]) {
      expect(parsePoolSpec(pool({ steering })).steering).toBe(steering);
    }
  });

  it(`takes ${POOL_DEFAULTS.maxMembers} members`, () => {
    const members = Array.from({ length: POOL_DEFAULTS.maxMembers }, (_, i) => ({
      id: `m${i}`,
      address: `192.0.2.${i}`,
    }));
    expect(parsePoolSpec(pool({ members })).members).toHaveLength(POOL_DEFAULTS.maxMembers);
  });
});

describe("parsePoolSpec: what it refuses (invalid_pool naming the field)", () => {
  const long = "x".repeat(100_000);
  it.each([
    // Not an object at all.
    ["null", null, "pool: must be an object"],
    ["an array", [], "pool: must be an object"],
    ["a string", "www.example.com", "pool: must be an object"],
    ["a number", 42, "pool: must be an object"],
    ["an empty object", {}, "name: is required"],
    // Unknown and prototype keys.
    ["an unknown key", pool({ steer: "all" }), "steer: unknown field"],
    [
      "a __proto__ key",
      JSON.parse(`{"__proto__": {"steering": "all"}, ${JSON.stringify(BASE).slice(1)}`),
      "__proto__: unknown field",
    ],
    ["a constructor key", pool({ constructor: { prototype: {} } }), "constructor: unknown field"],
    ["an unknown check key", pool({}, { retries: 2 }), "check.retries: unknown field"],
    [
      "an unknown member key",
      pool({ members: [{ id: "a", address: "192.0.2.1", ip: "x" }] }),
      "members[0].ip: unknown field",
    ],
    ["a huge unknown key", pool({ [long]: 1 }), `${"x".repeat(64)}: unknown field`],
    // name and type.
    ["a name of the wrong type", pool({ name: 7 }), "name: must be a string"],
    ["a bad name", pool({ name: "www..example.com" }), "name: must be a valid domain name"],
    ["a wildcard name", pool({ name: "*.example.com" }), "name: must be a valid domain name"],
    ["a huge name", pool({ name: long }), "name: must be at most 255 characters"],
    ["a non-ASCII name", pool({ name: "wéb.example.com" }), "name: must be a valid domain name"],
    ["type CNAME", pool({ type: "CNAME" }), "type: must be one of A, AAAA"],
    ["type lowercase", pool({ type: "a" }), "type: must be one of A, AAAA"],
    [
      "an unknown steering",
      pool({ steering: "random" }),
      "steering: must be one of failover, weighted, all, hashed, fastest",
    ],
    [
      "an unknown whenAllDown",
      pool({ whenAllDown: "refuse" }),
      "whenAllDown: must be one of all, first, fallback, nodata",
    ],
    // Numbers.
    ["maxAnswers 0", pool({ maxAnswers: 0 }), "maxAnswers: must be an integer from 1 to 16"],
    ["maxAnswers 17", pool({ maxAnswers: 17 }), "maxAnswers: must be an integer from 1 to 16"],
    ["maxAnswers fractional", pool({ maxAnswers: 2.5 }), "maxAnswers: must be an integer from 1 to 16"],
    ["maxAnswers NaN", pool({ maxAnswers: NaN }), "maxAnswers: must be an integer from 1 to 16"],
    ["maxAnswers a string", pool({ maxAnswers: "8" }), "maxAnswers: must be an integer from 1 to 16"],
    ["ttlMax Infinity", pool({ ttlMax: Infinity }), "ttlMax: must be an integer from 1 to 86400"],
    ["ttlMax too big", pool({ ttlMax: 86_401 }), "ttlMax: must be an integer from 1 to 86400"],
    ["ttlMin 0", pool({ ttlMin: 0 }), "ttlMin: must be an integer from 1 to 86400"],
    ["ttlMin negative", pool({ ttlMin: -5 }), "ttlMin: must be an integer from 1 to 86400"],
    ["ttlMin above ttlMax", pool({ ttlMin: 61, ttlMax: 60 }), "ttlMin: must not exceed ttlMax (60)"],
    ["ttlMin above the default ttlMax", pool({ ttlMin: 120 }), "ttlMin: must not exceed ttlMax (60)"],
    // Fallback.
    [
      "fallback of the wrong family",
      pool({ fallback: ["2001:db8::1"] }),
      "fallback[0]: must be an IPv4 address (the pool's type is A)",
    ],
    ["fallback not a list", pool({ fallback: "192.0.2.9" }), "fallback: must be a list"],
    [
      "fallback too long",
      pool({ fallback: Array(17).fill("192.0.2.9") }),
      "fallback: must hold at most 16 entries",
    ],
    ["a fallback entry not a string", pool({ fallback: [{}] }), "fallback[0]: must be a string"],
    [
      "whenAllDown fallback without one",
      pool({ whenAllDown: "fallback" }),
      'fallback: must hold at least one address when whenAllDown is "fallback"',
    ],
    [
      "whenAllDown fallback with an empty one",
      pool({ whenAllDown: "fallback", fallback: [] }),
      'fallback: must hold at least one address when whenAllDown is "fallback"',
    ],
    // Members.
    ["no members key", pool({ members: undefined }), "members: is required"],
    ["no members", pool({ members: [] }), "members: must hold at least one member"],
    ["members not a list", pool({ members: { a: { address: "192.0.2.1" } } }), "members: must be a list"],
    [
      "too many members",
      pool({ members: Array(1_000_000).fill({ id: "a", address: "192.0.2.1" }) }),
      "members: must hold at most 64 entries",
    ],
    ["a member that is null", pool({ members: [null] }), "members[0]: must be an object"],
    ["a member that is a list", pool({ members: [["a"]] }), "members[0]: must be an object"],
    ["a member without id", pool({ members: [{ address: "192.0.2.1" }] }), "members[0].id: is required"],
    [
      "an uppercase id",
      pool({ members: [{ id: "A", address: "192.0.2.1" }] }),
      "members[0].id: must be 1 to 63 of a-z, 0-9, _ and -",
    ],
    [
      "an empty id",
      pool({ members: [{ id: "", address: "192.0.2.1" }] }),
      "members[0].id: must be 1 to 63 of a-z, 0-9, _ and -",
    ],
    [
      "a 64-character id",
      pool({ members: [{ id: "a".repeat(64), address: "192.0.2.1" }] }),
      "members[0].id: must be 1 to 63 of a-z, 0-9, _ and -",
    ],
    [
      "an id with a dot",
      pool({ members: [{ id: "a.b", address: "192.0.2.1" }] }),
      "members[0].id: must be 1 to 63 of a-z, 0-9, _ and -",
    ],
    ["a numeric id", pool({ members: [{ id: 1, address: "192.0.2.1" }] }), "members[0].id: must be a string"],
    [
      "duplicate ids",
      pool({
        members: [
          { id: "a", address: "192.0.2.1" },
          { id: "a", address: "192.0.2.2" },
        ],
      }),
      'members[1].id: "a" is used by an earlier member',
    ],
    [
      "both address and host",
      pool({ members: [{ id: "a", address: "192.0.2.1", host: "x.example.com" }] }),
      "members[0]: needs exactly one of address and host",
    ],
    [
      "neither address nor host",
      pool({ members: [{ id: "a" }] }),
      "members[0]: needs exactly one of address and host",
    ],
    [
      "an address of the other family",
      pool({ members: [{ id: "a", address: "2001:db8::1" }] }),
      "members[0].address: must be an IPv4 address (the pool's type is A)",
    ],
    [
      "an address that is not one",
      pool({ members: [{ id: "a", address: "192.0.2.256" }] }),
      "members[0].address: must be an IPv4 address (the pool's type is A)",
    ],
    [
      "shorthand IPv4",
      pool({ members: [{ id: "a", address: "127.1" }] }),
      "members[0].address: must be an IPv4 address (the pool's type is A)",
    ],
    [
      "a CIDR",
      pool({ members: [{ id: "a", address: "192.0.2.0/24" }] }),
      "members[0].address: must be an IPv4 address (the pool's type is A)",
    ],
    [
      "a huge address",
      pool({ members: [{ id: "a", address: long }] }),
      "members[0].address: must be at most 64 characters",
    ],
    [
      "a bad host",
      pool({ members: [{ id: "a", host: "-bad-.example.com" }] }),
      "members[0].host: must be a valid domain name",
    ],
    [
      "the pool's own name as host",
      pool({ members: [{ id: "a", host: "WWW.example.com." }] }),
      "members[0].host: must not be the pool's own name",
    ],
    [
      "priority 0",
      pool({ members: [{ id: "a", address: "192.0.2.1", priority: 0 }] }),
      "members[0].priority: must be an integer from 1 to 100",
    ],
    [
      "priority 101",
      pool({ members: [{ id: "a", address: "192.0.2.1", priority: 101 }] }),
      "members[0].priority: must be an integer from 1 to 100",
    ],
    [
      "weight negative",
      pool({ members: [{ id: "a", address: "192.0.2.1", weight: -1 }] }),
      "members[0].weight: must be an integer from 0 to 1000",
    ],
    [
      "weight 1001",
      pool({ members: [{ id: "a", address: "192.0.2.1", weight: 1001 }] }),
      "members[0].weight: must be an integer from 0 to 1000",
    ],
    [
      "weight fractional",
      pool({ members: [{ id: "a", address: "192.0.2.1", weight: 0.5 }] }),
      "members[0].weight: must be an integer from 0 to 1000",
    ],
    [
      "weight a boolean",
      pool({ members: [{ id: "a", address: "192.0.2.1", weight: true }] }),
      "members[0].weight: must be an integer from 0 to 1000",
    ],
    // The check.
    ["no check", pool({ check: undefined }), "check: is required"],
    ["check a string", pool({ check: "tcp" }), "check: must be an object"],
    ["check without type", pool({ check: { port: 80 } }), "check.type: is required"],
    [
      "an unknown check type",
      pool({}, { type: "udp" }),
      "check.type: must be one of tcp, http, https, dns, heartbeat, icmp, none",
    ],
    ["tcp without port", pool({}, { port: undefined }), "check.port: is required for tcp checks"],
    ["port 0", pool({}, { port: 0 }), "check.port: must be an integer from 1 to 65535"],
    ["port 65536", pool({}, { port: 65_536 }), "check.port: must be an integer from 1 to 65535"],
    ["port as a string", pool({}, { port: "80" }), "check.port: must be an integer from 1 to 65535"],
    ["a port on icmp", pool({}, { type: "icmp" }), "check.port: only for tcp, http, https and dns checks"],
    ["a path on tcp", pool({}, { path: "/" }), "check.path: only for http and https checks"],
    [
      "tlsVerify on http",
      pool({}, { type: "http", tlsVerify: false }),
      "check.tlsVerify: only for https checks",
    ],
    [
      "a query on http",
      pool({}, { type: "http", query: "x.example.com" }),
      "check.query: only for dns checks",
    ],
    ["maxAgeMs on tcp", pool({}, { maxAgeMs: 20_000 }), "check.maxAgeMs: only for heartbeat checks"],
    ["a body on dns", pool({}, { type: "dns", body: "ok" }), "check.body: only for http and https checks"],
    [
      "a path without a slash",
      pool({}, { type: "http", path: "health" }),
      'check.path: must start with "/" and hold only printable ASCII (no spaces or control characters)',
    ],
    [
      "a path with a space",
      pool({}, { type: "http", path: "/a b" }),
      'check.path: must start with "/" and hold only printable ASCII (no spaces or control characters)',
    ],
    [
      "a path with a newline",
      pool({}, { type: "http", path: "/a\r\nHost: evil" }),
      'check.path: must start with "/" and hold only printable ASCII (no spaces or control characters)',
    ],
    [
      "a huge path",
      pool({}, { type: "http", path: `/${long}` }),
      "check.path: must be at most 1024 characters",
    ],
    ["a huge body", pool({}, { type: "http", body: long }), "check.body: must be at most 1024 characters"],
    [
      "a bad check host",
      pool({}, { type: "https", host: "a b.example.com" }),
      "check.host: must be a valid domain name",
    ],
    [
      "a bad expect",
      pool({}, { type: "http", expect: "ok" }),
      'check.expect: "ok" is not a status code (200), a range (200-299) or a class (2xx) of codes 100 to 599',
    ],
    [
      "tlsVerify a string",
      pool({}, { type: "https", tlsVerify: "no" }),
      "check.tlsVerify: must be true or false",
    ],
    [
      "an interval below the minimum",
      pool({}, { intervalMs: 999 }),
      "check.intervalMs: must be an integer from 1000 to 3600000",
    ],
    [
      "an interval above an hour",
      pool({}, { intervalMs: 3_600_001 }),
      "check.intervalMs: must be an integer from 1000 to 3600000",
    ],
    [
      "a timeout below 100 ms",
      pool({}, { timeoutMs: 99 }),
      "check.timeoutMs: must be an integer from 100 to 3600000",
    ],
    [
      "a timeout as long as the interval",
      pool({}, { intervalMs: 5_000, timeoutMs: 5_000 }),
      "check.timeoutMs: must be less than intervalMs (5000)",
    ],
    [
      "the default timeout over a given interval",
      pool({}, { intervalMs: 2_000, timeoutMs: 3_000 }),
      "check.timeoutMs: must be less than intervalMs (2000)",
    ],
    ["rise 0", pool({}, { rise: 0 }), "check.rise: must be an integer from 1 to 20"],
    ["fall 21", pool({}, { fall: 21 }), "check.fall: must be an integer from 1 to 20"],
    ["fall null", pool({}, { fall: null }), "check.fall: must be an integer from 1 to 20"],
    [
      "heartbeat with an address member",
      pool({}, { type: "heartbeat", port: undefined }),
      "members[0].address: a heartbeat check needs host members",
    ],
    [
      "heartbeat maxAgeMs under the interval",
      pool(
        { members: [{ id: "a", host: "a.example.com" }] },
        { type: "heartbeat", port: undefined, maxAgeMs: 5_000 },
      ),
      "check.maxAgeMs: must be at least intervalMs (10000)",
    ],
    // Nested junk.
    [
      "a member nested deep",
      pool({ members: [{ id: "a", address: { a: { b: { c: [1, 2, 3] } } } }] }),
      "members[0].address: must be a string",
    ],
    ["a check nested in a list", pool({ check: [{ type: "tcp", port: 80 }] }), "check: must be an object"],
  ])("%s", (_, input, message) => {
    expect(problem(input)).toBe(message);
  });

  it("lists every problem in details.issues, the first one in the message", () => {
    const e = thrown(() => parsePoolSpec(pool({ ttlMin: 0, maxAnswers: 99, extra: 1 })));
    const issues = e.details?.issues as { path: string }[];
    expect(issues.map((i) => i.path).sort()).toEqual(["extra", "maxAnswers", "ttlMin"]);
    expect(e.message).toMatch(new RegExp(`^${issues[0]!.path}: `));
  });

  it("keeps details.issues short for thousands of unknown keys", () => {
    const junk = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    expect(thrown(() => parsePoolSpec(pool(junk))).details?.issues).toHaveLength(20);
  });
});

describe("parseExpect", () => {
  it.each([
    ["2xx", [200, 204, 299], [199, 300, 500]],
    ["200", [200], [201, 204]],
    ["200-204", [200, 204], [199, 205]],
    ["200, 301-302,4xx", [200, 301, 302, 404], [201, 300, 303, 500]],
    ["1xx,5xx", [100, 199, 500, 599], [200, 600]],
    ["599", [599], [600]],
  ])("%s", (expectText, yes, no) => {
    const matches = parseExpect(expectText);
    for (const s of yes) expect(matches(s)).toBe(true);
    for (const s of no) expect(matches(s)).toBe(false);
  });

  it.each([
    "",
    ",",
    "200,",
    "2XX",
    "6xx",
    "0xx",
    "99",
    "600",
    "1000",
    "200-",
    "-200",
    "300-200",
    "200-600",
    "20x",
    "abc",
    "2 0 0",
    "200;201",
    "x".repeat(300),
  ])("refuses %j", (text) => {
    expect(thrown(() => parseExpect(text)).message).toMatch(/^check\.expect: /);
  });
});
