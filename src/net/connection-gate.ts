// How many connections a listener holds at once: at most `max` in all, and at most `perClient` from
// one client network — an IPv4 address, or an IPv6 /64 (one host is given a whole /64, so counting
// exact IPv6 addresses would let a single client take every slot). Addresses in `exempt` (trusted
// reverse proxies, which carry many clients) count toward the total only.
//
// A refused connection is never silent: it is counted by reason (`onRefused`, for metrics) and
// reported in bounded form — the first refusal at once, then at most one summary line per
// `reportEveryMs` with the counts since the last line and one client as a sample (flush() writes
// what is left, e.g. from a timer and at close).

import { Buffer } from "node:buffer";
import ipaddr from "ipaddr.js";
import type { Clock } from "../core/clock.js";
import { inCidr, normalizeSocketAddress } from "../core/ip.js";
import type { Log } from "../core/log.js";

export type RefusalReason = "total_limit" | "per_client_limit" | "accept_failed";

export interface ConnectionGateOptions {
  /** What is limited, for the log ("HTTP"). */
  readonly what: string;
  readonly max: number;
  /** 0: no per-client limit. */
  readonly perClient: number;
  /** CIDRs whose connections count toward `max` only. */
  readonly exempt: readonly string[];
  readonly log: Log;
  readonly clock: Clock;
  /** Default 10 000. */
  readonly reportEveryMs?: number;
  readonly onRefused?: (reason: RefusalReason) => void;
}

export interface ConnectionGate {
  /**
   * Takes a slot for a connection from `address` (the socket's remote address) and returns its
   * release (call it once, when the connection closes), or undefined after recording the refusal.
   */
  admit(address: string | undefined): (() => void) | undefined;
  /** Records a connection the listener could not even accept (EMFILE, ENFILE, …). */
  acceptFailed(code: string | undefined): void;
  /** Connections holding a slot now. */
  open(): number;
  /** Writes the refusals not reported yet, if any. */
  flush(): void;
}

export function createConnectionGate(opts: ConnectionGateOptions): ConnectionGate {
  const reportEveryMs = opts.reportEveryMs ?? 10_000;
  const perNetwork = new Map<string, number>();
  let open = 0;
  let pending = new Map<string, number>();
  let sample: { client?: string; code?: string } = {};
  let lastReport: number | undefined;

  const flush = (): void => {
    if (pending.size === 0) return;
    const refused = Object.fromEntries(pending);
    opts.log.warn(
      { refused, ...sample, open, max: opts.max, perClient: opts.perClient },
      `${opts.what} connections refused`,
    );
    pending = new Map();
    sample = {};
    lastReport = opts.clock();
  };

  const refuse = (reason: RefusalReason, example: { client?: string; code?: string }): void => {
    opts.onRefused?.(reason);
    pending.set(reason, (pending.get(reason) ?? 0) + 1);
    if (sample.client === undefined && sample.code === undefined) sample = example;
    if (lastReport === undefined || opts.clock() - lastReport >= reportEveryMs) flush();
  };

  return {
    admit(address) {
      const ip = normalizeSocketAddress(address);
      const network =
        ip === undefined || opts.perClient === 0 || opts.exempt.some((c) => inCidr(ip, c))
          ? undefined
          : networkOf(ip.text, ip.family);
      const client = ip?.text ?? "unknown";
      const held = network === undefined ? 0 : (perNetwork.get(network) ?? 0);
      const full =
        open >= opts.max
          ? "total_limit"
          : network !== undefined && held >= opts.perClient
            ? "per_client_limit"
            : undefined;
      if (full !== undefined) {
        refuse(full, { client });
        return undefined;
      }
      open++;
      if (network !== undefined) perNetwork.set(network, held + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open--;
        if (network === undefined) return;
        const left = (perNetwork.get(network) ?? 1) - 1;
        if (left <= 0) perNetwork.delete(network);
        else perNetwork.set(network, left);
      };
    },
    acceptFailed(code) {
      refuse("accept_failed", code === undefined ? {} : { code });
    },
    open: () => open,
    flush,
  };
}

/** The counting unit: the address itself for IPv4, its /64 for IPv6. */
function networkOf(text: string, family: 4 | 6): string {
  if (family === 4) return text;
  const bytes = ipaddr.IPv6.parse(text).toByteArray().slice(0, 8);
  return `${Buffer.from(bytes).toString("hex")}::/64`;
}
