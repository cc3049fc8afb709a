import { beforeEach, describe, expect, it } from "vitest";
import type { UpdateMessage } from "../wire/update.js";
import { createUpdateService } from "../../services/apply-update.js";
import { createAbuseFlags } from "../../services/limits/abuse-flags.js";
import { createBuckets } from "../../services/limits/buckets.js";
import { createLimits } from "../../services/limits/update-limits.js";
import { BeaconError } from "../../core/errors.js";
import { silentLog } from "../../core/log.js";
import { recordingListener } from "../../services/testing/recorders.js";
import { createWriteQueue } from "../../services/write-queue.js";
import { createZoneService } from "../../services/zones.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import type { Keyring, ServerKey } from "../tsig/keyring.js";
import { signTsig, TSIG_ERROR, verifyTsig, type TsigKey } from "../tsig/tsig.js";
import type { DnsHandler } from "../answer/types.js";
import { encodeUpdate } from "../wire/update.js";
import { createUpdateHandler, type UpdateHandlerDeps } from "./handler.js";

const ZONE = "dyn.example.test";
const HOST = `home.${ZONE}`;
const V4 = "81.2.69.142";
const V4B = "81.2.69.160";
const NOW_MS = 1_800_000_000_000;
const NOW = NOW_MS / 1000;

const key = (
  name: string,
  over: Partial<ServerKey["policy"]> = {},
  algorithm: TsigKey["algorithm"] = "hmac-sha256",
): ServerKey => ({
  name,
  algorithm,
  secret: new Uint8Array(32).fill(name.length),
  policy: { names: [{ name: ZONE, subtree: true }], types: ["A", "AAAA", "TXT"], allowedCidrs: [], ...over },
});

const KEYS = new Map<string, ServerKey>([
  ["all", key("all")],
  ["txt-only", key("txt-only", { types: ["TXT"] })],
  ["home-only", key("home-only", { names: [{ name: HOST, subtree: false }] })],
  ["lan-only", key("lan-only", { allowedCidrs: ["10.0.0.0/8"] })],
  ["old", key("old", {}, "hmac-md5")],
]);
const keyring: Keyring = (n) => KEYS.get(n);

let store: Store;
let handler: DnsHandler;
let events: string[];
let makeHandler: (over?: Partial<UpdateHandlerDeps>) => DnsHandler;
let updateService: UpdateHandlerDeps["updates"];

beforeEach(async () => {
  store = createMemoryStore();
  events = [];
  const deps = {
    store,
    clock: () => NOW_MS,
    listener: recordingListener(events),
    log: silentLog,
    queue: createWriteQueue(),
  };
  const zones = createZoneService(deps);
  await zones.addZone(ZONE, {});
  await zones.addHost(HOST, {});
  await zones.addZone(`child.${ZONE}`, {});
  const updates = createUpdateService({ ...deps, allowNonGlobal: false });
  updateService = updates;
  await updates.update({
    token: undefined,
    hosts: [HOST],
    sets: { A: { values: [V4], ttl: 60 } },
    source: { ip: "127.0.0.1", userAgent: undefined, protocol: "cli", tokenId: undefined },
  });
  events.length = 0;
  makeHandler = (over = {}) =>
    createUpdateHandler({
      keyring,
      store,
      updates,
      clock: () => NOW_MS,
      log: silentLog,
      allowMd5: false,
      maxFudge: 300,
      ...over,
    });
  handler = makeHandler();
});

interface Sent {
  readonly rcode: number;
  readonly reply: Uint8Array;
  readonly requestMac: Uint8Array | undefined;
}

async function send(
  m: Omit<UpdateMessage, "id" | "zone"> & { zone?: string },
  opts: {
    keyName?: string | undefined;
    time?: number;
    from?: string;
    secret?: Uint8Array;
    raw?: (msg: Uint8Array) => Uint8Array;
    asBuffer?: boolean;
  } = {},
): Promise<Sent> {
  let msg = encodeUpdate({ id: 0x1234, zone: ZONE, ...m });
  if (opts.raw !== undefined) msg = opts.raw(msg);
  let requestMac: Uint8Array | undefined;
  const keyName = "keyName" in opts ? opts.keyName : "all";
  if (keyName !== undefined) {
    const k = KEYS.get(keyName) ?? key(keyName);
    const signed = signTsig(msg, {
      key: { ...k, secret: opts.secret ?? k.secret },
      timeSigned: opts.time ?? NOW,
    });
    msg = signed.message;
    requestMac = signed.mac;
  }
  // Transports hand over Buffers, whose slice() is a view: nothing may change the request in place.
  if (opts.asBuffer === true) msg = Buffer.from(msg);
  const reply = (await handler(msg, {
    transport: "udp",
    remoteAddress: opts.from ?? "127.0.0.1",
  })) as Uint8Array;
  expect(reply[0]).toBe(0x12);
  expect(reply[1]).toBe(0x34);
  expect(reply[2]! & 0x80).toBe(0x80); // QR
  expect((reply[2]! >> 3) & 0x0f).toBe(5); // opcode UPDATE
  return { rcode: reply[3]! & 0x0f, reply, requestMac };
}

/** The reply verifies with the key and the request's MAC. */
function expectSigned(s: Sent, keyName = "all"): void {
  const v = verifyTsig(s.reply, { findKey: (n) => KEYS.get(n), now: NOW, requestMac: s.requestMac! });
  expect(v.status).toBe("ok");
  void keyName;
}

const sets = async (fqdn: string) =>
  Object.fromEntries((await store.getRRSets(fqdn)).map((s) => [s.type, s.values]));

describe("RFC 2136 UPDATE handler", () => {
  it("applies adds and deletes atomically and signs the reply", async () => {
    const s = await send(
      {
        updates: [
          { kind: "delete-rrset", name: HOST, type: "A" },
          { kind: "add", name: HOST, type: "A", ttl: 120, value: V4B },
          { kind: "add", name: HOST, type: "TXT", ttl: 120, value: "hello world" },
        ],
      },
      { asBuffer: true },
    );
    expect(s.rcode).toBe(0);
    expectSigned(s);
    expect(await sets(HOST)).toEqual({ A: [V4B], TXT: ["hello world"] });
    const history = await store.listHistory(HOST);
    expect(history[0]?.protocol).toBe("rfc2136");
    expect(history[0]?.tokenId).toBe("tsig:all");
    expect(events.some((e) => e.startsWith(`host ${HOST} A=${V4B}`))).toBe(true);
  });

  it("creates a host for several TXT values at an _acme-challenge name, and deletes one value", async () => {
    const name = `_acme-challenge.${HOST}`;
    const s = await send({
      updates: [
        { kind: "add", name, type: "TXT", ttl: 60, value: "token-one" },
        { kind: "add", name, type: "TXT", ttl: 60, value: "token-two" },
      ],
    });
    expect(s.rcode).toBe(0);
    expect(await sets(name)).toEqual({ TXT: ["token-one", "token-two"] });
    expect((await store.getHost(name))?.zone).toBe(ZONE);
    expect(
      (await send({ updates: [{ kind: "delete-rr", name, type: "TXT", value: "token-one" }] })).rcode,
    ).toBe(0);
    expect(await sets(name)).toEqual({ TXT: ["token-two"] });
    expect((await send({ updates: [{ kind: "delete-name", name }] })).rcode).toBe(0);
    expect(await sets(name)).toEqual({});
  });

  it("deletes a host it created with its last record set, never a host created by an administrator", async () => {
    const name = `_acme-challenge.${HOST}`;
    await send({ updates: [{ kind: "add", name, type: "TXT", ttl: 60, value: "token-one" }] });
    expect((await store.getHost(name))?.implicit).toBe(true);
    events.length = 0;
    expect(
      (await send({ updates: [{ kind: "delete-rr", name, type: "TXT", value: "token-one" }] })).rcode,
    ).toBe(0);
    expect(await store.getHost(name)).toBeUndefined();
    expect(events).toEqual([`hostRemoved ${name}`, `serial ${ZONE}`]);
    // The name is no longer in use, and its history stays for the administrator.
    expect((await send({ prerequisites: [{ kind: "name-in-use", name }], updates: [] })).rcode).toBe(3);
    expect((await store.listHistory(name)).map((h) => h.outcome)).toEqual(["deleted", "good"]);
    // HOST was added by the administrator: deleting its only set keeps the host.
    expect((await send({ updates: [{ kind: "delete-rrset", name: HOST, type: "A" }] })).rcode).toBe(0);
    expect(await sets(HOST)).toEqual({});
    expect((await store.getHost(HOST))?.implicit).toBe(false);
  });

  it.each([
    ["rrset-exists that exists", { kind: "rrset-exists", name: HOST, type: "A" }, 0],
    ["rrset-exists that does not", { kind: "rrset-exists", name: HOST, type: "TXT" }, 8],
    ["rrset-absent that exists", { kind: "rrset-absent", name: HOST, type: "A" }, 7],
    ["name-in-use of an unused name", { kind: "name-in-use", name: `nobody.${ZONE}` }, 3],
    ["name-not-in-use of a used name", { kind: "name-not-in-use", name: HOST }, 6],
    ["name-in-use at the apex", { kind: "name-in-use", name: ZONE }, 0],
    ["a name outside the zone", { kind: "name-in-use", name: "elsewhere.test" }, 10],
  ] as const)("prerequisite %s → rcode %i; nothing changes when it fails", async (_, pre, rcode) => {
    const s = await send({
      prerequisites: [pre],
      updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: V4B }],
    });
    expect(s.rcode).toBe(rcode);
    expectSigned(s);
    expect(await sets(HOST)).toEqual({ A: rcode === 0 ? [V4, V4B] : [V4] });
  });

  it("a value-dependent prerequisite must match the whole set (NXRRSET otherwise)", async () => {
    const pre = (value: string) =>
      encodeUpdate({
        id: 0x1234,
        zone: ZONE,
        updates: [{ kind: "add", name: HOST, type: "A", ttl: 0, value }],
      });
    // Turn the one update record into a prerequisite (same record, TTL 0, class IN): counts 0,1,0 → 1,0,0.
    const asPrereq = (value: string) => () => {
      const m = pre(value);
      m[7] = 1;
      m[9] = 0;
      return m;
    };
    expect((await send({ updates: [] }, { raw: asPrereq(V4B) })).rcode).toBe(8);
    expect((await send({ updates: [] }, { raw: asPrereq(V4) })).rcode).toBe(0);
  });

  it("refuses unsigned updates, and names outside the policy, changing nothing", async () => {
    const add = { updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: V4B }] } as const;
    expect((await send(add, { keyName: undefined })).rcode).toBe(5);
    expect(
      (
        await send(
          { updates: [{ kind: "add", name: `other.${ZONE}`, type: "A", ttl: 60, value: V4B }] },
          { keyName: "home-only" },
        )
      ).rcode,
    ).toBe(5);
    expect((await send(add, { keyName: "txt-only" })).rcode).toBe(5);
    // Deleting a name removes its A set too, which a TXT-only key may not do.
    expect(
      (await send({ updates: [{ kind: "delete-name", name: HOST }] }, { keyName: "txt-only" })).rcode,
    ).toBe(5);
    expect((await send(add, { keyName: "lan-only" })).rcode).toBe(5);
    // signed anew (the same bytes again would be a replay, whatever the address)
    expect((await send(add, { keyName: "lan-only", from: "10.1.2.3", time: NOW + 1 })).rcode).toBe(0);
    expect(await sets(HOST)).toEqual({ A: [V4, V4B] });
  });

  it("answers NOTAUTH with an unsigned BADKEY/BADSIG, and a signed BADTIME with our time", async () => {
    const add = { updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: V4B }] } as const;
    for (const [opts, error] of [
      [{ keyName: "nobody" }, TSIG_ERROR.BADKEY],
      [{ keyName: "old" }, TSIG_ERROR.BADKEY],
      [{ secret: new Uint8Array(32) }, TSIG_ERROR.BADSIG],
    ] as const) {
      const s = await send(add, opts);
      expect(s.rcode).toBe(9);
      const v = verifyTsig(s.reply, { findKey: () => undefined, now: NOW });
      expect(v.status).toBe("BADKEY"); // we hold no key: the point is the record's Error field and empty MAC
      if (v.status === "BADKEY") {
        expect(v.record.error).toBe(error);
        expect(v.record.mac.length).toBe(0);
      }
    }
    const late = await send(add, { time: NOW - 3600 });
    expect(late.rcode).toBe(9);
    const v = verifyTsig(late.reply, {
      findKey: (n) => KEYS.get(n),
      now: NOW - 3600,
      requestMac: late.requestMac!,
    });
    expect(v.status).toBe("ok");
    if (v.status === "ok") {
      expect(v.record.error).toBe(TSIG_ERROR.BADTIME);
      const o = v.record.otherData;
      expect(o.length).toBe(6);
      expect(((o[2]! << 24) >>> 0) + (o[3]! << 16) + (o[4]! << 8) + o[5]!).toBe(NOW);
    }
    expect(await sets(HOST)).toEqual({ A: [V4] });
  });

  it("NOTAUTH for a zone we do not serve (or a name inside one), FORMERR for a bad zone section", async () => {
    const add = { updates: [{ kind: "add", name: "a.other.test", type: "A", ttl: 60, value: V4B }] } as const;
    expect((await send({ ...add, zone: "other.test" })).rcode).toBe(9);
    expect((await send({ updates: [], zone: HOST })).rcode).toBe(9);
    const noZone = (m: Uint8Array) => {
      m[5] = 2; // two zone entries (the walk then fails or miscounts) → FORMERR
      return m;
    };
    expect((await send({ updates: [] }, { raw: noZone })).rcode).toBe(1);
  });

  it("prescan: NOTZONE outside the zone or in a child zone, REFUSED for other types and the apex", async () => {
    const a = (name: string) =>
      ({ updates: [{ kind: "add", name, type: "A", ttl: 60, value: V4B }] }) as const;
    expect((await send(a("x.elsewhere.test"))).rcode).toBe(10);
    expect((await send(a(`x.child.${ZONE}`))).rcode).toBe(10);
    expect((await send(a(ZONE))).rcode).toBe(5);
    const ns = (m: Uint8Array) => {
      // Rewrite the update's type A (1) into NS (2): the type field sits 10 octets before the end of the 4-octet rdata.
      m[m.length - 4 - 10 + 1] = 2;
      return m;
    };
    expect((await send(a(HOST), { raw: ns })).rcode).toBe(5);
    expect(await sets(HOST)).toEqual({ A: [V4] });
  });

  it("FORMERR for malformed update records; REFUSED for a value the service rejects", async () => {
    const shortA = (m: Uint8Array) => {
      // Drop one octet of A rdata and fix RDLENGTH: 3-octet A.
      const out = m.slice(0, m.length - 1);
      out[out.length - 3 - 1] = 3;
      return out;
    };
    expect(
      (
        await send(
          { updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: V4B }] },
          { raw: shortA },
        )
      ).rcode,
    ).toBe(1);
    expect(
      (await send({ updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: "10.0.0.1" }] })).rcode,
    ).toBe(5);
    expect(await sets(HOST)).toEqual({ A: [V4] });
  });

  it("one bad value refuses the whole message: no other name changes, no host is created", async () => {
    const acme = `_acme-challenge.${HOST}`;
    const s = await send({
      updates: [
        { kind: "add", name: HOST, type: "A", ttl: 60, value: V4B },
        { kind: "add", name: acme, type: "TXT", ttl: 60, value: "x".repeat(300) },
      ],
    });
    expect(s.rcode).toBe(5);
    const s2 = await send({
      updates: [
        { kind: "add", name: acme, type: "TXT", ttl: 60, value: "fine" },
        { kind: "add", name: `new.${ZONE}`, type: "A", ttl: 60, value: "192.168.1.1" },
      ],
    });
    expect(s2.rcode).toBe(5);
    expect(await sets(HOST)).toEqual({ A: [V4] });
    expect(await store.getHost(acme)).toBeUndefined();
    expect(await store.getHost(`new.${ZONE}`)).toBeUndefined();
  });

  it("never throws on garbage and does not answer responses", async () => {
    expect(
      await handler(Uint8Array.of(1, 2, 3), { transport: "udp", remoteAddress: "127.0.0.1" }),
    ).toBeUndefined();
    const garbage = Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff);
    garbage[2] = 5 << 3;
    const r = (await handler(garbage, { transport: "tcp", remoteAddress: "127.0.0.1" })) as Uint8Array;
    expect(r[3]! & 0x0f).toBe(1);
  });

  describe("replayed signed UPDATEs (a captured message sent again inside its ±300 s window)", () => {
    const setA = (value: string) =>
      encodeUpdate({
        id: 0x1234,
        zone: ZONE,
        updates: [
          { kind: "delete-rrset", name: HOST, type: "A" },
          { kind: "add", name: HOST, type: "A", ttl: 60, value },
        ],
      });
    const signAt = (msg: Uint8Array, time: number) =>
      signTsig(msg, { key: KEYS.get("all")!, timeSigned: time });
    const deliver = async (h: DnsHandler, msg: Uint8Array, transport: "udp" | "tcp" = "udp") =>
      (await h(msg, { transport, remoteAddress: "198.51.100.9" })) as Uint8Array;

    it("the replay gets NOTAUTH/BADTIME, signed, and the newer change stays", async () => {
      const captured = signAt(setA(V4B), NOW);
      expect((await deliver(handler, captured.message))[3]! & 0x0f).toBe(0);
      expect((await deliver(handler, signAt(setA("81.2.69.200"), NOW + 10).message))[3]! & 0x0f).toBe(0);
      // the attacker sends the captured bytes again, over UDP and over TCP, later within the window
      for (const transport of ["udp", "tcp"] as const) {
        const replayed = await deliver(handler, captured.message, transport);
        expect(replayed[3]! & 0x0f).toBe(9);
        const v = verifyTsig(replayed, { findKey: (n) => KEYS.get(n), now: NOW, requestMac: captured.mac });
        expect(v.status).toBe("ok");
        expect(v.status === "ok" && v.record.error).toBe(TSIG_ERROR.BADTIME);
      }
      expect(await sets(HOST)).toEqual({ A: ["81.2.69.200"] });
    });

    it("a replay is remembered until its window is over, then the time check refuses it anyway", async () => {
      let nowMs = NOW_MS;
      const h = makeHandler({ clock: () => nowMs });
      const captured = signAt(setA(V4B), NOW).message;
      expect((await deliver(h, captured))[3]! & 0x0f).toBe(0);
      for (const later of [1, 299, 300]) {
        nowMs = NOW_MS + later * 1000;
        expect([later, (await deliver(h, captured))[3]! & 0x0f]).toEqual([later, 9]);
      }
      nowMs = NOW_MS + 301_000;
      expect((await deliver(h, captured))[3]! & 0x0f).toBe(9); // BADTIME by the clock now
      expect(await sets(HOST)).toEqual({ A: [V4B] });
    });

    it("the same change signed again (a new MAC) is applied: only identical signed bytes are replays", async () => {
      expect((await deliver(handler, signAt(setA(V4B), NOW).message))[3]! & 0x0f).toBe(0);
      expect((await deliver(handler, signAt(setA(V4), NOW).message))[3]! & 0x0f).toBe(0);
      expect((await deliver(handler, signAt(setA(V4B), NOW + 1).message))[3]! & 0x0f).toBe(0);
      expect(await sets(HOST)).toEqual({ A: [V4B] });
    });

    it("a copy arriving while the first is still being applied (a UDP retransmission) gets no reply", async () => {
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const h = makeHandler({
        updates: {
          acceptsAddress: (ip) => updateService.acceptsAddress(ip),
          transact: async (fn) => {
            await gate;
            return updateService.transact(fn);
          },
        },
      });
      const msg = signAt(setA(V4B), NOW).message;
      const first = deliver(h, msg);
      expect(await h(msg, { transport: "udp", remoteAddress: "198.51.100.9" })).toBeUndefined();
      open();
      expect((await first)[3]! & 0x0f).toBe(0);
      expect((await deliver(h, msg))[3]! & 0x0f).toBe(9); // once answered, a copy is a replay
      expect(await sets(HOST)).toEqual({ A: [V4B] });
    });

    it("with its memory full the server refuses (REFUSED, signed) rather than forget a MAC", async () => {
      const h = makeHandler({ replayCacheSize: 2 });
      expect((await deliver(h, signAt(setA(V4B), NOW).message))[3]! & 0x0f).toBe(0);
      expect((await deliver(h, signAt(setA(V4), NOW + 1).message))[3]! & 0x0f).toBe(0);
      const third = signAt(setA("81.2.69.201"), NOW + 2);
      const refused = await deliver(h, third.message);
      expect(refused[3]! & 0x0f).toBe(5);
      const v = verifyTsig(refused, { findKey: (n) => KEYS.get(n), now: NOW, requestMac: third.mac });
      expect(v.status).toBe("ok");
      expect(await sets(HOST)).toEqual({ A: [V4] });
    });

    it("a replay to another node on the same store is refused there (NOTAUTH/BADTIME, signed)", async () => {
      const nodeA = makeHandler({ replayStore: store });
      const nodeB = makeHandler({ replayStore: store });
      const captured = signAt(setA(V4B), NOW);
      expect((await deliver(nodeA, captured.message))[3]! & 0x0f).toBe(0);
      expect((await deliver(nodeA, signAt(setA("81.2.69.200"), NOW + 10).message))[3]! & 0x0f).toBe(0);
      for (const transport of ["udp", "tcp"] as const) {
        const replayed = await deliver(nodeB, captured.message, transport);
        expect(replayed[3]! & 0x0f).toBe(9);
        const v = verifyTsig(replayed, { findKey: (n) => KEYS.get(n), now: NOW, requestMac: captured.mac });
        expect(v.status === "ok" && v.record.error).toBe(TSIG_ERROR.BADTIME);
      }
      expect(await sets(HOST)).toEqual({ A: ["81.2.69.200"] });
    });

    it("when the shared replay memory fails: SERVFAIL, signed, nothing applied", async () => {
      const h = makeHandler({
        replayStore: {
          claimTsigMac: () => Promise.reject(new Error("connection refused")),
          pruneTsigMacs: () => Promise.reject(new Error("connection refused")),
        },
      });
      const msg = signAt(setA(V4B), NOW);
      const r = await deliver(h, msg.message);
      expect(r[3]! & 0x0f).toBe(2);
      const v = verifyTsig(r, { findKey: (n) => KEYS.get(n), now: NOW, requestMac: msg.mac });
      expect(v.status).toBe("ok");
      expect(await sets(HOST)).toEqual({ A: [V4] });
    });

    it("prunes the shared memory of expired claims, at most once a minute", async () => {
      let nowMs = NOW_MS;
      const prunes: number[] = [];
      const pruned: Promise<number>[] = [];
      const h = makeHandler({
        clock: () => nowMs,
        replayStore: {
          claimTsigMac: (...args) => store.claimTsigMac(...args),
          pruneTsigMacs: (now, limit) => {
            prunes.push(now);
            const p = store.pruneTsigMacs(now, limit);
            pruned.push(p);
            return p;
          },
        },
      });
      expect((await deliver(h, signAt(setA(V4B), NOW).message))[3]! & 0x0f).toBe(0);
      nowMs += 30_000;
      expect((await deliver(h, signAt(setA(V4), NOW + 30).message))[3]! & 0x0f).toBe(0);
      nowMs += 400_000;
      expect((await deliver(h, signAt(setA(V4B), NOW + 430).message))[3]! & 0x0f).toBe(0);
      expect(prunes).toEqual([NOW, NOW + 430]);
      // The second prune removed both claims whose window (signed + 300 s) was over.
      expect(await Promise.all(pruned)).toEqual([0, 2]);
    });
  });

  it.each(["commit", "getRRSets"] as const)(
    "SERVFAIL (signed) when the store is away (%s fails with store_unavailable), nothing changed",
    async (method) => {
      const away = () =>
        Promise.reject(new BeaconError("store_unavailable", "PostgreSQL database x is unreachable"));
      const broken: Store = { ...store, [method]: away };
      const updates = createUpdateService({
        store: broken,
        clock: () => NOW_MS,
        listener: recordingListener(events),
        log: silentLog,
        queue: createWriteQueue(),
        allowNonGlobal: false,
      });
      handler = makeHandler({ store: broken, updates });
      const s = await send({ updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: V4B }] });
      expect(s.rcode).toBe(2); // SERVFAIL: a server failure, to be retried; never REFUSED or NOERROR
      expectSigned(s);
      expect(await sets(HOST)).toEqual({ A: [V4] });
      expect(events).toEqual([]);
    },
  );

  it("a TSIG in the middle of the additional section, or two TSIG records: FORMERR, nothing applied", async () => {
    const add = { updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: V4B }] } as const;
    const signed = signTsig(encodeUpdate({ id: 0x1234, zone: ZONE, ...add }), {
      key: KEYS.get("all")!,
      timeSigned: NOW,
    }).message;
    const tsigStart = encodeUpdate({ id: 0x1234, zone: ZONE, ...add }).length;
    const tsigRecord = signed.subarray(tsigStart);
    const withArcount = (bytes: Uint8Array, n: number) => {
      const out = Uint8Array.from(bytes);
      out[11] = n;
      return out;
    };
    // OPT after the TSIG, and the TSIG twice
    const opt = Uint8Array.of(0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0);
    for (const msg of [
      withArcount(Uint8Array.from([...signed, ...opt]), 2),
      withArcount(Uint8Array.from([...signed, ...tsigRecord]), 2),
    ]) {
      const r = (await handler(msg, { transport: "udp", remoteAddress: "127.0.0.1" })) as Uint8Array;
      expect(r[3]! & 0x0f).toBe(1);
    }
    expect(await sets(HOST)).toEqual({ A: [V4] });
  });

  it("a name spelled with KELVIN SIGN (UTF-8 octets) is not the ASCII name: refused, nothing created", async () => {
    const kelvin = Buffer.from("\u212Aiosk"); // 7 octets: E2 84 AA "iosk"
    const s = await send(
      { updates: [{ kind: "add", name: `kiosk.${ZONE}`, type: "TXT", ttl: 60, value: "x" }] },
      {
        raw: (m) => {
          const at = Buffer.from(m).indexOf(Buffer.from("\x05kiosk"));
          return Uint8Array.from([...m.subarray(0, at), kelvin.length, ...kelvin, ...m.subarray(at + 6)]);
        },
      },
    );
    expect(s.rcode).toBe(5);
    expect((await store.listHosts()).map((h) => h.fqdn)).toEqual([HOST]);
  });

  it("logs every refusal with key, client, zone, answer and reason, and at most 20 lines a minute", async () => {
    const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
    const log = {
      debug() {},
      info: (obj: object, msg?: string) =>
        lines.push({ level: "info", obj: obj as Record<string, unknown>, msg }),
      warn: (obj: object, msg?: string) =>
        lines.push({ level: "warn", obj: obj as Record<string, unknown>, msg }),
      error: (obj: object, msg?: string) =>
        lines.push({ level: "error", obj: obj as Record<string, unknown>, msg }),
    };
    let nowMs = NOW_MS;
    handler = makeHandler({ log, clock: () => nowMs });
    const add = { updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: V4B }] } as const;
    await send(add, { keyName: undefined });
    await send(add, { keyName: "nobody" });
    await send(add, { secret: new Uint8Array(32), from: "203.0.113.5" });
    await send(add, { time: NOW - 3600 });
    await send(add, { keyName: "lan-only" });
    await send({ prerequisites: [{ kind: "name-not-in-use", name: HOST }], updates: [] }, { time: NOW + 2 });
    expect(lines.map((l) => [l.level, l.msg, l.obj["answer"], l.obj["key"], l.obj["zone"]])).toEqual([
      ["warn", "UPDATE refused", "REFUSED", undefined, ZONE],
      ["warn", "UPDATE refused", "NOTAUTH/BADKEY", "nobody", ZONE],
      ["warn", "UPDATE refused", "NOTAUTH/BADSIG", "all", ZONE],
      ["warn", "UPDATE refused", "NOTAUTH/BADTIME", "all", ZONE],
      ["warn", "UPDATE refused", "REFUSED", "lan-only", ZONE],
      ["info", "UPDATE refused", "YXDOMAIN", "all", ZONE],
    ]);
    expect(lines[2]!.obj).toMatchObject({ client: "203.0.113.5", reason: "wrong signature" });
    expect(lines[4]!.obj["reason"]).toMatch(/address not allowed/);
    // a flood of 1000 unsigned UPDATEs: 14 more lines this minute, then one summary line
    lines.length = 0;
    for (let i = 0; i < 1000; i++) await send(add, { keyName: undefined });
    expect(lines).toHaveLength(14);
    nowMs += 60_000;
    await send(add, { keyName: undefined });
    expect(lines.slice(14).map((l) => [l.msg, l.obj["suppressed"], l.obj["byAnswer"]])).toEqual([
      ["UPDATE refusals left out of the log", 986, { REFUSED: 986 }],
      ["UPDATE refused", undefined, undefined],
    ]);
  });
});

describe("RFC 2136 UPDATE under update limits", () => {
  it("refuses (signed REFUSED) a key's update of a host over its limit, changing nothing", async () => {
    const deps = { store, clock: () => NOW_MS, listener: recordingListener(events), log: silentLog };
    const limits = createLimits({
      rates: {
        exempt: [],
        client: [],
        clientIp: [],
        clientHeartbeat: [],
        credential: [],
        hostDyndns2: [],
        hostApi: [{ limit: 2, periodMs: 60_000 }],
        nochgFlag: [],
      },
      buckets: createBuckets({ clock: () => NOW_MS }),
      flags: createAbuseFlags({ store, clock: () => NOW_MS, log: silentLog }),
    });
    const updates = createUpdateService({ ...deps, allowNonGlobal: false, limits });
    handler = createUpdateHandler({ ...deps, keyring, updates, allowMd5: false, maxFudge: 300 });
    // Each message signed a second later than the one before: the same bytes again would be a replay.
    let signedAt = NOW;
    const change = (value: string) =>
      send(
        {
          updates: [
            { kind: "delete-rrset", name: HOST, type: "A" },
            { kind: "add", name: HOST, type: "A", ttl: 60, value },
          ],
        },
        { from: "81.2.69.1", time: signedAt++ },
      );
    expect((await change(V4B)).rcode).toBe(0);
    expect((await change(V4)).rcode).toBe(0);
    const refused = await change(V4B);
    expect(refused.rcode).toBe(5);
    expectSigned(refused);
    expect(await sets(HOST)).toEqual({ A: [V4] });
  });
});
