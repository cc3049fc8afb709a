// Turns the built AgentConfig into live objects: sources, targets and notifiers created once each
// (records that name the same source or target share it), built-in sources per family, and which
// interface changes wake each record. Takes the network as deps; src/cli picks the real ones.

import type { IpFamily } from "../../core/ip.js";
import type { AgentConfig } from "../config/agent-config.js";
import type { AgentRecord, InterfaceWatch } from "./agent-record.js";
import { createBuiltinSources, DEFAULT_SOURCE_IDS, type BuiltSources } from "../detect/builtin.js";
import type { IpSource, SourceDeps } from "../detect/types.js";
import type { Notifier, NotifierDeps } from "../notify/types.js";
import { stateKey } from "../state-file.js";
import type { Target, TargetDeps } from "../targets/types.js";

export type AssembleDeps = SourceDeps & TargetDeps & NotifierDeps;

export interface Assembled {
  readonly records: readonly AgentRecord[];
  readonly notifiers: readonly Notifier[];
  /** Every configured source by id (for `beacon ip --source`). */
  readonly sources: ReadonlyMap<string, IpSource>;
  /** Built-in sources for a family (created on first use). */
  builtin(family: IpFamily, ids?: readonly string[]): BuiltSources;
}

export function assembleAgent(config: AgentConfig, deps: AssembleDeps): Assembled {
  const sources = new Map<string, IpSource>();
  for (const [id, c] of config.sources) sources.set(id, c.definition.create(id, c.settings, deps));
  const targets = new Map<string, Target>();
  for (const [id, c] of config.targets) targets.set(id, c.definition.create(id, c.settings, deps));
  const notifiers = config.notifiers.map((c) => c.definition.create(c.id, c.settings, deps));
  const builtinCache = new Map<string, BuiltSources>();
  const builtin = (family: IpFamily, ids: readonly string[] = DEFAULT_SOURCE_IDS[family]): BuiltSources => {
    const key = `${family}:${ids.join(",")}`;
    let b = builtinCache.get(key);
    if (b === undefined) {
      b = createBuiltinSources(ids, deps);
      builtinCache.set(key, b);
    }
    return b;
  };

  const records = config.records.map((r): AgentRecord => {
    const target = targets.get(r.target);
    // Config guarantees every id exists; a miss here is a bug, not a user error.
    if (target === undefined) throw new Error(`record ${r.fqdn}: target ${r.target} was not created`);
    const own = r.sources.map((id) => {
      const s = sources.get(id);
      if (s === undefined) throw new Error(`record ${r.fqdn}: source ${id} was not created`);
      return s;
    });
    const family = r.type === "A" ? 4 : 6;
    const b = r.builtin ? builtin(family) : { sources: [], ownRanges: new Map<string, readonly string[]>() };
    return {
      config: r,
      key: stateKey(r.fqdn, r.type, r.target),
      sources: [...own, ...b.sources],
      ownRanges: b.ownRanges,
      target,
      watch: watchOf(config, r.sources, r.bind?.kind === "interface" ? r.bind.interface : undefined),
    };
  });
  return { records, notifiers, sources, builtin };
}

/** Interface sources and a bound interface make a record react to that interface's changes. */
function watchOf(
  config: AgentConfig,
  sourceIds: readonly string[],
  bound: string | undefined,
): InterfaceWatch {
  const names = new Set<string>();
  if (bound !== undefined) names.add(bound);
  for (const id of sourceIds) {
    const c = config.sources.get(id);
    if (c?.type !== "interface") continue;
    const name = (c.settings as { interface?: unknown }).interface;
    if (typeof name !== "string") return "any";
    names.add(name);
  }
  return names.size === 0 ? "none" : names;
}
