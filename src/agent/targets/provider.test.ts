import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BeaconError } from "../../core/errors.js";
import type {
  CallContext,
  Provider,
  ProviderDefinition,
  ProviderDeps,
  ProviderRRSet,
  WriteOutcome,
  WriteRequest,
} from "../../providers/types.js";
import { providerTarget, RATE_LIMIT_DEFAULT_WAIT_MS } from "./provider.js";
import { fakeDeps } from "./testing/contract.js";
import type { PublishRequest } from "./types.js";

const V4 = "81.2.69.142";
const V4B = "81.2.69.160";

interface Script {
  read?: boolean;
  held?: ProviderRRSet | undefined;
  getError?: BeaconError;
  upsert?: WriteOutcome | Error;
}

type Call = { op: string; req?: WriteRequest; ctx: CallContext };

/** A scripted provider that records what the target asks of it. */
function stubProvider(id: string, script: Script, calls: Call[]): Provider {
  return {
    id,
    type: "stub",
    capabilities: {
      types: ["A", "AAAA"],
      read: script.read ?? true,
      delete: false,
      multiValue: true,
      ttl: true,
    },
    get(_fqdn, _type, ctx) {
      calls.push({ op: "get", ctx });
      return script.getError ? Promise.reject(script.getError) : Promise.resolve(script.held);
    },
    upsert(req, ctx) {
      calls.push({ op: "upsert", req, ctx });
      const u = script.upsert ?? "changed";
      return u instanceof Error ? Promise.reject(u) : Promise.resolve(u);
    },
    delete: () => Promise.reject(new Error("unused")),
  };
}

function stubDefinition(
  script: Script,
  calls: Call[],
  seen: ProviderDeps[] = [],
): ProviderDefinition<unknown> {
  return {
    type: "stub",
    description: "scripted",
    settings: z.unknown(),
    create(id, _s, deps) {
      seen.push(deps);
      return stubProvider(id, script, calls);
    },
  };
}

const noHttp = () => fakeDeps(() => Promise.reject(new Error("no HTTP")));

function harness(script: Script) {
  const calls: Call[] = [];
  const seen: ProviderDeps[] = [];
  const target = providerTarget(stubDefinition(script, calls, seen)).create("t", {}, noHttp());
  return { target, calls, deps: () => seen[0] };
}

function req(over: Partial<PublishRequest> = {}): PublishRequest {
  return {
    fqdn: "home.example.com",
    type: "A",
    values: [V4],
    ttl: 300,
    localAddress: undefined,
    signal: new AbortController().signal,
    ...over,
  };
}

describe("provider target: publish", () => {
  it("readable: the vendor already holds it → noop without a write", async () => {
    const h = harness({ held: { type: "A", ttl: 300, values: [V4] } });
    expect(await h.target.publish(req())).toMatchObject({ status: "noop" });
    expect(h.calls.map((c) => c.op)).toEqual(["get"]);
  });

  it("readable: other values, another TTL, or nothing held → upsert → updated", async () => {
    for (const held of [
      { type: "A" as const, ttl: 300, values: [V4B] },
      { type: "A" as const, ttl: 60, values: [V4] },
      undefined,
    ]) {
      const h = harness({ held });
      expect(await h.target.publish(req())).toMatchObject({ status: "updated" });
      expect(h.calls.map((c) => c.op)).toEqual(["get", "upsert"]);
    }
  });

  it("no TTL in the record keeps the vendor's: same values → noop", async () => {
    const h = harness({ held: { type: "A", ttl: 3600, values: [V4] } });
    expect(await h.target.publish(req({ ttl: undefined }))).toMatchObject({ status: "noop" });
  });

  it("write-only: upsert directly; the provider's 'unchanged' is a noop", async () => {
    const h = harness({ read: false, upsert: "unchanged" });
    expect(await h.target.publish(req())).toMatchObject({ status: "noop" });
    expect(h.calls.map((c) => c.op)).toEqual(["upsert"]);
    expect("current" in h.target).toBe(false);
  });

  it("writes sorted, deduplicated values with the record's fqdn, type and TTL; passes signal and localAddress", async () => {
    const h = harness({ held: undefined });
    const ac = new AbortController();
    await h.target.publish(req({ values: [V4B, V4, V4B], localAddress: "192.0.2.10", signal: ac.signal }));
    const up = h.calls.find((c) => c.op === "upsert");
    expect(up?.req).toEqual({ fqdn: "home.example.com", type: "A", values: [V4, V4B], ttl: 300 });
    for (const c of h.calls) expect(c.ctx).toEqual({ signal: ac.signal, localAddress: "192.0.2.10" });
  });

  it("the provider gets the agent's HTTP client, clock and User-Agent; DNS and randomness fail loudly when not wired", async () => {
    const h = harness({});
    const deps = h.deps();
    expect(deps?.userAgent).toBe("Beacon-Agent/0.0.0-test (contract)");
    expect(deps?.clock()).toBe(1_700_000_000_000);
    expect(() => deps?.randomBytes(4)).toThrow(/no random source/);
    await expect(
      deps?.dnsExchange({
        server: "127.0.0.1",
        port: 53,
        message: new Uint8Array(),
        transport: "udp",
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/no DNS exchange/);
  });

  it("passes wired DNS exchange and randomness through", () => {
    const randomBytes = (n: number) => new Uint8Array(n);
    const dnsExchange = () => Promise.resolve(new Uint8Array());
    const seen: ProviderDeps[] = [];
    providerTarget(stubDefinition({}, [], seen)).create("t", {}, { ...noHttp(), randomBytes, dnsExchange });
    expect(seen[0]?.randomBytes).toBe(randomBytes);
    expect(seen[0]?.dnsExchange).toBe(dnsExchange);
  });
});

describe("provider target: error codes become statuses", () => {
  const err = (code: ConstructorParameters<typeof BeaconError>[0], details?: Record<string, unknown>) =>
    new BeaconError(code, `vendor said ${code}`, details === undefined ? {} : { details });

  it.each([
    ["provider_auth", err("provider_auth"), { status: "fatal", code: "provider_auth" }],
    ["provider_permission", err("provider_permission"), { status: "fatal", code: "provider_permission" }],
    [
      "provider_zone_not_found",
      err("provider_zone_not_found"),
      { status: "fatal", code: "provider_zone_not_found" },
    ],
    ["provider_rejected", err("provider_rejected"), { status: "fatal", code: "provider_rejected" }],
    ["provider_unsupported", err("provider_unsupported"), { status: "fatal", code: "provider_unsupported" }],
    ["provider_conflict", err("provider_conflict"), { status: "fatal", code: "provider_conflict" }],
    [
      "rate limited with a wait",
      err("provider_rate_limited", { retryAfterMs: 42_000 }),
      { status: "backoff", code: "provider_rate_limited", retryAfterMs: 42_000 },
    ],
    [
      "rate limited without a wait",
      err("provider_rate_limited"),
      { status: "backoff", retryAfterMs: RATE_LIMIT_DEFAULT_WAIT_MS },
    ],
    [
      "unavailable with a wait (dyndns2 911)",
      err("provider_unavailable", { retryAfterMs: 1_800_000 }),
      { status: "backoff", code: "provider_unavailable", retryAfterMs: 1_800_000 },
    ],
    [
      "unavailable without a wait",
      err("provider_unavailable"),
      { status: "retry", code: "provider_unavailable" },
    ],
    ["network_error", err("network_error"), { status: "retry", code: "network" }],
    ["aborted", err("aborted"), { status: "retry", code: "timeout" }],
    ["malformed_reply", err("malformed_reply"), { status: "retry", code: "malformed_reply" }],
    ["internal", err("internal"), { status: "retry", code: "internal" }],
  ])("%s", async (_name, error, expected) => {
    const fromUpsert = await harness({ held: undefined, upsert: error }).target.publish(req());
    expect(fromUpsert).toMatchObject({ ...expected, detail: `vendor said ${error.code}` });
    const fromGet = await harness({ getError: error }).target.publish(req());
    expect(fromGet).toMatchObject(expected);
  });

  it("a plain Error (a bug) is retry internal, never a throw", async () => {
    const h = harness({ read: false, upsert: new TypeError("boom") });
    expect(await h.target.publish(req())).toMatchObject({
      status: "retry",
      code: "internal",
      detail: "boom",
    });
  });
});

describe("provider target: current()", () => {
  it("the values held, [] when none, undefined when the read fails", async () => {
    const signal = new AbortController().signal;
    expect(
      await harness({ held: { type: "A", ttl: 1, values: [V4] } }).target.current?.(
        "a.example.com",
        "A",
        signal,
      ),
    ).toEqual([V4]);
    expect(await harness({ held: undefined }).target.current?.("a.example.com", "A", signal)).toEqual([]);
    expect(
      await harness({ getError: err500() }).target.current?.("a.example.com", "A", signal),
    ).toBeUndefined();
  });
});

function err500(): BeaconError {
  return new BeaconError("provider_unavailable", "500");
}
