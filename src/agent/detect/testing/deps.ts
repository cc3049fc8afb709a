// Fake SourceDeps for tests: every function fails unless overridden, so a test states exactly which
// part of the network a source may touch.

import { BeaconError } from "../../../core/errors.js";
import type { SourceDeps } from "../types.js";

const refuse = (what: string) => () => Promise.reject(new BeaconError("network_error", `${what}: not faked`));

/** Every function rejects with `network_error` unless overridden. */
export function fakeDeps(overrides: Partial<SourceDeps> = {}): SourceDeps {
  return {
    httpRequest: refuse("httpRequest"),
    dnsQuery: refuse("dnsQuery"),
    readInterfaces: refuse("readInterfaces"),
    runCommand: refuse("runCommand"),
    clock: () => 1_700_000_000_000,
    ...overrides,
  };
}

/** Every function throws synchronously (a broken adapter), which no source may let escape. */
export function throwingDeps(): SourceDeps {
  const boom = (): never => {
    throw new Error("adapter exploded");
  };
  return { httpRequest: boom, dnsQuery: boom, readInterfaces: boom, runCommand: boom, clock: boom };
}

/** Every call waits until its signal aborts, then rejects; calls without a signal never settle. */
export function hangingDeps(): SourceDeps {
  const wait = (signal: AbortSignal | undefined) =>
    new Promise<never>((_, reject) => {
      if (signal === undefined) return;
      const stop = () => reject(new BeaconError("aborted", "aborted"));
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
    });
  return {
    httpRequest: (_url, o) => wait(o.signal),
    dnsQuery: (o) => wait(o.signal),
    readInterfaces: () => wait(undefined),
    runCommand: (_argv, o) => wait(o.signal),
    clock: () => 0,
  };
}
