import { describe, expect, it } from "vitest";
import { silentLog } from "../../core/log.js";
import type { Snapshot } from "../../store/types.js";
import type { ServerKey } from "../tsig/keyring.js";
import { buildQuery, decode, EXAMPLE_ZONE, SNAPSHOT, type Decoded } from "../testing/fixtures.js";
import { signTsig, TSIG_ERROR, verifyTsig } from "../tsig/tsig.js";
import type { DnsReply, Transport } from "../answer/types.js";
import { encodeName } from "../wire/name.js";
import { encodeSOA } from "../wire/rdata.js";
import { ZoneIndex } from "../answer/zone-index.js";
import { ZoneJournal } from "./journal.js";
import { createTransferHandler, NOTAUTH, type TransferPolicy } from "./responder.js";
import type { LogDiffs } from "./log-diffs.js";
import type { ZoneDiff } from "./history.js";

const NOW = 1_750_000_000;
const ZONE = EXAMPLE_ZONE.name;
const S0 = EXAMPLE_ZONE.serial;

const KEY: ServerKey = {
  name: "xfr-key",
  algorithm: "hmac-sha256",
  secret: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
  policy: { names: [], types: [], allowedCidrs: [] },
};
const OTHER: ServerKey = { ...KEY, name: "other-key" };
const keyring = (name: string) => [KEY, OTHER].find((k) => k.name === name);

function setup(
  opts: {
    policy?: Partial<TransferPolicy>;
    snapshot?: Snapshot;
    maxEntries?: number;
    max?: number;
    logDiffs?: LogDiffs;
  } = {},
) {
  const journal = new ZoneJournal(new ZoneIndex(), { maxEntries: opts.maxEntries ?? 1000 });
  journal.load(opts.snapshot ?? SNAPSHOT);
  const handler = createTransferHandler({
    source: journal,
    policy: { allow: ["127.0.0.0/8", "::1/128"], keys: [], ...opts.policy },
    keyring,
    clock: () => NOW * 1000,
    log: silentLog,
    maxMessageSize: opts.max ?? 65535,
    logDiffs: opts.logDiffs,
  });
  const ask = (msg: Uint8Array, transport: Transport = "tcp", remoteAddress = "127.0.0.1") =>
    handler(msg, { transport, remoteAddress }) as DnsReply;
  /** The reply, waited for when it comes later (from the change log). */
  const later = async (msg: Uint8Array, transport: Transport = "tcp") =>
    await handler(msg, { transport, remoteAddress: "127.0.0.1" });
  return { journal, ask, later };
}

function messages(reply: DnsReply): Uint8Array[] {
  if (reply === undefined) throw new Error("no reply");
  return reply instanceof Uint8Array ? [reply] : [...reply];
}

/** Every answer record of a stream as "name type data", SOA shown by its serial. */
function records(reply: DnsReply): string[] {
  return messages(reply).flatMap((m) =>
    (decode(m).msg.answers ?? []).map((a) => {
      const d = a.data;
      const text =
        a.type === "SOA"
          ? String((d as { serial: number }).serial)
          : Array.isArray(d)
            ? (d as Buffer[]).map((b) => b.toString()).join("")
            : (d as string);
      return `${a.name} ${a.type} ${text}`;
    }),
  );
}

function ixfrQuery(serial: number, id = 0x4242): Uint8Array {
  const q = buildQuery(ZONE, { type: "IXFR", id, rd: false });
  const owner = encodeName(ZONE);
  const rdata = encodeSOA(EXAMPLE_ZONE.soa, serial);
  const rr = new Uint8Array(owner.length + 10 + rdata.length);
  rr.set(owner);
  const view = new DataView(rr.buffer);
  view.setUint16(owner.length, 6);
  view.setUint16(owner.length + 2, 1);
  view.setUint16(owner.length + 8, rdata.length);
  rr.set(rdata, owner.length + 10);
  const out = new Uint8Array(q.length + rr.length);
  out.set(q);
  out.set(rr, q.length);
  out[9] = 1; // NSCOUNT
  return out;
}

const axfr = (id = 0x77) => buildQuery(ZONE, { type: "AXFR", id, rd: false });

function bigSnapshot(hosts: number): Snapshot {
  const names = Array.from({ length: hosts }, (_, i) => `h${i}.${ZONE}`);
  return {
    zones: [EXAMPLE_ZONE],
    hosts: names.map((fqdn, id) => ({
      id,
      fqdn,
      zone: ZONE,
      ttl: undefined,
      description: "",
      createdAt: 0,
      implicit: false,
    })),
    rrsets: names.map((fqdn, i) => ({
      fqdn,
      type: "A" as const,
      ttl: 60,
      values: [`192.0.2.${i % 250}`],
      updatedAt: 0,
    })),
  };
}

describe("AXFR", () => {
  it("sends SOA, NS, every host record, SOA; split over several messages when large", () => {
    const { ask } = setup({ snapshot: bigSnapshot(300), max: 1024 });
    const reply = messages(ask(axfr()));
    expect(reply.length).toBeGreaterThan(5);
    for (const m of reply) {
      const d = decode(m);
      expect([d.msg.id, d.rcode, d.aa, d.qdcount]).toEqual([0x77, 0, true, 1]);
      expect(m.length).toBeLessThanOrEqual(1024);
    }
    const all = records(reply);
    expect(all[0]).toBe(`${ZONE} SOA ${S0}`);
    expect(all.at(-1)).toBe(`${ZONE} SOA ${S0}`);
    expect(all.slice(1, 3)).toEqual([`${ZONE} NS ns1.example.test`, `${ZONE} NS ns2.example.net`]);
    expect(all).toHaveLength(2 + 2 + 300);
    expect(new Set(all.filter((r) => r.includes(" A ")).map((r) => r.split(" ")[0])).size).toBe(300);
    expect(all).toContain(`h299.${ZONE} A 192.0.2.49`);
  });

  it("carries A, AAAA and multi-value TXT of the fixture zone", () => {
    const { ask } = setup();
    const all = records(ask(axfr()));
    expect(all).toContain("www.dyn.example.test A 192.0.2.1");
    expect(all).toContain("www.dyn.example.test AAAA 2001:db8::1");
    expect(all.filter((r) => r.startsWith("big.example.test TXT"))).toHaveLength(16);
    expect(all.some((r) => r.startsWith("x.sub.example.test"))).toBe(false); // another zone
  });

  it("signs every message of a stream when the request is signed (request MAC, then prior MAC + timers)", () => {
    const { ask } = setup({ snapshot: bigSnapshot(200), max: 1200, policy: { keys: ["xfr-key"] } });
    const req = signTsig(axfr(9), { key: KEY, timeSigned: NOW });
    const reply = messages(ask(req.message));
    expect(reply.length).toBeGreaterThan(2);
    let prior = req.mac;
    reply.forEach((m, i) => {
      expect(m.length).toBeLessThanOrEqual(1200);
      const v = verifyTsig(m, {
        findKey: (n) => (n === KEY.name ? KEY : undefined),
        now: NOW,
        requestMac: prior,
        timersOnly: i > 0,
      });
      expect(v.status).toBe("ok");
      if (v.status === "ok") prior = v.mac;
    });
    expect(records(reply)).toHaveLength(2 + 2 + 200);
  });
});

describe("access", () => {
  const rcodeOf = (reply: DnsReply): Decoded => decode(messages(reply)[0]);

  it("refuses an address outside dns.transfer.allow", () => {
    const { ask } = setup({ policy: { allow: ["10.0.0.0/8"] } });
    const d = rcodeOf(ask(axfr(), "tcp", "127.0.0.1"));
    expect([d.rcode, d.msg.answers?.length ?? 0]).toEqual([5, 0]);
    expect(rcodeOf(ask(axfr(), "tcp", "::ffff:10.1.2.3")).rcode).toBe(0);
  });

  it("refuses everyone when allow is empty", () => {
    const { ask } = setup({ policy: { allow: [] } });
    expect(rcodeOf(ask(axfr())).rcode).toBe(5);
  });

  it("refuses an unsigned request, and one signed by a key not in dns.transfer.keys, when keys are required", () => {
    const { ask } = setup({ policy: { keys: ["xfr-key"] } });
    expect(rcodeOf(ask(axfr())).rcode).toBe(5);
    const other = signTsig(axfr(), { key: OTHER, timeSigned: NOW }).message;
    const d = rcodeOf(ask(other));
    expect([d.rcode, d.msg.answers?.length ?? 0]).toEqual([5, 0]);
    const good = signTsig(axfr(), { key: KEY, timeSigned: NOW }).message;
    expect(rcodeOf(ask(good)).rcode).toBe(0);
  });

  it("answers NOTAUTH with the TSIG error for a bad signature, an unknown key and a stale time", () => {
    const { ask } = setup({ policy: { keys: ["xfr-key"] } });
    const wrongSecret = { ...KEY, secret: new Uint8Array(32) };
    const tsigError = (m: Uint8Array) => {
      const v = verifyTsig(m, { findKey: () => KEY, now: NOW });
      return v.status === "unsigned" ? -2 : (v.record?.error ?? -1);
    };
    const badSig = messages(ask(signTsig(axfr(), { key: wrongSecret, timeSigned: NOW }).message))[0]!;
    expect([decode(badSig).rcode, tsigError(badSig)]).toEqual([NOTAUTH, TSIG_ERROR.BADSIG]);
    const unknown = { ...KEY, name: "nobody" };
    const badKey = messages(ask(signTsig(axfr(), { key: unknown, timeSigned: NOW }).message))[0]!;
    expect(decode(badKey).rcode).toBe(NOTAUTH);
    const stale = messages(ask(signTsig(axfr(), { key: KEY, timeSigned: NOW - 3600 }).message))[0]!;
    expect([decode(stale).rcode, tsigError(stale)]).toEqual([NOTAUTH, TSIG_ERROR.BADTIME]);
    expect(decode(stale).msg.answers ?? []).toEqual([]);
  });

  it("answers NOTAUTH for a name that is not one of our zone apexes, FORMERR for garbage", () => {
    const { ask } = setup();
    expect(rcodeOf(ask(buildQuery("www.dyn.example.test", { type: "AXFR" }))).rcode).toBe(NOTAUTH);
    expect(rcodeOf(ask(buildQuery("elsewhere.test", { type: "AXFR" }))).rcode).toBe(NOTAUTH);
    const broken = axfr().slice(0, 20);
    expect(messages(ask(broken))[0]![3]! & 0x0f).toBe(1);
    expect(ask(new Uint8Array(5))).toBeUndefined();
    // An IXFR must carry the client's SOA.
    expect(rcodeOf(ask(buildQuery(ZONE, { type: "IXFR" }))).rcode).toBe(1);
  });

  it("refuses AXFR over UDP", () => {
    const { ask } = setup();
    expect(rcodeOf(ask(axfr(), "udp")).rcode).toBe(5);
  });
});

describe("IXFR", () => {
  function changed() {
    const s = setup();
    // Two commits: www's A changes; then a host is added and big's TXT set is deleted.
    s.journal.hostChanged("www.dyn.example.test", ZONE, [
      { type: "A", ttl: 60, values: ["192.0.2.99"] },
      { type: "AAAA", ttl: 60, values: ["2001:db8::1"] },
    ]);
    s.journal.serialChanged(ZONE, S0 + 1);
    s.journal.hostChanged("new.example.test", ZONE, [{ type: "A", ttl: 60, values: ["192.0.2.7"] }]);
    s.journal.hostChanged("big.example.test", ZONE, []);
    s.journal.serialChanged(ZONE, S0 + 2);
    return s;
  }

  it("carries only the changes since the client's serial, as RFC 1995 difference sequences", () => {
    const { ask } = changed();
    expect(records(ask(ixfrQuery(S0 + 1)))).toEqual([
      `${ZONE} SOA ${S0 + 2}`,
      `${ZONE} SOA ${S0 + 1}`,
      ...Array.from(
        { length: 16 },
        (_, i) => `big.example.test TXT ${String.fromCharCode(97 + i).repeat(255)}`,
      ),
      `${ZONE} SOA ${S0 + 2}`,
      "new.example.test A 192.0.2.7",
      `${ZONE} SOA ${S0 + 2}`,
    ]);
    const both = records(ask(ixfrQuery(S0)));
    expect(both.slice(0, 5)).toEqual([
      `${ZONE} SOA ${S0 + 2}`,
      `${ZONE} SOA ${S0}`,
      "www.dyn.example.test A 192.0.2.1",
      `${ZONE} SOA ${S0 + 1}`,
      "www.dyn.example.test A 192.0.2.99",
    ]);
    expect(both).toHaveLength(5 + 1 + 16 + 1 + 1 + 1);
  });

  it("answers the current SOA alone to a client that is current, and over UDP", () => {
    const { ask } = changed();
    expect(records(ask(ixfrQuery(S0 + 2)))).toEqual([`${ZONE} SOA ${S0 + 2}`]);
    expect(records(ask(ixfrQuery(S0), "udp"))).toEqual([`${ZONE} SOA ${S0 + 2}`]);
  });

  it("falls back to the full zone when the journal does not reach the client's serial", () => {
    const { ask } = changed();
    const full = records(ask(ixfrQuery(S0 - 5)));
    expect(full[0]).toBe(`${ZONE} SOA ${S0 + 2}`);
    expect(full[1]).toBe(`${ZONE} NS ns1.example.test`);
    expect(full.at(-1)).toBe(`${ZONE} SOA ${S0 + 2}`);
    expect(full).toContain("new.example.test A 192.0.2.7");
    expect(full.some((r) => r.startsWith("big.example.test"))).toBe(false);
  });

  it("forgets the oldest diffs beyond maxEntries (then the full zone), and starts empty after a restart", () => {
    const s = setup({ maxEntries: 2 });
    for (let i = 1; i <= 3; i++) {
      s.journal.hostChanged("www.dyn.example.test", ZONE, [
        { type: "A", ttl: 60, values: [`192.0.2.${i}0`] },
      ]);
      s.journal.serialChanged(ZONE, S0 + i);
    }
    expect(s.journal.diffsSince(ZONE, S0)).toBeUndefined();
    expect(s.journal.diffsSince(ZONE, S0 + 1)?.map((d) => d.to)).toEqual([S0 + 2, S0 + 3]);
    expect(records(s.ask(ixfrQuery(S0)))[1]).toBe(`${ZONE} NS ns1.example.test`);
    const restarted = setup();
    expect(restarted.journal.diffsSince(ZONE, S0 - 1)).toBeUndefined();
  });

  it("asks the change log only when the journal cannot (after a restart); neither: the full zone", async () => {
    const asked: unknown[] = [];
    const diff: ZoneDiff = {
      from: S0 - 1,
      to: S0,
      oldSoa: encodeSOA(EXAMPLE_ZONE.soa, S0 - 1),
      newSoa: encodeSOA(EXAMPLE_ZONE.soa, S0),
      removed: [],
      added: [
        {
          name: "x.example.test",
          owner: encodeName("x.example.test"),
          type: 1,
          ttl: 60,
          rdata: new Uint8Array([192, 0, 2, 9]),
        },
      ],
    };
    const s = setup({
      logDiffs: (zone, from, to) => {
        asked.push([zone, from, to]);
        return Promise.resolve(from === S0 - 1 ? [diff] : undefined);
      },
    });
    expect(records(await s.later(ixfrQuery(S0 - 1)))).toEqual([
      `${ZONE} SOA ${S0}`,
      `${ZONE} SOA ${S0 - 1}`,
      `${ZONE} SOA ${S0}`,
      "x.example.test A 192.0.2.9",
      `${ZONE} SOA ${S0}`,
    ]);
    const full = records(await s.later(ixfrQuery(S0 - 7)));
    expect([full[0], full[1], full.at(-1)]).toEqual([
      `${ZONE} SOA ${S0}`,
      `${ZONE} NS ns1.example.test`,
      `${ZONE} SOA ${S0}`,
    ]);
    expect(records(await s.later(ixfrQuery(S0 - 1), "udp"))).toEqual([`${ZONE} SOA ${S0}`]);
    s.journal.hostChanged("new.example.test", ZONE, [{ type: "A", ttl: 60, values: ["192.0.2.7"] }]);
    s.journal.serialChanged(ZONE, S0 + 1);
    expect(records(await s.later(ixfrQuery(S0)))).toContain("new.example.test A 192.0.2.7");
    expect(asked).toEqual([
      [ZONE, S0 - 1, S0],
      [ZONE, S0 - 7, S0],
    ]);
  });

  it("records a reload after an outside change as one diff", () => {
    const s = setup();
    s.journal.load({
      ...SNAPSHOT,
      zones: [{ ...EXAMPLE_ZONE, serial: S0 + 5 }, ...SNAPSHOT.zones.slice(1)],
      rrsets: SNAPSHOT.rrsets.filter((r) => r.fqdn !== "a.b.c.example.test"),
    });
    expect(records(s.ask(ixfrQuery(S0)))).toEqual([
      `${ZONE} SOA ${S0 + 5}`,
      `${ZONE} SOA ${S0}`,
      "a.b.c.example.test TXT hello",
      `${ZONE} SOA ${S0 + 5}`,
      `${ZONE} SOA ${S0 + 5}`,
    ]);
  });

  it("a change without a serial change, or a serial going back, clears the zone's diffs", () => {
    const s = changed();
    s.journal.hostChanged("www.dyn.example.test", ZONE, []);
    s.journal.serialChanged(ZONE, S0 + 2);
    expect(s.journal.diffsSince(ZONE, S0 + 1)).toBeUndefined();
    const t = changed();
    t.journal.serialChanged(ZONE, S0);
    expect(t.journal.diffsSince(ZONE, S0 - 1)).toBeUndefined();
    expect(t.journal.diffsSince(ZONE, S0)).toEqual([]);
  });
});

describe("hostile input", () => {
  it("never throws on mutated AXFR/IXFR requests, signed or not, and every reply echoes the ID", () => {
    const { ask } = setup({ policy: { keys: ["xfr-key"] } });
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const bases = [axfr(), ixfrQuery(S0), signTsig(ixfrQuery(S0 - 1), { key: KEY, timeSigned: NOW }).message];
    for (let i = 0; i < 30_000; i++) {
      const base = bases[i % bases.length]!;
      const m = base.slice(0, 12 + (rnd() % (base.length - 11)));
      for (let j = 0, n = 1 + (rnd() % 4); j < n; j++) m[rnd() % m.length] = rnd();
      m[2] = m[2]! & 0x7f; // a query, so an answer is due
      const reply = ask(m, rnd() % 2 === 0 ? "tcp" : "udp");
      for (const r of reply === undefined ? [] : messages(reply)) expect([r[0], r[1]]).toEqual([m[0], m[1]]);
    }
  });
});
