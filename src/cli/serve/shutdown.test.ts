import { describe, expect, test } from "vitest";
import type { DnsServer } from "../../dns/server.js";
import type { Listeners } from "./listen.js";
import { shutdownInOrder, type ShutdownParts } from "./shutdown.js";

/** Parts that log each call as "name" when it starts and "name done" when its promise settles. */
function parts(withWorkers = true) {
  const calls: string[] = [];
  const gates: Record<string, () => void> = {};
  const sync = (name: string) => () => void calls.push(name);
  /** Resolves when the test opens its gate. */
  const gated = (name: string) => () => {
    calls.push(name);
    return new Promise<void>((resolve) => {
      gates[name] = () => {
        calls.push(`${name} done`);
        resolve();
      };
    });
  };
  const listeners: Listeners = { dns: [], http: [], https: [] };
  const p: ShutdownParts = {
    stopWatching: sync("watch"),
    stopSweeping: sync("sweep"),
    admin: { stop: sync("admin") },
    listeners,
    mirrors: { stop: gated("mirrors") },
    pools: { stop: gated("pools") },
    notifier: { stop: gated("notifier") },
    workers: withWorkers ? { close: gated("workers") } : undefined,
    connections: { stop: sync("connections") },
    limits: { stop: gated("limits") },
    store: { close: gated("store") },
  };
  const dnsServer = (port: number): DnsServer => ({ host: "127.0.0.1", port, close: gated(`dns ${port}`) });
  const httpListener = (port: number) => ({
    endpoint: { host: "127.0.0.1", port },
    drain: gated(`http ${port}`),
  });
  const open = async (...names: string[]) => {
    for (const n of names) gates[n]!();
    await new Promise((r) => setImmediate(r));
  };
  return { p, calls, listeners, dnsServer, httpListener, open };
}

describe("shutdownInOrder", () => {
  test("stops timers, then closes listeners and workers together, then saves limits, then closes the store", async () => {
    const { p, calls, listeners, dnsServer, httpListener, open } = parts();
    const close = shutdownInOrder(p);
    // Listeners added after the close function was made (as serve adds them while listening) count.
    listeners.dns.push(dnsServer(53));
    listeners.http.push(httpListener(80), httpListener(8080));
    const closed = close();
    expect(calls).toEqual([
      "watch",
      "sweep",
      "admin",
      "http 80",
      "http 8080",
      "dns 53",
      "mirrors",
      "pools",
      "notifier",
      "workers",
    ]);
    calls.length = 0;
    await open("http 80", "dns 53", "mirrors", "pools", "notifier", "workers");
    expect(calls).not.toContain("connections");
    await open("http 8080");
    expect(calls.slice(-2)).toEqual(["connections", "limits"]);
    await open("limits");
    expect(calls.slice(-2)).toEqual(["limits done", "store"]);
    await open("store");
    await closed;
    expect(calls.at(-1)).toBe("store done");
  });

  test("runs once: a second close gets the same promise", async () => {
    const { p, calls, open } = parts(false);
    const close = shutdownInOrder(p);
    const first = close();
    expect(close()).toBe(first);
    await open("mirrors", "pools", "notifier");
    await open("limits");
    await open("store");
    await first;
    expect(calls.filter((c) => c === "watch")).toHaveLength(1);
    expect(calls).not.toContain("workers");
  });
});
