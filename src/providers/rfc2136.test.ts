// The rfc2136 provider against real servers (BIND 9 and Knot, started per suite on 127.0.0.1 and a
// free port; peeked at with dig), and against scripted replies for every rcode and TSIG failure.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dig } from "../../test/e2e/support/dig.js";
import { peerAvailable } from "../../test/e2e/support/peers.js";
import { isBeaconError } from "../core/errors.js";
import { createDnsExchange } from "../dns/client/exchange.js";
import { appendTsigRecord, signTsig, verifyTsig, type TsigKey } from "../dns/tsig/tsig.js";
import { encodeQuery } from "../dns/wire/update.js";
import { VendorError } from "./errors.js";
import { rfc2136Provider, rfc2136Settings, type Rfc2136Settings } from "./rfc2136.js";
import { runProviderContract, type ContractSubject } from "./testing/contract.js";
import { testProviderDeps } from "./testing/deps.js";
import { startBind } from "./testing/peers/bind.js";
import type { DnsPeer, PeerKey } from "./testing/peers/dns-peer.js";
import { startKnot } from "./testing/peers/knot.js";
import { unquoteTxt } from "./kit/txt-presentation.js";
import type { CallContext, Provider, ProviderRecordType, ProviderRRSet } from "./types.js";
import type { DnsExchange } from "../dns/client/ports.js";

const hasBind = peerAvailable("named", "bind9");
const hasKnot = peerAvailable("knotd", "knot");

const newKey = (name: string, algorithm: PeerKey["algorithm"], size: number, subtree?: string): PeerKey => ({
  name,
  algorithm,
  secret: randomBytes(size).toString("base64"),
  ...(subtree === undefined ? {} : { subtree }),
});
const ctx = (): CallContext => ({ signal: AbortSignal.timeout(10_000) });
const realDeps = () =>
  testProviderDeps({ dnsExchange: createDnsExchange(), randomBytes: (n) => randomBytes(n) });

function providerFor(peer: DnsPeer, key: PeerKey, over: Partial<Record<string, unknown>> = {}): Provider {
  const settings = rfc2136Settings.parse({
    server: "127.0.0.1",
    port: peer.port,
    zone: peer.zone,
    key_name: key.name,
    key_secret: key.secret,
    key_algorithm: key.algorithm,
    ...over,
  });
  return rfc2136Provider.create("test", settings, realDeps());
}

/** What the server answers over TCP, read with dig (not with the provider's own codec). */
async function peek(
  peer: DnsPeer,
  fqdn: string,
  type: ProviderRecordType,
): Promise<ProviderRRSet | undefined> {
  const reply = await dig(peer.port, ["+tcp", fqdn, type]);
  const rows = reply.answers
    .map((line) => /^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null && m[3] === type && m[1]!.toLowerCase() === `${fqdn}.`);
  if (rows.length === 0) return undefined;
  const values = rows.map((m) => (type === "TXT" ? unquoteTxt(m![4]!) : m![4]!) ?? "<unreadable>");
  return { type, ttl: Number(rows[0]![2]), values: values.sort() };
}

function realServerContract(label: string, start: (keys: PeerKey[]) => Promise<DnsPeer>, key: PeerKey): void {
  runProviderContract(label, async (): Promise<ContractSubject> => {
    const peer = await start([key]);
    return {
      provider: providerFor(peer, key),
      zone: peer.zone,
      peek: (fqdn, type) => peek(peer, fqdn, type),
      wrongCredentials: providerFor(peer, { ...key, secret: randomBytes(32).toString("base64") }),
      foreignName: "host.elsewhere.example",
      close: () => peer.stop(),
    };
  });
}

describe.skipIf(!hasBind)("rfc2136 against BIND 9", () => {
  realServerContract(
    "rfc2136 / BIND hmac-sha256",
    (k) => startBind("bind256.test", k),
    newKey("k256", "hmac-sha256", 32),
  );
  realServerContract(
    "rfc2136 / BIND hmac-sha512",
    (k) => startBind("bind512.test", k),
    newKey("k512", "hmac-sha512", 64),
  );

  describe("BIND specifics", () => {
    const zone = "bind.test";
    const main = newKey("beacon-main", "hmac-sha256", 32);
    const sub = newKey("beacon-sub", "hmac-sha256", 32, `allowed.${zone}`);
    let peer: DnsPeer;
    beforeAll(async () => {
      peer = await startBind(zone, [main, sub]);
    }, 60_000);
    afterAll(async () => {
      await peer.stop();
    });

    it("answers a signed query with a reply our TSIG code verifies", async () => {
      const key: TsigKey = {
        name: main.name,
        algorithm: "hmac-sha256",
        secret: Buffer.from(main.secret, "base64"),
      };
      const signed = signTsig(encodeQuery(0x4242, zone, "SOA"), {
        key,
        timeSigned: Math.floor(Date.now() / 1000),
      });
      const reply = await createDnsExchange()({
        server: "127.0.0.1",
        port: peer.port,
        transport: "tcp",
        message: signed.message,
        signal: AbortSignal.timeout(5000),
      });
      const v = verifyTsig(reply, {
        findKey: (n) => (n === key.name ? key : undefined),
        now: Math.floor(Date.now() / 1000),
        requestMac: signed.mac,
      });
      expect(v.status).toBe("ok");
    });

    it("a key limited to a subtree may write there, and outside it is provider_permission (REFUSED)", async () => {
      const p = providerFor(peer, sub);
      expect(
        await p.upsert({ fqdn: `h.allowed.${zone}`, type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx()),
      ).toBe("changed");
      const e = await p
        .upsert({ fqdn: `h.other.${zone}`, type: "A", values: ["81.2.69.142"], ttl: 60 }, ctx())
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(isBeaconError(e) && e.code).toBe("provider_permission");
      expect(isBeaconError(e) && e.message).toMatch(/REFUSED/);
      expect(await peek(peer, `h.other.${zone}`, "A")).toBeUndefined();
    });

    it("a key name the server does not know is provider_auth (BADKEY)", async () => {
      const p = providerFor(peer, newKey("nobody", "hmac-sha256", 32));
      const e = await p.get(`x.${zone}`, "A", ctx()).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isBeaconError(e) && e.code).toBe("provider_auth");
      expect(isBeaconError(e) && e.cause instanceof VendorError && e.cause.vendorCode).toBe("BADKEY");
    });

    it("the right key name with another algorithm is provider_auth", async () => {
      const p = providerFor(peer, { ...main, algorithm: "hmac-sha512" });
      const e = await p.get(`x.${zone}`, "A", ctx()).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isBeaconError(e) && e.code).toBe("provider_auth");
    });

    it("TXT with quotes, backslashes and '=' goes on the wire raw, and nsupdate's TXT reads back exactly", async () => {
      const p = providerFor(peer, main);
      const fqdn = `_acme-challenge.q.${zone}`;
      const value = 'say "hi" \\ a=b;c';
      await p.upsert({ fqdn, type: "TXT", values: [value], ttl: 60 }, ctx());
      expect((await peek(peer, fqdn, "TXT"))?.values).toEqual([value]);
      await nsupdate(peer, main, `update add n.${zone} 120 TXT "from \\"nsupdate\\" x=1"`);
      expect(await p.get(`n.${zone}`, "TXT", ctx())).toEqual({
        type: "TXT",
        ttl: 120,
        values: ['from "nsupdate" x=1'],
      });
    });

    it("works over UDP too", async () => {
      const p = providerFor(peer, main, { transport: "udp" });
      const fqdn = `udp.${zone}`;
      expect(await p.upsert({ fqdn, type: "AAAA", values: ["2a02:8070:a1b2::1"], ttl: 60 }, ctx())).toBe(
        "changed",
      );
      expect(await peek(peer, fqdn, "AAAA")).toEqual({
        type: "AAAA",
        ttl: 60,
        values: ["2a02:8070:a1b2::1"],
      });
      expect(await p.delete(fqdn, "AAAA", ctx())).toBe("changed");
      expect(await peek(peer, fqdn, "AAAA")).toBeUndefined();
    });
  });
});

describe.skipIf(!hasKnot)("rfc2136 against Knot", () => {
  realServerContract(
    "rfc2136 / Knot hmac-sha256",
    (k) => startKnot("knot.test", k),
    newKey("k256", "hmac-sha256", 32),
  );
  realServerContract(
    "rfc2136 / Knot hmac-sha512",
    (k) => startKnot("knot512.test", k),
    newKey("k512", "hmac-sha512", 64),
  );
});

function nsupdate(peer: DnsPeer, key: PeerKey, line: string): Promise<void> {
  const script = `server 127.0.0.1 ${peer.port}\nzone ${peer.zone}\n${line}\nsend\n`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      "nsupdate",
      ["-y", `${key.algorithm}:${key.name}:${key.secret}`],
      { timeout: 10_000 },
      (e, _o, err) => (e ? reject(new Error(`nsupdate: ${e.message} ${err}`)) : resolve()),
    );
    child.stdin?.end(script);
  });
}

// ---- scripted replies: every rcode and TSIG outcome, without a server ----

const KEY: TsigKey = {
  name: "beacon",
  algorithm: "hmac-sha256",
  secret: Uint8Array.from({ length: 32 }, (_, i) => i),
};
const NOW_MS = 1_750_000_000_000;

type Script = (request: Uint8Array, requestMac: Uint8Array, transport: "udp" | "tcp") => Uint8Array;

/** A provider whose every exchange is answered by `script`; `sent` logs what it sent. */
function scripted(script: Script, over: Partial<Rfc2136Settings> = {}) {
  const sent: { transport: string; message: Uint8Array }[] = [];
  const dnsExchange: DnsExchange = (req) => {
    sent.push({ transport: req.transport, message: req.message });
    const v = verifyTsig(req.message, {
      findKey: (n) => (n === KEY.name ? KEY : undefined),
      now: NOW_MS / 1000,
    });
    if (v.status !== "ok") throw new Error(`the provider sent a badly signed request: ${v.status}`);
    return Promise.resolve(script(req.message, v.mac, req.transport));
  };
  const settings = rfc2136Settings.parse({
    server: "192.0.2.53",
    zone: "example.test",
    key_name: "beacon",
    key_secret: Buffer.from(KEY.secret).toString("base64"),
    ...over,
  });
  const provider = rfc2136Provider.create(
    "s",
    settings,
    testProviderDeps({ dnsExchange, clock: () => NOW_MS }),
  );
  return { provider, sent };
}

/** The request turned into a reply: QR set, rcode and flags given, no records, signed unless `sign` is false. */
function reply(
  request: Uint8Array,
  requestMac: Uint8Array,
  opts: { rcode: number; aa?: boolean; tc?: boolean; sign?: TsigKey | false },
) {
  const header = request.slice(0, 12);
  const qlen = questionLength(request);
  const msg = Uint8Array.of(...header, ...request.subarray(12, 12 + qlen));
  msg[2] = (msg[2]! & 0x78) | 0x80 | (opts.aa === false ? 0 : 0x04) | (opts.tc ? 0x02 : 0);
  msg[3] = opts.rcode & 0x0f;
  for (let i = 6; i < 12; i++) msg[i] = 0;
  if (opts.sign === false) return msg;
  return signTsig(msg, { key: opts.sign ?? KEY, timeSigned: NOW_MS / 1000, requestMac }).message;
}

function questionLength(m: Uint8Array): number {
  let off = 12;
  while (m[off] !== 0) off += 1 + m[off]!;
  return off + 1 + 4 - 12;
}

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (err: unknown) => err,
  );
  if (!isBeaconError(e)) throw e;
  return e;
}

const A = { fqdn: "h.example.test", type: "A" as const, values: ["81.2.69.142"], ttl: 60 };

describe("rfc2136 reply mapping (scripted replies)", () => {
  it.each([
    [5, "REFUSED", "provider_permission"],
    [10, "NOTZONE", "provider_zone_not_found"],
    [9, "NOTAUTH", "provider_zone_not_found"],
    [2, "SERVFAIL", "provider_unavailable"],
    [6, "YXDOMAIN", "provider_conflict"],
    [7, "YXRRSET", "provider_conflict"],
    [8, "NXRRSET", "provider_conflict"],
    [1, "FORMERR", "provider_rejected"],
    [4, "NOTIMP", "provider_rejected"],
  ])("an UPDATE answered %i (%s) is %s, signed or not, naming the rcode", async (rcode, name, code) => {
    for (const sign of [KEY, false] as const) {
      const { provider } = scripted((req, mac) =>
        req[2]! >> 3 === 5 ? reply(req, mac, { rcode, sign }) : reply(req, mac, { rcode: 3 }),
      );
      const e = await failure(provider.upsert(A, ctx()));
      expect(e.code).toBe(code);
      expect(e.message).toContain(name);
      expect(e.cause).toBeInstanceOf(VendorError);
    }
  });

  it.each([
    [16, "BADSIG"],
    [17, "BADKEY"],
    [18, "BADTIME"],
  ])("a TSIG error %i (%s) with rcode NOTAUTH is provider_auth", async (error, name) => {
    const { provider } = scripted((req) => {
      // The server's error reply: NOTAUTH with a TSIG record holding the error and an empty MAC.
      const v = verifyTsig(req, { findKey: () => KEY, now: NOW_MS / 1000 });
      if (v.status !== "ok") throw new Error("bad request");
      const bare = reply(req, new Uint8Array(0), { rcode: 9, sign: false });
      return appendError(bare, v.record, error);
    });
    const e = await failure(provider.get("h.example.test", "A", ctx()));
    expect(e.code).toBe("provider_auth");
    expect(e.cause instanceof VendorError && e.cause.vendorCode).toBe(name);
    expect(e.message).not.toContain(Buffer.from(KEY.secret).toString("base64"));
  });

  it("a NOERROR reply that is unsigned, or signed with another key, is malformed_reply (outcome unknown)", async () => {
    const other: TsigKey = { ...KEY, secret: Uint8Array.of(9, 9, 9) };
    for (const sign of [false, other] as const) {
      const { provider } = scripted((req, mac) => reply(req, mac, { rcode: 0, sign }));
      const e = await failure(provider.delete("h.example.test", "A", ctx()));
      expect(e.code).toBe("malformed_reply");
      expect(e.message).toMatch(/does not verify/);
    }
  });

  it("a NOERROR reply signed without our request's MAC is malformed_reply", async () => {
    const { provider } = scripted((req) => reply(req, Uint8Array.of(1, 2, 3), { rcode: 0 }));
    expect((await failure(provider.get("h.example.test", "A", ctx()))).code).toBe("malformed_reply");
  });

  it("garbage and cut replies are malformed_reply", async () => {
    // Bad inputs tried: 3 octets, a header claiming an answer that is not there, a signed reply cut short.
    const replies: Script[] = [
      () => Uint8Array.of(1, 2, 3),
      (req) => Uint8Array.of(...req.subarray(0, 2), 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0),
      (req, mac) => reply(req, mac, { rcode: 0 }).slice(0, -5),
    ];
    for (const script of replies) {
      const { provider } = scripted(script);
      expect((await failure(provider.get("h.example.test", "A", ctx()))).code).toBe("malformed_reply");
    }
  });

  it("a non-authoritative answer is provider_zone_not_found", async () => {
    const { provider } = scripted((req, mac) => reply(req, mac, { rcode: 0, aa: false }));
    expect((await failure(provider.get("h.example.test", "A", ctx()))).code).toBe("provider_zone_not_found");
  });

  it("a signed NXDOMAIN is an empty set; an update is one delete plus one add per value", async () => {
    const { provider, sent } = scripted((req, mac) => reply(req, mac, { rcode: req[2]! >> 3 === 5 ? 0 : 3 }));
    expect(await provider.get("h.example.test", "A", ctx())).toBeUndefined();
    expect(await provider.upsert({ ...A, values: ["81.2.69.142", "81.2.69.160"] }, ctx())).toBe("changed");
    const update = sent.at(-1)!.message;
    expect(update[2]! >> 3).toBe(5); // opcode UPDATE
    expect([update[4], update[5], update[6], update[7], update[8], update[9]]).toEqual([0, 1, 0, 0, 0, 3]);
    expect(sent.every((s) => s.transport === "tcp")).toBe(true);
  });

  it("over UDP, a truncated reply is asked again over TCP", async () => {
    const { provider, sent } = scripted(
      (req, mac, transport) => reply(req, mac, { rcode: 3, tc: transport === "udp" }),
      { transport: "udp" },
    );
    expect(await provider.get("h.example.test", "A", ctx())).toBeUndefined();
    expect(sent.map((s) => s.transport)).toEqual(["udp", "tcp"]);
  });

  it("a name outside the zone is provider_zone_not_found and nothing is sent", async () => {
    const { provider, sent } = scripted((req, mac) => reply(req, mac, { rcode: 0 }));
    for (const fqdn of ["h.example.com", "notexample.test", "test"]) {
      expect((await failure(provider.upsert({ ...A, fqdn }, ctx()))).code).toBe("provider_zone_not_found");
    }
    expect(sent).toEqual([]);
  });
});

describe("rfc2136 settings", () => {
  const base = { server: "192.0.2.53", zone: "Example.Test.", key_name: "k", key_secret: "c2VjcmV0" };

  it("fills the defaults and canonicalises the zone and server", () => {
    expect(rfc2136Settings.parse({ ...base, server: "2001:DB8::0:1" })).toEqual({
      ...base,
      server: "2001:db8::1",
      zone: "example.test",
      port: 53,
      key_algorithm: "hmac-sha256",
      allow_md5: false,
      transport: "tcp",
      ttl: 300,
    });
  });

  it("refuses what cannot work, naming the setting and never echoing the secret", () => {
    // Bad inputs tried: a host name as server, a port of 0, secrets that are not base64, md5 without opt-in.
    const bad: Record<string, unknown>[] = [
      { ...base, server: "ns1.example.test" },
      { ...base, port: 0 },
      { ...base, key_secret: "not base64!" },
      { ...base, key_secret: "" },
      { ...base, key_algorithm: "hmac-md5" },
      { ...base, transport: "quic" },
      { ...base, extra: 1 },
    ];
    for (const input of bad) {
      const r = rfc2136Settings.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      expect(JSON.stringify(r.error?.issues)).not.toContain("c2VjcmV0");
    }
    expect(rfc2136Settings.safeParse({ ...base, key_algorithm: "hmac-md5", allow_md5: true }).success).toBe(
      true,
    );
  });
});

/** Appends an unsigned TSIG error record (empty MAC) like BIND's BADKEY/BADSIG replies. */
function appendError(
  message: Uint8Array,
  rec: {
    keyName: Uint8Array;
    algorithmName: Uint8Array;
    timeSigned: number;
    fudge: number;
    originalId: number;
  },
  error: number,
) {
  return appendTsigRecord(message, { ...rec, mac: new Uint8Array(0), error, otherData: new Uint8Array(0) });
}
