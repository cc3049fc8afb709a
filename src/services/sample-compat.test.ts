import { beforeEach, describe, expect, it } from "vitest";
import { requireIp } from "../core/ip.js";
import { silentLog } from "../core/log.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/ports.js";
import { createUpdateService } from "./apply-update.js";
import { createSampleCompat, sampleHash, type SampleCompat } from "./sample-compat.js";
import { recordingListener } from "./testing/recorders.js";
import { createWriteQueue } from "./write-queue.js";
import { createZoneService, type ZoneService } from "./zones.js";

const SECRET = "SuP3R_5eCR3T";
const HOST = "www.example.com";
const V4 = "81.2.69.142";
const V4B = "81.2.69.160";
const V6 = "2a02:8070:a1b2::1";
const hex = (ip: string, hostname = HOST, secret = SECRET) =>
  sampleHash(ip, hostname, secret).toString("hex");

let store: Store;
let zones: ZoneService;
let sample: SampleCompat;
let now: number;

async function setup(allowNonGlobal = false): Promise<void> {
  store = createMemoryStore();
  now = 1_700_000_000_000;
  const queue = createWriteQueue();
  const listener = recordingListener([]);
  zones = createZoneService({ store, clock: () => now, listener, queue });
  await zones.addZone("example.com", { ttl: 60 });
  const host = await zones.addHost(HOST);
  await store.putSampleCredential({
    fqdn: HOST,
    secret: SECRET,
    hostId: host.id,
    createdAt: now,
    lastUsedAt: undefined,
  });
  const updates = createUpdateService({
    store,
    clock: () => now,
    listener,
    log: silentLog,
    allowNonGlobal,
    queue,
  });
  sample = createSampleCompat({ store, updates, clock: () => now, log: silentLog });
}

const set = (ip: string, hash: string, hostname = HOST) =>
  sample.set({ source: requireIp(ip), hostname, hash, userAgent: "curl/8.5.0" });
const values = async (type: "A" | "AAAA") =>
  (await store.getRRSets(HOST)).find((s) => s.type === type)?.values;

beforeEach(() => setup());

describe("AWS sample: set", () => {
  it("writes the source's A with a good hash, then nochg; history says aws-sample and the synthetic token", async () => {
    expect(await set(V4, hex(V4))).toMatchObject({ status: "good", fqdn: HOST });
    expect(await set(V4, hex(V4))).toMatchObject({ status: "nochg" });
    expect(await values("A")).toEqual([V4]);
    const [entry] = await store.listHistory(HOST);
    expect(entry).toMatchObject({ protocol: "aws-sample", tokenId: `sample:${HOST}`, sourceIp: V4 });
    expect((await store.getSampleCredential(HOST))?.lastUsedAt).toBe(now);
    // Never stored as a token.
    expect(await store.listTokens()).toEqual([]);
  });

  it("refuses a wrong secret, a hash of another address and a hash replayed from another address", async () => {
    expect(await set(V4, hex(V4, HOST, "wrong"))).toEqual({ status: "denied" });
    expect(await set(V4, hex(V4B))).toEqual({ status: "denied" });
    // Seen on the path from V4B, sent again from V4: it covers V4B, so it proves nothing for V4.
    expect(await set(V4B, hex(V4B))).toMatchObject({ status: "good" });
    expect(await set(V4, hex(V4B))).toEqual({ status: "denied" });
    expect(await values("A")).toEqual([V4B]);
  });

  it("takes a hash replayed from the same address (the protocol's weakness): it can only ask for that address", async () => {
    expect(await set(V4, hex(V4))).toMatchObject({ status: "good" });
    expect(await set(V4, hex(V4))).toMatchObject({ status: "nochg" });
  });

  it("answers denied alike for an unknown name, a host without a credential and a re-created host", async () => {
    await zones.addHost("other.example.com");
    expect(await set(V4, hex(V4, "nohost.example.com"), "nohost.example.com")).toEqual({ status: "denied" });
    expect(await set(V4, hex(V4, "other.example.com"), "other.example.com")).toEqual({ status: "denied" });
    await zones.removeHost(HOST);
    await zones.addHost(HOST);
    expect(await set(V4, hex(V4))).toEqual({ status: "denied" });
    expect(await values("A")).toBeUndefined();
  });

  it("writes AAAA for an IPv6 source and leaves A alone", async () => {
    await set(V4, hex(V4));
    expect(await set(V6, hex(V6))).toMatchObject({ status: "good" });
    expect(await values("AAAA")).toEqual([V6]);
    expect(await values("A")).toEqual([V4]);
  });

  it("refuses an address the update policy refuses (private), recorded, nothing written", async () => {
    expect(await set("10.1.2.3", hex("10.1.2.3"))).toMatchObject({ status: "failed", code: "ip_not_global" });
    expect(await values("A")).toBeUndefined();
  });

  it("hashes the hostname as sent: a trailing dot or capitals are the client's, the host the same", async () => {
    expect(await set(V4, hex(V4, "WWW.example.com."), "WWW.example.com.")).toMatchObject({ status: "good" });
    expect(await set(V4, hex(V4, HOST), "WWW.example.com.")).toEqual({ status: "denied" });
  });

  it("takes the hex digest in either case", async () => {
    expect(await set(V4, hex(V4).toUpperCase())).toMatchObject({ status: "good" });
  });

  it.each([
    ["empty", ""],
    ["63 hex digits", "a".repeat(63)],
    ["65 hex digits", "a".repeat(65)],
    ["the right digest and a suffix", `${hex(V4)}x`],
    ["non-hex", "g".repeat(64)],
    ["spaces", ` ${hex(V4).slice(1)}`],
    ["10 000 characters", "a".repeat(10_000)],
  ])("takes a malformed hash (%s) as a mismatch", async (_what, hash) => {
    expect(await set(V4, hash)).toEqual({ status: "denied" });
  });

  it.each([
    ["empty", ""],
    ["a bare dot", "."],
    ["a space", "www example.com"],
    ["300 characters", `${"a".repeat(300)}.example.com`],
    ["a NUL", "www.example.com\u0000"],
  ])("refuses a bad hostname (%s)", async (_what, hostname) => {
    expect(await set(V4, hex(V4, hostname), hostname)).toEqual({ status: "denied" });
  });
});
