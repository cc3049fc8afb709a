// Answer steering in a DNS worker process (dns.workers): the built worker (dist/cli/dns-worker-main.js)
// forked by the real pool answers a hashed name with one address chosen as the primary's engine
// chooses it; a rule set before the worker starts reaches it with its first load, a rule changed later
// with the next batch (visible once settled() resolves), and a removed rule gives back the whole set.

import dgram from "node:dgram";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsLimits } from "../../src/config/server-config.js";
import { silentLog } from "../../src/core/log.js";
import { answerQuery } from "../../src/dns/answer/engine.js";
import { createAnswerSteering, type SteeringRule } from "../../src/dns/answer/steering.js";
import { ZoneIndex } from "../../src/dns/answer/zone-index.js";
import { ecs, withOption } from "../../src/dns/testing/ecs.js";
import { buildQuery, decode, SNAPSHOT } from "../../src/dns/testing/fixtures.js";
import { createDnsWorkerPool, type DnsWorkerPool } from "../../src/dns/workers/pool.js";
import type { Snapshot } from "../../src/store/types.js";
import { ROOT } from "./support/beacon.js";
import { udpExchange } from "./support/udp.js";

const POOL = "pool.example.test";
const ADDRESSES = Array.from({ length: 8 }, (_, i) => `192.0.2.${10 + i}`);
const snapshot: Snapshot = {
  ...SNAPSHOT,
  hosts: [
    ...SNAPSHOT.hosts,
    {
      id: 99,
      fqdn: POOL,
      zone: "example.test",
      ttl: undefined,
      description: "",
      createdAt: 0,
      implicit: false,
    },
  ],
  rrsets: [...SNAPSHOT.rrsets, { fqdn: POOL, type: "A", ttl: 20, values: ADDRESSES, updatedAt: 0 }],
};
const limits: DnsLimits = {
  rrlResponsesPerSecond: 0,
  rrlWindowSeconds: 15,
  rrlSlip: 2,
  rrlIpv4PrefixLength: 24,
  rrlIpv6PrefixLength: 56,
  rrlTableSize: 1000,
  rrlExempt: [],
  maxTcpConnectionsPerClient: 0,
  tcpIpv4PrefixLength: 24,
  tcpIpv6PrefixLength: 56,
  tcpTransferConnections: 0,
  tcpLifetimeMs: 0,
  maxTcpQueuedReplies: 64,
  maxMessageBytes: 65535,
};
const hashed: SteeringRule = { mode: "hashed", weights: new Map(ADDRESSES.map((a) => [a, 1])) };

/** A UDP port free a moment ago (the pool binds fixed ports). */
function freePort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  return new Promise((resolve) =>
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    }),
  );
}

const steering = createAnswerSteering();
const index = new ZoneIndex();
index.load(snapshot);
let pool: DnsWorkerPool;
let port = 0;

beforeAll(async () => {
  steering.set(POOL, "A", hashed); // before the worker exists: it must come with the first load
  pool = createDnsWorkerPool({
    workers: 1,
    snapshot: () => Promise.resolve(snapshot),
    logLevel: "error",
    logFormat: "json",
    limits,
    log: silentLog,
    steering,
    script: join(ROOT, "dist/cli/dns-worker-main.js"),
  });
  port = await freePort();
  await pool.start([{ host: "127.0.0.1", port }], () => undefined);
});
afterAll(async () => {
  await pool?.close();
});

const answers = async (msg: Uint8Array) =>
  (decode(await udpExchange(port, msg)).msg.answers ?? []).map((a) => String(a.data));
/** The primary's own choice for a query from `remoteAddress`. */
const expected = (msg: Uint8Array, remoteAddress: string) =>
  (decode(answerQuery(msg, index, { transport: "udp", remoteAddress }, steering)).msg.answers ?? []).map(
    (a) => String(a.data),
  );

describe("a DNS worker with answer steering", () => {
  it("answers a hashed name with the primary's choice, per ECS subnet and per source", async () => {
    expect(pool.pids()).toHaveLength(1);
    for (let k = 0; k < 12; k++) {
      const q = withOption(buildQuery(POOL), ecs(1, 24, 0, [10, 7, k]));
      const got = await answers(q);
      expect(got).toHaveLength(1);
      expect(got).toEqual(expected(q, "127.0.0.1"));
    }
    expect(await answers(buildQuery(POOL))).toEqual(expected(buildQuery(POOL), "127.0.0.1"));
  });

  it("follows a rule changed after start (once settled) and gives the whole set back when it is removed", async () => {
    const only = ADDRESSES[5]!;
    steering.set(POOL, "A", { mode: "weighted", weights: new Map([[only, 1]]) });
    await pool.settled();
    for (let i = 0; i < 10; i++) expect(await answers(buildQuery(POOL))).toEqual([only]);
    steering.set(POOL, "A", undefined);
    await pool.settled();
    expect((await answers(buildQuery(POOL))).sort()).toEqual(ADDRESSES);
  });
});
