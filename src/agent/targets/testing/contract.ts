// The contract every Target passes (see ../types.ts), run from contract.test.ts for each registered
// type. The HttpRequest is a fake, so these tests need no server: they pin the failure paths that a
// real service rarely shows (sync throws, hangs, aborts, garbage replies).

import { describe, expect, it } from "vitest";
import { BeaconError } from "../../../core/errors.js";
import type { HttpReply, HttpRequest, HttpRequestOptions } from "../../../net/http.js";
import type { PublishRequest, PublishResult, Target, TargetDeps } from "../types.js";

const V4 = "81.2.69.142";
const UA = "Beacon-Agent/0.0.0-test (contract)";

export function fakeDeps(httpRequest: HttpRequest): TargetDeps {
  return {
    httpRequest,
    dnsQuery: () => Promise.reject(new BeaconError("internal", "no DNS in the contract suite")),
    clock: () => 1_700_000_000_000,
    userAgent: UA,
  };
}

function request(signal: AbortSignal, over: Partial<PublishRequest> = {}): PublishRequest {
  return {
    fqdn: "home.example.com",
    type: "A",
    values: [V4],
    ttl: undefined,
    localAddress: undefined,
    signal,
    ...over,
  };
}

function replying(reply: HttpReply, seen: { url: string; opts: HttpRequestOptions }[] = []): HttpRequest {
  return (url, opts) => {
    seen.push({ url, opts });
    return Promise.resolve(reply);
  };
}

/** A request that never answers: it rejects only when its signal aborts (as the real one does). */
const hanging: HttpRequest = (_url, opts) =>
  new Promise((_resolve, reject) => {
    const fail = () => reject(new BeaconError("internal", "aborted"));
    if (opts.signal.aborted) fail();
    else opts.signal.addEventListener("abort", fail, { once: true });
  });

function expectValid(r: PublishResult): void {
  expect(typeof r.detail).toBe("string");
  if (r.status === "fatal" || r.status === "retry" || r.status === "backoff") expect(r.code).not.toBe("");
  if (r.status === "backoff") expect(r.retryAfterMs).toBeGreaterThan(0);
}

/** `make` builds the target under test around the given deps (its settings are the test's choice). */
export function runTargetContract(name: string, make: (deps: TargetDeps) => Target): void {
  describe(`Target contract: ${name}`, () => {
    it("returns retry, never throws, when the HttpRequest rejects (network failure)", async () => {
      const t = make(fakeDeps(() => Promise.reject(new BeaconError("internal", "ECONNREFUSED"))));
      const r = await t.publish(request(new AbortController().signal));
      expect(r).toMatchObject({ status: "retry", code: "network" });
      expectValid(r);
    });

    it("returns retry when the HttpRequest throws synchronously or rejects with a non-Error", async () => {
      const sync = make(
        fakeDeps(() => {
          throw new TypeError("boom");
        }),
      );
      expect((await sync.publish(request(new AbortController().signal))).status).toBe("retry");
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      const odd = make(fakeDeps(() => Promise.reject("a string")));
      expect((await odd.publish(request(new AbortController().signal))).status).toBe("retry");
    });

    it("returns retry without sending when the signal is already aborted", async () => {
      const seen: { url: string; opts: HttpRequestOptions }[] = [];
      const t = make(fakeDeps(replying({ status: 200, headers: {}, body: "" }, seen)));
      const ac = new AbortController();
      ac.abort();
      const r = await t.publish(request(ac.signal));
      expect(r).toMatchObject({ status: "retry", code: "timeout" });
      expect(seen).toEqual([]);
    });

    it("returns retry (code timeout) when the signal aborts while the request hangs", async () => {
      const t = make(fakeDeps(hanging));
      const ac = new AbortController();
      const pending = t.publish(request(ac.signal));
      setTimeout(() => ac.abort(), 5);
      expect(await pending).toMatchObject({ status: "retry", code: "timeout" });
    });

    it.each([
      ["an HTML error page with status 200", { status: 200, body: "<!DOCTYPE html><html>Gateway</html>" }],
      ["an empty 200 reply", { status: 200, body: "" }],
      ["binary garbage with status 200", { status: 200, body: "\u0000\u0001\u00ff{" }],
      ["a 500 without Retry-After", { status: 500, body: "Internal Server Error" }],
      ["a 502 HTML page from a proxy", { status: 502, body: "<html>Bad Gateway</html>" }],
    ])("never reports success for %s: it retries", async (_name, reply) => {
      const t = make(fakeDeps(replying({ headers: {}, ...reply })));
      const r = await t.publish(request(new AbortController().signal));
      expect(r.status).toBe("retry");
      expectValid(r);
    });

    it.each([
      ["no values", { values: [] }],
      ["an IPv6 value in an A request", { values: ["2a02:8070:a1b2::1"] }],
      ["an IPv4 value in an AAAA request", { type: "AAAA" as const, values: [V4] }],
      ["an unparsable value", { values: ["81.2.69.142; rm -rf /"] }],
    ])("refuses %s as fatal invalid_request without sending anything", async (_name, over) => {
      const seen: { url: string; opts: HttpRequestOptions }[] = [];
      const t = make(fakeDeps(replying({ status: 200, headers: {}, body: "" }, seen)));
      const r = await t.publish(request(new AbortController().signal, over));
      expect(r).toMatchObject({ status: "fatal", code: "invalid_request" });
      expect(seen).toEqual([]);
    });

    it("sends through req.localAddress, with the deps' User-Agent and the caller's signal", async () => {
      const seen: { url: string; opts: HttpRequestOptions }[] = [];
      const t = make(fakeDeps(replying({ status: 500, headers: {}, body: "" }, seen)));
      const ac = new AbortController();
      await t.publish(request(ac.signal, { localAddress: "192.0.2.10" }));
      expect(seen).toHaveLength(1);
      expect(seen[0]?.opts.localAddress).toBe("192.0.2.10");
      expect(seen[0]?.opts.headers?.["user-agent"]).toBe(UA);
      expect(seen[0]?.opts.signal).toBe(ac.signal);
    });

    it("current(), when the target has it, resolves undefined when the request fails or hangs", async () => {
      const failing = make(fakeDeps(() => Promise.reject(new BeaconError("internal", "down"))));
      if (failing.current === undefined) return;
      expect(await failing.current("home.example.com", "A", new AbortController().signal)).toBeUndefined();
      const ac = new AbortController();
      const pending = make(fakeDeps(hanging)).current?.("home.example.com", "A", ac.signal);
      ac.abort();
      expect(await pending).toBeUndefined();
      const html = make(fakeDeps(replying({ status: 200, headers: {}, body: "<html>" })));
      expect(await html.current?.("home.example.com", "A", new AbortController().signal)).toBeUndefined();
    });
  });
}
