import { describe, expect, it } from "vitest";
import { parseIp, type IpFamily } from "../../core/ip.js";
import type { IpSource, Observation, ObserveContext } from "./types.js";
import { detectAddress, type DetectOptions } from "./verdict.js";

const ok = (text: string): Observation => ({ ok: true, ip: parseIp(text)! });
const source = (
  id: string,
  operator: string,
  answer: Observation | ((ctx: ObserveContext) => Promise<Observation>),
  families: IpFamily[] = [4, 6],
): IpSource => ({
  id,
  operator,
  families,
  observe: typeof answer === "function" ? answer : () => Promise.resolve(answer),
});
const opts = (o: Partial<DetectOptions> = {}): DetectOptions => ({ family: 4, timeoutMs: 2000, ...o });

const A = "81.2.69.142";
const B = "81.2.69.160";

describe("detectAddress: votes and quorum", () => {
  it("agrees when two independent operators report the same address", async () => {
    const v = await detectAddress([source("ipify", "ipify", ok(A)), source("aws", "aws", ok(A))], opts());
    expect(v).toMatchObject({ status: "agreed", ip: { text: A }, votes: 2, quorum: 2 });
    expect(v.report.map((r) => r.accepted)).toEqual([true, true]);
  });

  it("counts two sources of the same operator (icanhazip and 1.1.1.1: Cloudflare) once", async () => {
    const v = await detectAddress(
      [
        source("icanhazip", "cloudflare", ok(A)),
        source("trace", "cloudflare", ok(A)),
        source("aws", "aws", { ok: false, reason: "network", detail: "down" }),
      ],
      opts(),
    );
    expect(v).toMatchObject({
      status: "insufficient",
      quorum: 2,
      candidates: [{ votes: 1, operators: ["cloudflare"] }],
    });
  });

  it("reports a disagreement between two global addresses instead of picking one", async () => {
    const v = await detectAddress(
      [source("a", "a", ok(A)), source("b", "b", ok(A)), source("c", "c", ok(B))],
      opts(),
    );
    expect(v.status).toBe("disagreed");
    if (v.status !== "disagreed") return;
    expect(v.candidates.map((c) => [c.ip.text, c.votes, c.sources])).toEqual([
      [A, 2, ["a", "b"]],
      [B, 1, ["c"]],
    ]);
  });

  it("defaults the quorum to 1 when only one operator is configured", async () => {
    const v = await detectAddress([source("only", "local", ok(A))], opts());
    expect(v).toMatchObject({ status: "agreed", votes: 1, quorum: 1 });
  });

  it("honours an explicit quorum of 3 with only 2 votes: insufficient", async () => {
    const v = await detectAddress([source("a", "a", ok(A)), source("b", "b", ok(A))], opts({ quorum: 3 }));
    expect(v).toMatchObject({ status: "insufficient", quorum: 3 });
  });

  it("is insufficient with no sources at all", async () => {
    expect(await detectAddress([], opts())).toMatchObject({
      status: "insufficient",
      report: [],
      candidates: [],
    });
  });

  it("asks only the sources that answer the family, with the family and local address", async () => {
    const seen: ObserveContext[] = [];
    const v6only = source("v6", "x", ok("2a02:8070::1"), [6]);
    const spy = source("spy", "y", (ctx) => {
      seen.push(ctx);
      return Promise.resolve(ok(A));
    });
    const v = await detectAddress([v6only, spy], opts({ localAddress: "10.9.9.9" }));
    expect(v.report.map((r) => r.id)).toEqual(["spy"]);
    expect(seen[0]).toMatchObject({ family: 4, localAddress: "10.9.9.9" });
  });
});

describe("detectAddress: rejections", () => {
  it.each([
    ["private 192.168.1.1", "192.168.1.1", 4],
    ["private 10.0.0.1", "10.0.0.1", 4],
    ["CGNAT 100.64.0.1", "100.64.0.1", 4],
    ["loopback 127.0.0.1", "127.0.0.1", 4],
    ["link-local 169.254.1.1", "169.254.1.1", 4],
    ["documentation 192.0.2.1", "192.0.2.1", 4],
    ["documentation 203.0.113.9", "203.0.113.9", 4],
    ["multicast 224.0.0.1", "224.0.0.1", 4],
    ["broadcast 255.255.255.255", "255.255.255.255", 4],
    ["unspecified 0.0.0.0", "0.0.0.0", 4],
    ["ULA fd00::1", "fd00::1", 6],
    ["documentation 2001:db8::1", "2001:db8::1", 6],
    ["link-local fe80::1", "fe80::1", 6],
    ["multicast ff02::1", "ff02::1", 6],
    ["loopback ::1", "::1", 6],
    ["v4-mapped ::ffff:81.2.69.142", "::ffff:81.2.69.142", 6],
  ] as const)("rejects %s as not_global", async (_t, ip, family) => {
    const v = await detectAddress(
      [source("liar", "liar", ok(ip)), source("b", "b", ok(ip))],
      opts({ family }),
    );
    expect(v.status).toBe("insufficient");
    expect(v.report.every((r) => !r.accepted && r.rejection === "not_global")).toBe(true);
  });

  it("names the kind of address in the detail", async () => {
    const v = await detectAddress([source("liar", "liar", ok("100.64.0.1"))], opts());
    expect(v.report[0]?.detail).toContain("CGNAT");
  });

  it("accepts private addresses with allowNonGlobal, but never 0.0.0.0 or multicast", async () => {
    const lab = await detectAddress(
      [source("a", "a", ok("192.168.1.1")), source("b", "b", ok("192.168.1.1"))],
      opts({ allowNonGlobal: true }),
    );
    expect(lab).toMatchObject({ status: "agreed", ip: { text: "192.168.1.1" } });
    for (const bad of ["0.0.0.0", "224.0.0.1"]) {
      const v = await detectAddress([source("a", "a", ok(bad))], opts({ allowNonGlobal: true }));
      expect(v.status).toBe("insufficient");
    }
  });

  it("rejects an echo reporting its own anycast address (1.1.1.1 from Cloudflare), per source", async () => {
    const ownRanges = new Map([["trace", ["1.1.1.0/24", "1.0.0.0/24"]]]);
    const v = await detectAddress(
      [source("trace", "cloudflare", ok("1.1.1.1")), source("other", "other", ok("1.1.1.1"))],
      opts({ ownRanges, quorum: 1 }),
    );
    expect(v.report.find((r) => r.id === "trace")).toMatchObject({ accepted: false, rejection: "own_range" });
    expect(v.report.find((r) => r.id === "other")).toMatchObject({ accepted: true });
  });

  it("turns a source that never settles into a timeout and still decides", async () => {
    const hang = source("hang", "h", () => new Promise<Observation>(() => undefined));
    const v = await detectAddress(
      [hang, source("a", "a", ok(A)), source("b", "b", ok(A))],
      opts({ timeoutMs: 30 }),
    );
    expect(v.status).toBe("agreed");
    expect(v.report.find((r) => r.id === "hang")).toMatchObject({ accepted: false, rejection: "timeout" });
  });

  it("uses the injected timeout signal (an already-expired one times out every source)", async () => {
    const hang = source("hang", "h", () => new Promise<Observation>(() => undefined));
    const v = await detectAddress([hang], opts({ timeoutMs: 60_000 }), {
      timeoutSignal: () => AbortSignal.abort(),
    });
    expect(v.report[0]).toMatchObject({ rejection: "timeout" });
  });

  it("reports cancellation when the agent's signal fires", async () => {
    const ctrl = new AbortController();
    const hang = source("hang", "h", () => new Promise<Observation>(() => undefined));
    const pending = detectAddress([hang], opts({ timeoutMs: 60_000, signal: ctrl.signal }));
    ctrl.abort();
    const v = await pending;
    expect(v.report[0]?.observation).toMatchObject({ ok: false, reason: "timeout", detail: "cancelled" });
  });

  it("turns a source that throws synchronously into a network failure", async () => {
    const bad: IpSource = {
      id: "bad",
      operator: "x",
      families: [4],
      observe: () => {
        throw new Error("bug");
      },
    };
    const v = await detectAddress([bad], opts());
    expect(v.report[0]).toMatchObject({ rejection: "network", accepted: false });
  });

  it.each([
    ["an invalid address text", { text: "999.1.1.1", family: 4 }, "unparsable"],
    ["a missing ip", undefined, "unparsable"],
    ["an IPv6 address claimed as IPv4", { text: "2a02:8070::1", family: 4 }, "wrong_family"],
  ])("rejects a buggy source's ok observation with %s", async (_t, ip, rejection) => {
    const v = await detectAddress([source("bug", "x", { ok: true, ip } as unknown as Observation)], opts());
    expect(v).toMatchObject({ status: "insufficient", report: [{ accepted: false, rejection }] });
  });

  it("canonicalises a non-canonical address from a buggy source before counting it", async () => {
    const odd = { ok: true, ip: { text: "2A02:8070:0::1", family: 6 } } as unknown as Observation;
    const v = await detectAddress(
      [source("a", "a", odd), source("b", "b", ok("2a02:8070::1"))],
      opts({ family: 6 }),
    );
    expect(v).toMatchObject({ status: "agreed", ip: { text: "2a02:8070::1" }, votes: 2 });
  });
});
