import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { silentLog } from "../../core/log.js";
import type { AgentRecord } from "./agent-record.js";
import { DYNDNS2_BACKOFF_MIN_MS, RETRY_BASE_MS, RETRY_CAP_MS } from "./backoff.js";
import { detectAddress } from "../detect/verdict.js";
import { createAgentLoop, type AgentLoop, type LoopOptions } from "./loop.js";
import { createMemoryState, createStateFile, stateKey, type StateStore } from "../state-file.js";
import { createFakeTime, type FakeTime } from "../../core/testing/fake-time.js";
import {
  agentRecord,
  fakeDns,
  fakeInterfaces,
  fakeNotifier,
  fakeSource,
  fakeTarget,
  ifaceAddress,
  type FakeDns,
  type FakeInterfaces,
} from "../testing/fakes.js";

const IP1 = "81.2.69.160";
const IP2 = "81.2.69.161";
const INTERVAL = 300_000;
const MIN = 60_000;

const loops: AgentLoop[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const l of loops.splice(0)) await l.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Options {
  state?: StateStore;
  verifyEvery?: number;
  interfaces?: FakeInterfaces;
  dns?: FakeDns;
  time?: FakeTime;
  loop?: Partial<LoopOptions>;
}

function harness(records: readonly AgentRecord[], o: Options = {}) {
  const time = o.time ?? createFakeTime();
  const notifier = fakeNotifier();
  const state = o.state ?? createMemoryState();
  const dns = o.dns ?? fakeDns();
  const loop = createAgentLoop(
    records,
    { intervalMs: INTERVAL, verifyEvery: o.verifyEvery ?? 0, ...o.loop },
    {
      clock: time.clock,
      timers: time.timers,
      random: () => 0.5, // no jitter: scheduled delays are exact
      log: silentLog,
      detect: (sources, opts) => detectAddress(sources, opts, { clock: time.clock }),
      readInterfaces: (o.interfaces ?? fakeInterfaces()).read,
      dnsQuery: dns.query,
      verifyResolver: { host: "10.0.0.53", port: 53 },
      state,
      notifiers: [notifier],
    },
  );
  loops.push(loop);
  /** Delay until the record's next scheduled run. */
  const nextIn = (i = 0) => {
    const at = loop.status()[i]?.nextRunAt;
    return at === undefined ? undefined : at - time.clock();
  };
  return { time, loop, notifier, state, dns, nextIn };
}

function twoSources(answer = IP1) {
  return [fakeSource("a", answer), fakeSource("b", answer)];
}

function setAll(sources: ReturnType<typeof twoSources>, answer: string | undefined) {
  for (const s of sources) s.answer = answer;
}

describe("agent loop: update only on change", () => {
  test("unchanged address: one publish at first, then none across 30 cycles", async () => {
    const sources = twoSources();
    const target = fakeTarget();
    const { loop, time, notifier } = harness([agentRecord(sources, target)]);
    loop.start();
    await time.advance(30 * INTERVAL);
    expect(sources[0]?.calls).toBe(31); // it did keep detecting
    expect(target.calls.map((c) => c.values)).toEqual([[IP1]]);
    expect(target.calls[0]).toMatchObject({
      fqdn: "home.example.com",
      type: "A",
      ttl: 60,
      localAddress: undefined,
    });
    expect(notifier.events.map((e) => [e.kind, e.old, e.new])).toEqual([["change", undefined, [IP1]]]);
    expect(loop.status()[0]).toMatchObject({
      outcome: "unchanged",
      healthy: true,
      published: [IP1],
      failuresTotal: 0,
    });
  });

  test("with the address already published (state), nothing is ever sent", async () => {
    const state = createMemoryState(
      new Map([[stateKey("home.example.com", "A", "home"), { published: { values: [IP1], at: 1 } }]]),
    );
    const target = fakeTarget();
    const { loop, time, notifier } = harness([agentRecord(twoSources(), target)], { state });
    loop.start();
    await time.advance(10 * INTERVAL);
    expect(target.calls).toEqual([]);
    expect(notifier.events).toEqual([]);
    expect(state.saved).toBe(0);
  });

  test("a change is published exactly once, with a change notification naming old and new", async () => {
    const sources = twoSources();
    const target = fakeTarget();
    const { loop, time, notifier, state } = harness([agentRecord(sources, target)]);
    loop.start();
    await time.advance(INTERVAL);
    setAll(sources, IP2);
    await time.advance(5 * INTERVAL);
    expect(target.calls.map((c) => c.values)).toEqual([[IP1], [IP2]]);
    expect(notifier.events.map((e) => [e.kind, e.old, e.new, e.status])).toEqual([
      ["change", undefined, [IP1], "updated"],
      ["change", [IP1], [IP2], "updated"],
    ]);
    expect(state.load().get(stateKey("home.example.com", "A", "home"))?.published?.values).toEqual([IP2]);
  });

  test("the interval is ±10% jittered", async () => {
    const low = createFakeTime();
    const lowLoop = createAgentLoop(
      [agentRecord(twoSources(), fakeTarget())],
      { intervalMs: INTERVAL, verifyEvery: 0 },
      {
        clock: low.clock,
        timers: low.timers,
        random: () => 0,
        log: silentLog,
        detect: (s, o) => detectAddress(s, o),
        readInterfaces: fakeInterfaces().read,
        dnsQuery: fakeDns().query,
        verifyResolver: undefined,
        state: createMemoryState(),
        notifiers: [],
      },
    );
    loops.push(lowLoop);
    lowLoop.start();
    await low.advance(0);
    expect(low.pending()).toEqual([INTERVAL * 0.9]);
  });
});

describe("agent loop: verification", () => {
  test("every Nth cycle compares with target.current() and repairs drift", async () => {
    const target = fakeTarget("home", true);
    target.live = [IP1];
    const { loop, time } = harness([agentRecord(twoSources(), target)], { verifyEvery: 3 });
    loop.start();
    await time.advance(2 * INTERVAL); // cycles 1-3; cycle 3 verifies: live matches
    expect(target.calls).toHaveLength(1);
    expect(loop.status()[0]?.outcome).toBe("verified");
    target.live = ["81.2.69.99"]; // someone changed the record behind our back
    await time.advance(3 * INTERVAL); // cycles 4-6; cycle 6 verifies
    expect(target.calls.map((c) => c.values)).toEqual([[IP1], [IP1]]);
    expect(loop.status()[0]?.outcome).toBe("updated");
  });

  test("without current(), a DNS query at the resolver; NXDOMAIN is drift; SERVFAIL is not", async () => {
    const target = fakeTarget();
    const dns = fakeDns([IP1]);
    const { loop, time } = harness([agentRecord(twoSources(), target)], { verifyEvery: 2, dns });
    loop.start();
    await time.advance(INTERVAL); // cycle 2 verifies: same
    expect(dns.asked.map((q) => [q.server, q.port, q.name, q.type])).toEqual([
      ["10.0.0.53", 53, "home.example.com", "A"],
    ]);
    expect(target.calls).toHaveLength(1);
    dns.rcode = "SERVFAIL";
    await time.advance(2 * INTERVAL); // cycle 4: unreadable → no publish
    expect(target.calls).toHaveLength(1);
    expect(loop.status()[0]?.outcome).toBe("unchanged");
    dns.rcode = "NXDOMAIN";
    await time.advance(2 * INTERVAL); // cycle 6: the record is gone → republish
    expect(target.calls).toHaveLength(2);
  });
});

describe("agent loop: publish results", () => {
  test("fatal stops the record (no timer, no more publishes) until the configuration changes", async () => {
    const sources = twoSources();
    const target = fakeTarget();
    target.script.push({ status: "fatal", code: "badauth", detail: "bad credentials" });
    const { loop, time, notifier, nextIn } = harness([agentRecord(sources, target)]);
    loop.start();
    await time.advance(20 * INTERVAL);
    setAll(sources, IP2);
    await time.advance(5 * INTERVAL);
    expect(target.calls).toHaveLength(1);
    expect(nextIn()).toBeUndefined();
    expect(loop.status()[0]).toMatchObject({ outcome: "fatal", healthy: false, failuresTotal: 1 });
    expect(notifier.events.map((e) => [e.kind, e.status])).toEqual([["failure", "fatal"]]);

    loop.reload([agentRecord(sources, target)]); // same configuration: still stopped
    await time.advance(5 * INTERVAL);
    expect(target.calls).toHaveLength(1);

    loop.reload([agentRecord(sources, target, { fingerprint: "fp-2" })]); // fixed
    await time.advance(0);
    expect(target.calls.map((c) => c.values)).toEqual([[IP1], [IP2]]);
    expect(notifier.events.map((e) => e.kind)).toEqual(["failure", "change", "recovered"]);
  });

  test("a fatal stop survives a restart with the same configuration", async () => {
    const state = createMemoryState();
    const target = fakeTarget();
    target.script.push({ status: "fatal", code: "nohost", detail: "no such host" });
    const first = harness([agentRecord(twoSources(), target)], { state });
    first.loop.start();
    await first.time.advance(INTERVAL);
    await first.loop.stop();
    const second = harness([agentRecord(twoSources(), target)], { state });
    second.loop.start();
    await second.time.advance(10 * INTERVAL);
    expect(target.calls).toHaveLength(1);
    expect(second.loop.status()[0]).toMatchObject({ outcome: "stopped", healthy: false });
  });

  test.each([
    ["911", 0, DYNDNS2_BACKOFF_MIN_MS],
    ["dnserr", 60_000, DYNDNS2_BACKOFF_MIN_MS],
    ["911", 2 * 3_600_000, 2 * 3_600_000],
    ["rate_limited", 120_000, 120_000],
  ])(
    "backoff %s (retryAfter %i ms) waits %i ms before the next attempt",
    async (code, retryAfterMs, wait) => {
      const target = fakeTarget();
      target.script.push({ status: "backoff", code, detail: "server says wait", retryAfterMs });
      const { loop, time, nextIn, notifier } = harness([agentRecord(twoSources(), target)]);
      loop.start();
      await time.advance(0);
      expect(nextIn()).toBe(wait);
      await time.advance(wait - 1);
      expect(target.calls).toHaveLength(1);
      await time.advance(1);
      expect(target.calls).toHaveLength(2);
      expect(notifier.events.map((e) => [e.kind, e.status])).toEqual([
        ["failure", "backoff"],
        ["change", "updated"],
        ["recovered", "updated"],
      ]);
    },
  );

  test("retry doubles from 30 s to the 15 min cap; one failure notification for the episode", async () => {
    const target = fakeTarget();
    for (let i = 0; i < 8; i++)
      target.script.push({ status: "retry", code: "network", detail: "connection refused" });
    const { loop, time, nextIn, notifier } = harness([agentRecord(twoSources(), target)]);
    loop.start();
    const delays: (number | undefined)[] = [];
    await time.advance(0);
    for (let i = 0; i < 8; i++) {
      const d = nextIn();
      delays.push(d);
      await time.advance(d ?? 0);
    }
    expect(delays).toEqual([
      RETRY_BASE_MS,
      2 * RETRY_BASE_MS,
      4 * RETRY_BASE_MS,
      8 * RETRY_BASE_MS,
      16 * RETRY_BASE_MS,
      RETRY_CAP_MS,
      RETRY_CAP_MS,
      RETRY_CAP_MS,
    ]);
    expect(target.calls).toHaveLength(9); // the 9th succeeded
    expect(nextIn()).toBe(INTERVAL);
    expect(loop.status()[0]).toMatchObject({ outcome: "updated", failuresTotal: 8 });
    expect(notifier.events.map((e) => e.kind)).toEqual(["failure", "change", "recovered"]);
  });

  test("noop (nochg) is success: state saved, change notified once", async () => {
    const target = fakeTarget();
    target.script.push({ status: "noop", detail: "nochg" });
    const { loop, time, notifier } = harness([agentRecord(twoSources(), target)]);
    loop.start();
    await time.advance(3 * INTERVAL);
    expect(target.calls).toHaveLength(1);
    expect(notifier.events.map((e) => [e.kind, e.status])).toEqual([["change", "noop"]]);
  });
});

describe("agent loop: detection failures", () => {
  test("disagreement publishes nothing and notifies failure once; agreement later recovers", async () => {
    const a = fakeSource("a", IP1);
    const b = fakeSource("b", "81.2.69.200");
    const target = fakeTarget();
    const { loop, time, notifier } = harness([agentRecord([a, b], target)]);
    loop.start();
    await time.advance(6 * INTERVAL);
    expect(target.calls).toEqual([]);
    expect(loop.status()[0]).toMatchObject({
      outcome: "disagreed",
      healthy: false,
      detection: { status: "disagreed", votes: 1, asked: 2 },
    });
    expect(notifier.events.map((e) => [e.kind, e.status])).toEqual([["failure", "disagreed"]]);
    expect(notifier.events[0]?.new).toEqual([IP1, "81.2.69.200"]);
    b.answer = IP1;
    await time.advance(INTERVAL);
    expect(target.calls).toHaveLength(1);
    expect(notifier.events.map((e) => e.kind)).toEqual(["failure", "change", "recovered"]);
  });

  test("a private address from every source is never published (insufficient)", async () => {
    const target = fakeTarget();
    const { loop, time } = harness([agentRecord(twoSources("192.168.1.10"), target)]);
    loop.start();
    await time.advance(3 * INTERVAL);
    expect(target.calls).toEqual([]);
    expect(loop.status()[0]?.outcome).toBe("insufficient");
  });

  test("failed detection retries sooner than the interval", async () => {
    const sources = twoSources();
    setAll(sources, undefined);
    const { loop, time, nextIn } = harness([agentRecord(sources, fakeTarget())]);
    loop.start();
    await time.advance(0);
    expect(nextIn()).toBe(RETRY_BASE_MS);
  });
});

describe("agent loop: interface changes", () => {
  test("a change on a watched interface runs that record within ~1 s, and only that record", async () => {
    const interfaces = fakeInterfaces([ifaceAddress("eth1", "10.0.1.2"), ifaceAddress("eth2", "10.0.2.2")]);
    const aSources = twoSources();
    const bSources = twoSources();
    const aTarget = fakeTarget("a");
    const bTarget = fakeTarget("b");
    const { loop, time } = harness(
      [
        agentRecord(aSources, aTarget, { fqdn: "a.example.com" }, new Set(["eth1"])),
        agentRecord(bSources, bTarget, { fqdn: "b.example.com" }, new Set(["eth2"])),
      ],
      { interfaces },
    );
    loop.start();
    await time.advance(10_000);
    const before = [aSources[0]?.calls, bSources[0]?.calls];
    expect(before).toEqual([1, 1]);
    setAll(aSources, IP2);
    interfaces.table = [ifaceAddress("eth1", "10.0.1.3"), ifaceAddress("eth2", "10.0.2.2")];
    await time.advance(1_000);
    expect([aSources[0]?.calls, bSources[0]?.calls]).toEqual([2, 1]);
    expect(aTarget.calls.map((c) => c.values)).toEqual([[IP1], [IP2]]);
    expect(bTarget.calls).toHaveLength(1);
  });

  test("records that watch nothing cause no interface polling", async () => {
    const interfaces = fakeInterfaces();
    const { loop, time } = harness([agentRecord(twoSources(), fakeTarget())], { interfaces });
    loop.start();
    await time.advance(60_000);
    expect(interfaces.reads).toBe(0);
  });

  test("a record bound to an interface detects and publishes through that interface's address", async () => {
    const interfaces = fakeInterfaces([ifaceAddress("wan2", "100.64.0.7")]);
    const seen: (string | undefined)[] = [];
    const source = fakeSource("a", IP1);
    const observe = source.observe.bind(source);
    source.observe = (ctx) => {
      seen.push(ctx.localAddress);
      return observe(ctx);
    };
    const target = fakeTarget();
    const { loop, time } = harness(
      [agentRecord([source], target, { quorum: 1, bind: { kind: "interface", interface: "wan2" } })],
      { interfaces },
    );
    loop.start();
    await time.advance(0);
    expect(seen).toEqual(["100.64.0.7"]);
    expect(target.calls[0]?.localAddress).toBe("100.64.0.7");
    interfaces.table = [];
    await time.advance(INTERVAL);
    expect(loop.status()[0]).toMatchObject({ outcome: "error", detail: "bind: no interface named wan2" });
  });
});

describe("agent loop: AAAA for another device", () => {
  test("the detected /64 plus the configured suffix or the MAC's EUI-64", async () => {
    const sources = [
      fakeSource("a", "2a00:1450:4001:81d::200e"),
      fakeSource("b", "2a00:1450:4001:81d::200e"),
    ];
    const suffixTarget = fakeTarget("s");
    const macTarget = fakeTarget("m");
    const { loop, time } = harness([
      agentRecord(sources, suffixTarget, { type: "AAAA", ipv6Host: { kind: "suffix", suffix: "::1234" } }),
      agentRecord(sources, macTarget, { type: "AAAA", ipv6Host: { kind: "mac", mac: "aa:bb:cc:dd:ee:ff" } }),
    ]);
    loop.start();
    await time.advance(0);
    expect(suffixTarget.calls[0]?.values).toEqual(["2a00:1450:4001:81d::1234"]);
    expect(macTarget.calls[0]?.values).toEqual(["2a00:1450:4001:81d:a8bb:ccff:fedd:eeff"]);
  });
});

describe("agent loop: state across restarts", () => {
  function tmpFile(): string {
    const d = mkdtempSync(join(tmpdir(), "beacon-loop-"));
    dirs.push(d);
    return join(d, "state.json");
  }

  test("a restart with an unchanged address publishes nothing", async () => {
    const path = tmpFile();
    const target = fakeTarget();
    const first = harness([agentRecord(twoSources(), target)], { state: createStateFile(path, silentLog) });
    first.loop.start();
    await first.time.advance(INTERVAL);
    await first.loop.stop();
    expect(target.calls).toHaveLength(1);
    const second = harness([agentRecord(twoSources(), target)], { state: createStateFile(path, silentLog) });
    second.loop.start();
    await second.time.advance(3 * INTERVAL);
    expect(target.calls).toHaveLength(1);
    expect(second.loop.status()[0]).toMatchObject({ outcome: "unchanged", published: [IP1] });
  });

  test("a corrupt state file is tolerated: the agent starts and publishes once", async () => {
    const path = tmpFile();
    writeFileSync(path, "\u0000garbage{");
    const target = fakeTarget();
    const { loop, time } = harness([agentRecord(twoSources(), target)], {
      state: createStateFile(path, silentLog),
    });
    loop.start();
    await time.advance(3 * INTERVAL);
    expect(target.calls).toHaveLength(1);
    expect(createStateFile(path, silentLog).load().size).toBe(1);
  });

  test("a stored backoff is honoured after a restart", async () => {
    const state = createMemoryState();
    const target = fakeTarget();
    target.script.push({ status: "backoff", code: "911", detail: "maintenance", retryAfterMs: 0 });
    const first = harness([agentRecord(twoSources(), target)], { state });
    first.loop.start();
    await first.time.advance(0);
    await first.loop.stop();
    const second = harness([agentRecord(twoSources(), target)], { state, time: first.time });
    second.loop.start();
    await second.time.advance(DYNDNS2_BACKOFF_MIN_MS - MIN);
    expect(target.calls).toHaveLength(1);
    await second.time.advance(MIN);
    expect(target.calls).toHaveLength(2);
  });
});

describe("agent loop: runOnce and stop", () => {
  test("runOnce publishes what changed; --force publishes even unchanged; --dry-run publishes nothing", async () => {
    const sources = twoSources();
    const target = fakeTarget();
    const { loop, notifier, state } = harness([agentRecord(sources, target)]);
    expect((await loop.runOnce()).map((r) => r.outcome)).toEqual(["updated"]);
    expect((await loop.runOnce()).map((r) => r.outcome)).toEqual(["unchanged"]);
    expect((await loop.runOnce({ force: true })).map((r) => r.outcome)).toEqual(["updated"]);
    expect(target.calls).toHaveLength(2);
    setAll(sources, IP2);
    const saves = (state as ReturnType<typeof createMemoryState>).saved;
    const dry = await loop.runOnce({ dryRun: true });
    expect(dry.map((r) => [r.outcome, r.desired, r.previous])).toEqual([["would_publish", [IP2], [IP1]]]);
    expect(target.calls).toHaveLength(2);
    expect((state as ReturnType<typeof createMemoryState>).saved).toBe(saves);
    expect(notifier.events.map((e) => e.kind)).toEqual(["change"]);
  });

  test("stop aborts an in-flight publish and resolves", async () => {
    const target = fakeTarget();
    target.hang = true;
    const { loop, time } = harness([agentRecord(twoSources(), target)]);
    loop.start();
    await time.advance(0);
    expect(target.calls).toHaveLength(1);
    await loop.stop();
    expect(target.calls[0]?.signal.aborted).toBe(true);
    expect(time.pending()).toEqual([]);
  });

  test("a publish that never answers is bounded by the publish timeout and retried", async () => {
    const target = fakeTarget();
    target.hang = true;
    const { loop, time, nextIn } = harness([agentRecord(twoSources(), target)], {
      loop: { publishTimeoutMs: 20_000 },
    });
    loop.start();
    await time.advance(20_000);
    expect(loop.status()[0]?.outcome).toBe("retry");
    expect(nextIn()).toBe(RETRY_BASE_MS);
  });
});

describe("agent loop: runNow and the last per-source report", () => {
  test("runNow runs every record's cycle at once, before its timer; status keeps each source's answer", async () => {
    const sources = [fakeSource("a", IP1), fakeSource("b", IP1), fakeSource("c", undefined)];
    const target = fakeTarget();
    const { loop, time, nextIn } = harness([agentRecord(sources, target)]);
    expect(loop.status()[0]?.sources).toBeUndefined(); // not run yet
    loop.start();
    await time.advance(0);
    expect(target.calls).toHaveLength(1);
    expect(nextIn()).toBe(INTERVAL);
    const reports = loop.status()[0]?.sources ?? [];
    expect(reports.map((r) => [r.id, r.accepted, r.rejection])).toEqual([
      ["a", true, undefined],
      ["b", true, undefined],
      ["c", false, "network"],
    ]);
    for (const s of sources.slice(0, 2)) s.answer = IP2;
    loop.runNow();
    await time.flush();
    expect(target.calls.map((c) => c.values)).toEqual([[IP1], [IP2]]);
    expect(loop.status()[0]?.sources?.map((r) => r.detail)).toEqual([
      `reported ${IP2}`,
      `reported ${IP2}`,
      "network: fake source down",
    ]);
    expect(nextIn()).toBe(INTERVAL); // rescheduled from now
  });

  test("runNow after stop() does nothing", async () => {
    const target = fakeTarget();
    const { loop, time } = harness([agentRecord(twoSources(), target)]);
    await loop.stop();
    loop.runNow();
    await time.flush();
    expect(target.calls).toHaveLength(0);
  });
});

describe("agent loop: heartbeats", () => {
  test("they run from start() to stop() on their own interval; runOnce() sends none; reload() follows", async () => {
    const target = fakeTarget();
    const beats: (string | undefined)[] = [];
    const withBeats = Object.assign(target, {
      heartbeat: (req: { fqdn: string; localAddress: string | undefined }) => {
        beats.push(req.fqdn);
        return Promise.resolve({ status: "ok" as const, pools: ["www"], detail: "accepted" });
      },
    });
    const record = agentRecord(twoSources(), withBeats, { heartbeat: { intervalMs: 10_000 } });
    const { loop, time } = harness([record]);
    await loop.runOnce();
    expect(beats).toEqual([]);
    loop.start();
    await time.advance(0);
    expect(beats).toEqual(["home.example.com"]);
    await time.advance(30_000);
    expect(beats).toHaveLength(4);
    expect(loop.heartbeats()).toMatchObject([{ fqdn: "home.example.com", outcome: "ok", sentTotal: 4 }]);
    loop.reload([agentRecord(twoSources(), withBeats)]); // heartbeat removed from the record
    await time.advance(30_000);
    expect(beats).toHaveLength(4);
    expect(loop.heartbeats()).toEqual([]);
    await loop.stop();
    expect(time.pending()).toEqual([]);
  });
});
