import { describe, expect, it } from "vitest";
import { answerQuery } from "./answer/engine.js";
import { buildQuery, decode, SNAPSHOT } from "./testing/fixtures.js";
import { signTsig, TSIG_ERROR, verifyTsig } from "./tsig/tsig.js";
import { ZoneIndex } from "./answer/zone-index.js";
import { lastRecordType, signedQueries } from "./signed-query.js";

const NOW = 1_750_000_000;
const KEY = { name: "xfr-key", algorithm: "hmac-sha256", secret: new Uint8Array(32).fill(3) } as const;
const keyring = (n: string) =>
  n === KEY.name ? { ...KEY, policy: { names: [], types: [], allowedCidrs: [] } } : undefined;

const index = new ZoneIndex();
index.load(SNAPSHOT);
const plain = (msg: Uint8Array) => answerQuery(msg, index, { transport: "udp" });
const handler = signedQueries((msg) => plain(msg), { keyring, clock: () => NOW * 1000 });
const ctx = { transport: "udp", remoteAddress: "127.0.0.1" } as const;

describe("signedQueries", () => {
  it("passes unsigned queries (with or without EDNS) to the engine untouched", () => {
    for (const q of [buildQuery("example.test", { type: "SOA" }), buildQuery("example.test", { edns: {} })])
      expect(handler(q, ctx)).toEqual(plain(q));
  });

  it("signs the engine's answer to a signed query over the request MAC", () => {
    const req = signTsig(buildQuery("example.test", { type: "SOA" }), { key: KEY, timeSigned: NOW });
    const reply = handler(req.message, ctx)!;
    expect(decode(reply).msg.answers?.[0]?.type).toBe("SOA");
    const v = verifyTsig(reply, { findKey: () => KEY, now: NOW, requestMac: req.mac });
    expect(v.status).toBe("ok");
  });

  it("answers NOTAUTH with BADSIG for a wrong secret and BADTIME for a stale time", () => {
    const wrong = { ...KEY, secret: new Uint8Array(32) };
    const bad = handler(
      signTsig(buildQuery("example.test", { type: "SOA" }), { key: wrong, timeSigned: NOW }).message,
      ctx,
    )!;
    const stale = handler(
      signTsig(buildQuery("example.test"), { key: KEY, timeSigned: NOW - 7200 }).message,
      ctx,
    )!;
    const error = (m: Uint8Array) => {
      const v = verifyTsig(m, { findKey: () => KEY, now: NOW });
      return v.status === "unsigned" ? -1 : (v.record?.error ?? -2);
    };
    expect([decode(bad).rcode, error(bad), decode(bad).msg.answers?.length ?? 0]).toEqual([
      9,
      TSIG_ERROR.BADSIG,
      0,
    ]);
    expect([decode(stale).rcode, error(stale)]).toEqual([9, TSIG_ERROR.BADTIME]);
  });

  it("never throws on garbage", () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const base = signTsig(buildQuery("example.test"), { key: KEY, timeSigned: NOW }).message;
    for (let i = 0; i < 20_000; i++) {
      const m = base.slice(0, 12 + (rnd() % (base.length - 11)));
      for (let j = 0; j < 4; j++) m[rnd() % m.length] = rnd();
      expect(() => handler(m, ctx)).not.toThrow();
      expect(lastRecordType(m)).toBeGreaterThanOrEqual(-1);
    }
  });
});
