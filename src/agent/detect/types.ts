// The IP source port. One file per source type in this folder plus a line in registry.ts; every
// source passes the contract suite in detect/testing/contract.ts.
//
// Contract:
// - observe() never throws and never hangs past ctx.signal: it resolves with an Observation.
// - An `ok` observation carries exactly one parsed address of the requested family. The source does
//   NOT judge whether the address is publishable (global unicast); the verdict does, so that a lying
//   source is reported as lying.
// - Anything else (HTTP error, HTML page, empty body, two addresses, wrong family, timeout) is a
//   failed observation with a stable `reason` and a human `detail`.

import type { IpFamily, ParsedIp } from "../../core/ip.js";
import type { z } from "zod";
import type { ReadInterfaces, RunCommand } from "../system/types.js";
import type { HttpRequest } from "../../net/http.js";
import type { DnsQuery } from "../../dns/client/ports.js";
import type { Clock } from "../../core/clock.js";

export type FailureReason =
  | "timeout"
  | "network"
  | "http_status"
  | "unparsable"
  | "wrong_family"
  | "ambiguous"
  | "empty"
  | "no_address"
  | "command_failed"
  /** A check of a candidate configuration (the local page) does not run this source: it runs a program. */
  | "not_run";

export type Observation =
  | { readonly ok: true; readonly ip: ParsedIp }
  | { readonly ok: false; readonly reason: FailureReason; readonly detail: string };

export interface ObserveContext {
  readonly family: IpFamily;
  readonly signal: AbortSignal;
  /** Multi-WAN: detect through this local address (resolved from a bound interface by the caller). */
  readonly localAddress: string | undefined;
}

export interface IpSource {
  /** Unique name in the agent's config, used in reports and metrics. */
  readonly id: string;
  /**
   * Who runs the service behind the source ("ipify", "cloudflare", "opendns", "local"). Sources with
   * the same operator are not independent: the quorum counts them once.
   */
  readonly operator: string;
  /** Families this source can answer. */
  readonly families: readonly IpFamily[];
  observe(ctx: ObserveContext): Promise<Observation>;
}

export interface SourceDeps {
  readonly httpRequest: HttpRequest;
  readonly dnsQuery: DnsQuery;
  readonly readInterfaces: ReadInterfaces;
  readonly runCommand: RunCommand;
  readonly clock: Clock;
}

/** A source type: its settings schema (validated by config) and a factory. One per file, one registry line. */
export interface SourceDefinition<S = unknown> {
  readonly type: string;
  readonly description: string;
  readonly settings: z.ZodType<S>;
  /**
   * True when observing starts a program (or could change the machine in any other way). A check of
   * an unsaved configuration (the local page's dry run, src/agent/ui/check-assembly.ts) never runs
   * such a source: it reports `not_run` instead. `create` itself must never start anything.
   */
  readonly runsProgram?: boolean;
  create(id: string, settings: S, deps: SourceDeps): IpSource;
}
