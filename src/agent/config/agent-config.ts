// The built configuration of `beacon agent`, `beacon ip` and `beacon update`: validated, defaults
// applied, paths absolute, secrets read from their files, every source/target/notifier's settings
// already parsed by that type's own schema. Nothing outside src/config reads the agent's YAML or env.

import type { SourceDefinition } from "../detect/types.js";
import type { NotifierDefinition } from "../notify/types.js";
import type { TargetDefinition } from "../targets/types.js";
import type { HostPort, LogFormat, LogLevel } from "../../config/server-config.js";
import type { ListenScope } from "./listen-scope.js";

/** One configured plugin (source, target or notifier): its definition and the settings it parsed. */
export interface Configured<D> {
  readonly id: string;
  readonly type: string;
  readonly definition: D;
  /** The output of `definition.settings` (so `definition.create(id, settings, deps)` is well-typed at runtime). */
  readonly settings: unknown;
}

export type RecordBind =
  | { readonly kind: "interface"; readonly interface: string }
  | { readonly kind: "address"; readonly address: string };

/** AAAA for another device on the LAN: the detected /64 prefix plus this host part. */
export type Ipv6Host =
  { readonly kind: "suffix"; readonly suffix: string } | { readonly kind: "mac"; readonly mac: string };

export interface RecordConfig {
  /** Canonical FQDN (no trailing dot, lowercase). */
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  /** Id of a key of AgentConfig.targets. */
  readonly target: string;
  /** Ids of keys of AgentConfig.sources, in the order written (deduplicated). */
  readonly sources: readonly string[];
  /** True when the list named "builtin" (or no list was given): add the built-in set for the family. */
  readonly builtin: boolean;
  readonly quorum: number;
  readonly timeoutMs: number;
  readonly allowNonGlobal: boolean;
  readonly bind: RecordBind | undefined;
  readonly ipv6Host: Ipv6Host | undefined;
  readonly ttl: number | undefined;
  /** Heartbeats to the record's Beacon server (pools); undefined: none. */
  readonly heartbeat: { readonly intervalMs: number } | undefined;
  /**
   * Changes whenever anything that affects publishing this record changes (its own settings, its
   * target's settings including secrets, its sources). Used to forget a `fatal` stop on config change.
   * A hash: never contains a secret.
   */
  readonly fingerprint: string;
  /** Where the record is written, for messages ("agent.yaml:12:5"). */
  readonly origin: string;
}

export interface AgentConfig {
  readonly intervalMs: number;
  /** Every Nth cycle of a record compares with the live record; 0 disables verification. */
  readonly verifyEvery: number;
  /** Resolver for verification queries: `verify_resolver`, else the first nameserver of /etc/resolv.conf. */
  readonly verifyResolver: HostPort | undefined;
  /** Absolute. */
  readonly stateFile: string;
  readonly status: {
    /** undefined: no status listener. */
    readonly listen: HostPort | undefined;
    /** Who can reach `listen` (see listen-scope.ts); undefined without a listener. */
    readonly scope: ListenScope | undefined;
    /** The local page's password hash (scrypt string); undefined: no password. */
    readonly passwordHash: string | undefined;
  };
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  /** Sent by HTTP sources/targets/notifiers; default "Beacon-Agent/<version>" is filled by the CLI. */
  readonly userAgent: string | undefined;
  readonly sources: ReadonlyMap<string, Configured<SourceDefinition<unknown>>>;
  readonly targets: ReadonlyMap<string, Configured<TargetDefinition<unknown>>>;
  readonly notifiers: readonly Configured<NotifierDefinition<unknown>>[];
  readonly records: readonly RecordConfig[];
  readonly source: { readonly file?: string };
}
