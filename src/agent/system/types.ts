// The agent's view of the network, as injected functions: tests pass fakes, src/cli passes the real
// ones from this folder. Every function honours its AbortSignal and never throws for a remote
// failure: it rejects with a BeaconError whose message says what happened.

import type { IpFamily } from "../../core/ip.js";

/** One address of one interface, as the OS reports it. */
export interface InterfaceAddress {
  readonly interface: string;
  readonly address: string;
  readonly family: IpFamily;
  readonly prefixLength: number;
  /** IPv6 address flags where the OS tells them (Linux /proc/net/if_inet6); false when unknown. */
  readonly temporary: boolean;
  readonly deprecated: boolean;
  readonly tentative: boolean;
  /** MAC of the interface when known ("aa:bb:cc:dd:ee:ff"). */
  readonly mac: string | undefined;
}

/** A snapshot of every interface address. */
export type ReadInterfaces = () => Promise<readonly InterfaceAddress[]>;

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program (no shell) with extra environment; rejects on spawn failure or timeout (signal). */
export type RunCommand = (
  argv: readonly string[],
  opts: {
    readonly env?: Readonly<Record<string, string>>;
    readonly signal: AbortSignal;
    readonly stdin?: string;
  },
) => Promise<CommandResult>;
