// The Prober of services/health/ports.ts over the probe types of this folder, dispatching on
// check.type: tcp.ts, http.ts (http and https), dns.ts, icmp.ts. "heartbeat" and "none" are not
// probed here (the monitor handles them): they fail with "not a probe type". The composition root
// (src/cli) creates one Prober and hands it to the health service.
//
// Promises: never rejects, never throws; gives up after check.timeoutMs or when the signal aborts;
// leaves no socket, timer or child behind; never resolves a name (an address that is not an IP
// fails with "not an ip address").
//
// net/ sits below services/, so the port's two types are restated here; index.test.ts checks that
// createProber() is assignable to services' Prober.

import { isIP } from "node:net";
import type { CheckSpec, ProbeSample } from "../../core/pools.js";
import { systemTimers, type Timers } from "../../core/timers.js";
import type { ProbeContext, ProbeResult } from "./attempt.js";
import { probeDns } from "./dns.js";
import { probeHttp } from "./http.js";
import { findPing, probeIcmp } from "./icmp.js";
import { reasonOf } from "./reasons.js";
import { probeTcp } from "./tcp.js";

/** services/health/ports.ts's ProbeTarget: one address of a member, with the pool's check. */
export interface ProbeTarget {
  readonly address: string;
  readonly check: CheckSpec;
  /** The default Host header, TLS SNI and DNS question. */
  readonly poolName: string;
}

/** services/health/ports.ts's Prober. */
export type Prober = (target: ProbeTarget, signal?: AbortSignal) => Promise<Omit<ProbeSample, "at">>;

export interface ProberDeps {
  /** Beacon's version, sent as User-Agent "Beacon-health/<version>". */
  readonly version?: string;
  readonly timers?: Timers;
  /** Monotonic ms for RTT (default performance.now). */
  readonly now?: () => number;
  /** The ping binary for icmp checks; null: none; default: the first `ping` on PATH, looked up once. */
  readonly ping?: string | null;
}

const DEFAULT_PORTS: Partial<Record<CheckSpec["type"], number>> = { http: 80, https: 443, dns: 53 };

function portOf(check: CheckSpec): number | undefined {
  const port = check.port ?? DEFAULT_PORTS[check.type];
  return port !== undefined && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

export function createProber(deps: ProberDeps = {}): Prober {
  const timers = deps.timers ?? systemTimers;
  const now = deps.now ?? (() => performance.now());
  const userAgent = `Beacon-health/${deps.version ?? "unknown"}`;
  let ping = deps.ping;

  function probe(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeResult> {
    const { address, check } = target;
    if (check.type === "heartbeat" || check.type === "none") return fail("not a probe type");
    if (isIP(address) === 0) return fail("not an ip address");
    if (check.type === "icmp") {
      if (ping === undefined) ping = findPing(process.env["PATH"]) ?? null;
      return probeIcmp(address, ping ?? undefined, ctx);
    }
    const port = portOf(check);
    if (port === undefined) return fail(check.port === undefined ? "no port" : "bad port");
    switch (check.type) {
      case "tcp":
        return probeTcp(address, port, ctx);
      case "dns":
        return probeDns(address, port, check.query ?? target.poolName, ctx);
      case "http":
      case "https":
        return probeHttp(
          {
            address,
            port,
            tls: check.type === "https",
            host: check.host ?? target.poolName,
            path: check.path ?? "/",
            expect: check.expect,
            body: check.body,
            tlsVerify: check.tlsVerify,
            userAgent,
          },
          ctx,
        );
    }
  }

  return (target, signal) => {
    const ctx = { timeoutMs: target.check.timeoutMs, signal, timers, now };
    try {
      return probe(target, ctx).catch((e: unknown) => ({ ok: false, reason: reasonOf(e) }));
    } catch (e) {
      return fail(reasonOf(e));
    }
  };
}

function fail(reason: string): Promise<ProbeResult> {
  return Promise.resolve({ ok: false, reason });
}
