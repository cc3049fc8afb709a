// Answer steering over a real UDP socket: the server's handler (the answer cache in front of the
// engine, as `beacon serve` wires it) answers a hashed name by the client's network — the ECS subnet
// when the query has one, else the packet's source (127.0.0.1, and ::1 when the host has IPv6).

import dgram from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../core/log.js";
import { createAnswerCache } from "./answer/answer-cache.js";
import { answerQuery } from "./answer/engine.js";
import { createAnswerSteering } from "./answer/steering.js";
import { ZoneIndex } from "./answer/zone-index.js";
import { startDnsServer, type DnsServer } from "./server.js";
import { ecs, withOption } from "./testing/ecs.js";
import { buildQuery, decode, SNAPSHOT } from "./testing/fixtures.js";

const POOL = "pool.example.test";
const ADDRESSES = Array.from({ length: 8 }, (_, i) => `192.0.2.${10 + i}`);
const index = new ZoneIndex();
index.load(SNAPSHOT);
index.hostChanged(POOL, "example.test", [{ type: "A", ttl: 20, values: ADDRESSES }]);
const steering = createAnswerSteering();
steering.set(POOL, "A", { mode: "hashed", weights: new Map(ADDRESSES.map((a) => [a, 1])) });
const cache = createAnswerCache(index, { steering });

const servers: DnsServer[] = [];
beforeAll(async () => {
  for (const host of ["127.0.0.1", "::1"]) {
    try {
      servers.push(
        await startDnsServer({
          host,
          port: 0,
          handler: (m, ctx) => cache.hit(m) ?? cache(m, ctx),
          log: silentLog,
        }),
      );
    } catch {
      console.warn(`steering-server.test: no ${host} here; that part is skipped`);
    }
  }
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function udpQuery(server: DnsServer, msg: Uint8Array): Promise<string[]> {
  const socket = dgram.createSocket(server.host.includes(":") ? "udp6" : "udp4");
  return new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no udp reply")), 5000);
    socket.once("message", (reply) => {
      clearTimeout(timer);
      resolve((decode(new Uint8Array(reply)).msg.answers ?? []).map((a) => String(a.data)));
    });
    socket.send(msg, server.port, server.host);
  }).finally(() => socket.close());
}

/** What the engine answers for `remoteAddress`, in-process. */
const expected = (remoteAddress: string, q = buildQuery(POOL)) =>
  (decode(answerQuery(q, index, { transport: "udp", remoteAddress }, steering)).msg.answers ?? []).map((a) =>
    String(a.data),
  );

describe("hashed answers over UDP", () => {
  it("follow the ECS subnet of each query (two subnets that hash apart), and the source without one", async () => {
    const v4 = servers.find((s) => s.host === "127.0.0.1")!;
    const subnet = (k: number) => withOption(buildQuery(POOL), ecs(1, 24, 0, [10, 0, k]));
    // two subnets whose choices differ (found among the first few; 8 addresses make a clash rare)
    const ks = [...Array(20).keys()];
    const first = expected("10.0.0.1");
    const k2 = ks.find((k) => expected(`10.0.${k}.1`)[0] !== first[0])!;
    expect(k2).toBeDefined();
    for (const k of [0, k2]) {
      const got = await udpQuery(v4, subnet(k));
      expect(got).toHaveLength(1);
      expect(got).toEqual(expected(`10.0.${k}.1`));
    }
    expect(await udpQuery(v4, buildQuery(POOL))).toEqual(expected("127.0.0.1"));
  });

  it("from ::1 hash the IPv6 /48 of the source", async () => {
    const v6 = servers.find((s) => s.host === "::1");
    if (v6 === undefined) return;
    const got = await udpQuery(v6, buildQuery(POOL));
    expect(got).toHaveLength(1);
    expect(got).toEqual(expected("::1"));
  });
});
