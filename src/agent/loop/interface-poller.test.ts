import { describe, expect, test } from "vitest";
import { silentLog, type Log } from "../../core/log.js";
import { createInterfacePoller } from "./interface-poller.js";
import { createFakeTime } from "../../core/testing/fake-time.js";
import { fakeInterfaces, ifaceAddress } from "../testing/fakes.js";

/** `failing()`: when true, the next reads fail. */
function harness(log: Log = silentLog, failing = () => false) {
  const time = createFakeTime();
  const interfaces = fakeInterfaces([ifaceAddress("eth0", "10.0.0.2"), ifaceAddress("eth1", "10.0.1.2")]);
  const changes: string[][] = [];
  const poller = createInterfacePoller({
    timers: time.timers,
    log,
    readInterfaces: () => (failing() ? Promise.reject(new Error("netlink down")) : interfaces.read()),
    pollMs: 1_000,
    onChange: (changed) => changes.push([...changed].sort()),
  });
  return { time, interfaces, changes, poller };
}

describe("interface poller", () => {
  test("the first poll is the baseline; each later one reports the interfaces that changed", async () => {
    const h = harness();
    h.poller.start();
    await h.time.advance(5_000);
    expect(h.interfaces.reads).toBe(6); // at once, then every second
    expect(h.changes).toEqual([]);
    h.interfaces.table = [ifaceAddress("eth0", "10.0.0.3"), ifaceAddress("wg0", "10.9.0.1")];
    await h.time.advance(1_000);
    expect(h.changes).toEqual([["eth0", "eth1", "wg0"]]);
    await h.time.advance(3_000);
    expect(h.changes).toHaveLength(1);
  });

  test("a failed read is logged and polling goes on", async () => {
    const seen: string[] = [];
    const log: Log = { ...silentLog, debug: (_o, msg) => void seen.push(msg ?? "") };
    let fail = true;
    const h = harness(log, () => fail);
    h.poller.start();
    await h.time.advance(1_000);
    expect(seen).toEqual(["cannot read interfaces", "cannot read interfaces"]);
    fail = false;
    await h.time.advance(1_000); // the baseline
    h.interfaces.table = [];
    await h.time.advance(1_000);
    expect(h.changes).toEqual([["eth0", "eth1"]]);
  });

  test("start twice polls once per period; stop leaves no timer and polls no more", async () => {
    const h = harness();
    h.poller.start();
    h.poller.start();
    await h.time.advance(2_000);
    expect(h.interfaces.reads).toBe(3);
    h.poller.stop();
    expect(h.time.pending()).toEqual([]);
    h.poller.start();
    await h.time.advance(5_000);
    expect(h.interfaces.reads).toBe(3);
  });
});
