import dgram from "node:dgram";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import type { Prober } from "../../services/health/ports.js";
import { createProber } from "./index.js";
import { check, closedPort, listen, rawServer, shut } from "./testing/servers.js";

const probe = createProber();

/** Counts of the process's active handles and requests by kind. */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

const key = (m: Map<string, number>) => JSON.stringify([...m].sort());
const tick = () => new Promise((r) => setTimeout(r, 10));

/** The kinds of which `now` has more than `baseline`, with their extra counts. */
function extra(now: Map<string, number>, baseline: Map<string, number>): Record<string, number> {
  const more = [...now].map(([kind, n]) => [kind, n - (baseline.get(kind) ?? 0)] as const);
  return Object.fromEntries(more.filter(([, n]) => n > 0));
}

/** Waits (at most 200 turns of 10 ms) until nothing is active beyond `baseline`; returns what still is. */
async function extraAfterSettling(baseline: Map<string, number>): Promise<Record<string, number>> {
  let left = extra(resources(), baseline);
  for (let i = 0; i < 200 && Object.keys(left).length > 0; i++, left = extra(resources(), baseline))
    await tick();
  return left;
}

/** The resources once they stop changing (5 turns alike, at most 200 turns): closes still under way end first. */
async function quiet(): Promise<Map<string, number>> {
  let last = resources();
  for (let i = 0, same = 0; i < 200 && same < 5; i++) {
    await tick();
    const now = resources();
    same = key(now) === key(last) ? same + 1 : 0;
    last = now;
  }
  return last;
}

describe("createProber", () => {
  it("implements the health service's Prober port", () => {
    expectTypeOf(probe).toMatchTypeOf<Prober>();
  });

  it("does not probe heartbeat and none checks", async () => {
    for (const type of ["heartbeat", "none"] as const)
      expect(await probe({ address: "127.0.0.1", poolName: "p", check: check(type) })).toEqual({
        ok: false,
        reason: "not a probe type",
      });
  });

  it("never rejects, whatever the target", async () => {
    const hostile = [
      { address: "127.0.0.1", poolName: "p", check: check("http", { port: 1, path: "/a b\n" }) },
      { address: "127.0.0.1", poolName: "p", check: check("https", { port: 1, host: "bad host\r\nx: y" }) },
      { address: "127.0.0.1", poolName: "p", check: check("tcp", { port: 1, timeoutMs: Number.NaN }) },
      { address: "127.0.0.1", poolName: "p", check: { ...check("dns"), type: "smtp" as never } },
    ];
    for (const target of hostile) {
      const r = await probe(target);
      expect(r.ok).toBe(false);
      expect(typeof r.reason).toBe("string");
    }
  });

  it("measures RTT with the injected clock: one reading at the start, one at the answer", async () => {
    let reads = 0;
    const clocked = createProber({ now: () => 10 * reads++ });
    const tcp = rawServer(() => {});
    const http = rawServer((s) =>
      s.once("data", () => s.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")),
    );
    const [tcpPort, httpPort] = [await listen(tcp), await listen(http)];
    try {
      for (const c of [check("tcp", { port: tcpPort }), check("http", { port: httpPort })]) {
        reads = 0;
        expect(await clocked({ address: "127.0.0.1", poolName: "p.example.test", check: c })).toEqual({
          ok: true,
          rttMs: 10,
        });
      }
    } finally {
      await Promise.all([shut(tcp), shut(http)]);
    }
  });

  describe("leaves nothing behind", () => {
    // reads what arrives, so it sees each probe's close and drops its side
    const stall = rawServer((socket) => socket.resume());
    afterAll(() => shut(stall));

    it("after many failed, timed-out and aborted probes of every type", async () => {
      const stallPort = await listen(stall);
      const refused = await closedPort();
      const silentUdp = dgram.createSocket("udp4");
      await new Promise<void>((r) => silentUdp.bind(0, "127.0.0.1", r));
      const udpPort = silentUdp.address().port;
      const baseline = await quiet();

      const quick = { timeoutMs: 50 };
      const targets = [
        check("tcp", { port: refused }),
        check("tcp", { port: stallPort }),
        check("http", { port: refused }),
        check("http", { port: stallPort, ...quick }),
        check("https", { port: stallPort, ...quick }),
        check("dns", { port: udpPort, ...quick }),
        check("dns", { port: refused, ...quick }),
      ];
      const results = [];
      for (let round = 0; round < 10; round++) {
        const ac = new AbortController();
        const batch = targets.map((c) =>
          probe({ address: "127.0.0.1", poolName: "p.example.test", check: c }, ac.signal),
        );
        if (round % 2 === 1) ac.abort();
        results.push(...(await Promise.all(batch)));
      }
      expect(results.filter((r) => !r.ok && r.reason === "timeout").length).toBeGreaterThan(0);
      expect(results.filter((r) => !r.ok && r.reason === "aborted").length).toBeGreaterThan(0);

      expect(await extraAfterSettling(baseline)).toEqual({});
      silentUdp.close();
    });
  });
});
