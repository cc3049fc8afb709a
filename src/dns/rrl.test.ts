import { describe, expect, it } from "vitest";
import { answerQuery } from "./answer/engine.js";
import { createRrl, slipReply, type RrlOptions, type RrlVerdict } from "./rrl.js";
import { buildQuery, decode, SNAPSHOT } from "./testing/fixtures.js";
import { ZoneIndex } from "./answer/zone-index.js";

const index = new ZoneIndex();
index.load(SNAPSHOT);
const respond = (name: string, type = "A"): Uint8Array =>
  answerQuery(buildQuery(name, { type }), index, { transport: "udp" })!;

const WWW = respond("www.dyn.example.test");

function limiter(over: Partial<RrlOptions> = {}) {
  const clock = { ms: 1_000_000 };
  const rrl = createRrl({
    responsesPerSecond: 5,
    windowSeconds: 3,
    slip: 2,
    ipv4PrefixLength: 24,
    ipv6PrefixLength: 56,
    tableSize: 1000,
    exempt: [],
    now: () => clock.ms,
    ...over,
  });
  return { rrl, clock };
}

function run(check: () => RrlVerdict, n: number): Record<RrlVerdict, number> {
  const out = { send: 0, drop: 0, slip: 0 };
  for (let i = 0; i < n; i++) out[check()]++;
  return out;
}

describe("response-rate limiting", () => {
  it("sends up to the rate, then slips every 2nd limited response and drops the rest", () => {
    const { rrl } = limiter();
    const verdicts = Array.from({ length: 11 }, () => rrl.check("192.0.2.7", WWW));
    expect(verdicts).toEqual([
      ...Array<RrlVerdict>(5).fill("send"),
      "drop",
      "slip",
      "drop",
      "slip",
      "drop",
      "slip",
    ]);
  });

  it("slip 0 drops every limited response; slip 1 truncates every one", () => {
    expect(run(() => limiter({ slip: 0 }).rrl.check("192.0.2.7", WWW), 1)).toEqual({
      send: 1,
      drop: 0,
      slip: 0,
    });
    const none = limiter({ slip: 0 }).rrl;
    expect(run(() => none.check("192.0.2.7", WWW), 20)).toEqual({ send: 5, drop: 15, slip: 0 });
    const all = limiter({ slip: 1 }).rrl;
    expect(run(() => all.check("192.0.2.7", WWW), 20)).toEqual({ send: 5, drop: 0, slip: 15 });
  });

  it("earns credit back with time, but a flood owes up to the window before it is answered again", () => {
    const { rrl, clock } = limiter({ slip: 0 });
    run(() => rrl.check("192.0.2.7", WWW), 100); // balance floored at -15 (3 s × 5/s)
    clock.ms += 2_000; // +10 credits → -5: still limited
    expect(rrl.check("192.0.2.7", WWW)).toBe("drop");
    clock.ms += 2_000; // -6 + 10 = 4 ≥ 1
    expect(run(() => rrl.check("192.0.2.7", WWW), 4)).toEqual({ send: 4, drop: 0, slip: 0 });
    clock.ms += 200; // one more credit, and no more
    expect(run(() => rrl.check("192.0.2.7", WWW), 3)).toEqual({ send: 1, drop: 2, slip: 0 });
  });

  it("never holds more than one second of credit", () => {
    const { rrl, clock } = limiter({ slip: 0 });
    rrl.check("192.0.2.7", WWW);
    clock.ms += 60_000;
    expect(run(() => rrl.check("192.0.2.7", WWW), 10)).toEqual({ send: 5, drop: 5, slip: 0 });
  });

  it("accounts per IPv4 /24 and IPv6 /56 (and IPv4-mapped IPv6 as IPv4)", () => {
    const { rrl } = limiter({ slip: 0 });
    expect(run(() => rrl.check("192.0.2.7", WWW), 5).send).toBe(5);
    expect(rrl.check("192.0.2.200", WWW)).toBe("drop");
    expect(rrl.check("::ffff:192.0.2.9", WWW)).toBe("drop");
    expect(rrl.check("192.0.3.7", WWW)).toBe("send");
    expect(run(() => rrl.check("2001:db8:0:1::1", WWW), 5).send).toBe(5);
    expect(rrl.check("2001:db8:0:ff::2", WWW)).toBe("drop");
    expect(rrl.check("2001:db8:0:100::1", WWW)).toBe("send");
  });

  it("separates names and types, but counts random NXDOMAIN names against their zone", () => {
    const { rrl } = limiter({ slip: 0 });
    run(() => rrl.check("192.0.2.7", WWW), 5);
    expect(rrl.check("192.0.2.7", respond("www.dyn.example.test", "AAAA"))).toBe("send");
    expect(rrl.check("192.0.2.7", respond("WWW.dyn.example.test", "A"))).toBe("drop");
    const nx = Array.from({ length: 8 }, (_, i) => rrl.check("192.0.2.7", respond(`r${i}.example.test`)));
    expect(nx.filter((v) => v === "send")).toHaveLength(5);
    expect(rrl.check("192.0.2.7", respond("r99.sub.example.test"))).toBe("send"); // another zone
  });

  it("counts every error reply of a prefix in one account", () => {
    const { rrl } = limiter({ slip: 0 });
    const outside = Array.from({ length: 8 }, (_, i) => respond(`q${i}.example.org`));
    expect(outside.map((r) => rrl.check("192.0.2.7", r)).filter((v) => v === "send")).toHaveLength(5);
  });

  it("never limits exempt clients, and a rate of 0 disables limiting", () => {
    const { rrl } = limiter({ exempt: ["127.0.0.0/8", "::1"] });
    expect(run(() => rrl.check("127.0.0.1", WWW), 50).send).toBe(50);
    expect(run(() => rrl.check("::1", WWW), 50).send).toBe(50);
    expect(run(() => rrl.check("10.0.0.1", WWW), 50).send).toBe(5);
    const off = limiter({ responsesPerSecond: 0 }).rrl;
    expect(run(() => off.check("10.0.0.1", WWW), 50).send).toBe(50);
  });

  it("keeps at most tableSize accounts, evicting the least recently used", () => {
    const { rrl } = limiter({ slip: 0, tableSize: 2 });
    run(() => rrl.check("10.0.1.1", WWW), 6); // account A, limited
    run(() => rrl.check("10.0.2.1", WWW), 6); // account B, limited
    expect(rrl.check("10.0.1.1", WWW)).toBe("drop"); // A used again: B is now the oldest
    rrl.check("10.0.3.1", WWW); // C evicts B
    expect(rrl.check("10.0.2.1", WWW)).toBe("send"); // B starts afresh (evicting A)
    expect(rrl.check("10.0.1.1", WWW)).toBe("send");
  });

  it("survives garbage responses and addresses without throwing", () => {
    const { rrl } = limiter();
    for (const bytes of [new Uint8Array(0), new Uint8Array(12), Uint8Array.from([...WWW.subarray(0, 14)])]) {
      expect(["send", "drop", "slip"]).toContain(rrl.check("192.0.2.1", bytes));
    }
    expect(rrl.check("not-an-address", WWW)).toBe("send");
  });
});

describe("slipReply", () => {
  it("keeps ID, rcode and question, sets TC and drops every record", () => {
    const full = decode(WWW);
    const slipped = decode(slipReply(WWW));
    expect(slipped.msg.id).toBe(full.msg.id);
    expect(slipped.tc).toBe(true);
    expect(slipped.aa).toBe(full.aa);
    expect(slipped.rcode).toBe(0);
    expect(slipped.msg.questions).toEqual(full.msg.questions);
    expect(slipped.msg.answers).toEqual([]);
    expect(slipped.msg.additionals).toEqual([]);
    expect(decode(slipReply(respond("nope.example.test"))).rcode).toBe(3);
  });

  it("answers a header-only reply with a header and nothing for fewer than 12 bytes", () => {
    expect(slipReply(new Uint8Array(5))).toBeUndefined();
    expect(slipReply(new Uint8Array(12))).toHaveLength(12);
  });
});
