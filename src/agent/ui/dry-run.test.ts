import { describe, expect, test } from "vitest";
import { detectAddress } from "../detect/verdict.js";
import type { RecordStatus } from "../loop/record-state.js";
import { createFakeTime } from "../../core/testing/fake-time.js";
import { agentRecord, fakeDns, fakeInterfaces, fakeSource, fakeTarget } from "../testing/fakes.js";
import { dryRunRecords } from "./dry-run.js";

const IP1 = "81.2.69.160";
const IP2 = "81.2.69.161";

function deps() {
  const time = createFakeTime();
  return {
    clock: time.clock,
    timers: time.timers,
    detect: (s: Parameters<typeof detectAddress>[0], o: Parameters<typeof detectAddress>[1]) =>
      detectAddress(s, o, { clock: time.clock }),
    readInterfaces: fakeInterfaces().read,
    dnsQuery: fakeDns().query,
    verifyResolver: undefined,
    publishTimeoutMs: 1_000,
  };
}

function running(over: Partial<RecordStatus>): RecordStatus {
  return {
    fqdn: "home.example.com",
    type: "A",
    target: "home",
    outcome: "fatal",
    healthy: false,
    detail: "badauth",
    published: [IP1],
    publishedAt: 1,
    lastRunAt: 1,
    lastSuccessAt: undefined,
    failuresTotal: 1,
    detection: undefined,
    sources: undefined,
    nextRunAt: undefined,
    ...over,
  };
}

describe("dryRunRecords", () => {
  test("compares with what the running agent published; never publishes, even for a stopped record", async () => {
    const target = fakeTarget();
    const same = agentRecord([fakeSource("a", IP1), fakeSource("b", IP1)], target);
    const moved = agentRecord([fakeSource("a", IP2), fakeSource("b", IP2)], target, {
      fqdn: "b.example.com",
    });
    const fresh = agentRecord([fakeSource("a", IP2), fakeSource("b", IP2)], target, {
      fqdn: "new.example.com",
    });
    const now = [running({}), running({ fqdn: "b.example.com" })];
    const reports = await dryRunRecords([same, moved, fresh], now, deps(), new AbortController().signal);
    expect(reports.map((r) => [r.fqdn, r.outcome, r.desired, r.previous])).toEqual([
      ["home.example.com", "unchanged", [IP1], [IP1]],
      ["b.example.com", "would_publish", [IP2], [IP1]],
      ["new.example.com", "would_publish", [IP2], undefined],
    ]);
    expect(reports[1]?.sources?.map((s) => s.id)).toEqual(["a", "b"]);
    expect(target.calls).toEqual([]);
  });

  test("an aborted run ends every source as a timeout instead of hanging", async () => {
    const hang = { ...fakeSource("slow", IP1), observe: () => new Promise<never>(() => undefined) };
    const ac = new AbortController();
    ac.abort(new Error("page closed"));
    const [r] = await dryRunRecords(
      [agentRecord([hang], fakeTarget(), { quorum: 1 })],
      [],
      deps(),
      ac.signal,
    );
    expect(r?.outcome).toBe("insufficient");
    expect(r?.sources?.[0]?.rejection).toBe("timeout");
  });
});
