// A configured record made live: its sources and target created, and which interface changes
// should wake it up.

import type { RecordConfig } from "../config/agent-config.js";
import type { IpSource } from "../detect/types.js";
import type { Target } from "../targets/types.js";

/** "none": only the interval wakes it; "any": every interface change; else changes of these interfaces. */
export type InterfaceWatch = "none" | "any" | ReadonlySet<string>;

export interface AgentRecord {
  readonly config: RecordConfig;
  /** stateKey(fqdn, type, target). */
  readonly key: string;
  readonly sources: readonly IpSource[];
  /** Built-in sources' own anycast ranges (detectAddress rejects an echo reporting itself). */
  readonly ownRanges: ReadonlyMap<string, readonly string[]>;
  readonly target: Target;
  readonly watch: InterfaceWatch;
}
