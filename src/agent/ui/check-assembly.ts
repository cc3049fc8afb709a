// A candidate configuration as the local page checks it: assembled like the running agent's, except
// that nothing in it can start a program. Every source or notifier type marked `runsProgram` in its
// registry is replaced by a stand-in that answers "not run in a check", and the deps' runCommand
// refuses, so a type that spawns through its deps but lacks the mark fails closed (its source reports
// command_failed) instead of running. Targets never publish in a dry run (reconcile.ts, dryRun).

import type { AgentConfig, Configured } from "../config/agent-config.js";
import { BeaconError } from "../../core/errors.js";
import type { AgentRecord } from "../loop/agent-record.js";
import { assembleAgent, type AssembleDeps } from "../loop/assemble.js";
import { failed } from "../detect/observe.js";
import type { IpSource } from "../detect/types.js";
import type { RunCommand } from "../system/types.js";
import type { Notifier } from "../notify/types.js";

export const NOT_RUN = "not run in a check";
const RUNS_PROGRAM = `${NOT_RUN}: it runs a program`;

/** A notifier of the candidate, as the check reports it: a check never notifies. */
export interface NotifierCheck {
  readonly id: string;
  readonly type: string;
  readonly state: "not_run";
  readonly detail: string;
}

export interface CheckAssembly {
  readonly records: readonly AgentRecord[];
  readonly notifiers: readonly NotifierCheck[];
}

const refuseCommands: RunCommand = () =>
  Promise.reject(new BeaconError("command_failed", `${NOT_RUN}: programs never run in a check`));

/** Nothing started; the records' sources never run a program when asked. */
export function assembleForCheck(config: AgentConfig, deps: AssembleDeps): CheckAssembly {
  const safe: AgentConfig = {
    ...config,
    sources: new Map([...config.sources].map(([id, c]) => [id, standIn(c, notRunSource)])),
    notifiers: config.notifiers.map((c) => standIn(c, notRunNotifier)),
  };
  const { records } = assembleAgent(safe, { ...deps, runCommand: refuseCommands });
  return {
    records,
    notifiers: config.notifiers.map((c) => ({
      id: c.id,
      type: c.type,
      state: "not_run",
      detail: c.definition.runsProgram === true ? RUNS_PROGRAM : `${NOT_RUN}: a check sends nothing`,
    })),
  };
}

/** A type that creates P objects; `create` itself starts nothing (the port contracts say so). */
interface Creates<P> {
  readonly runsProgram?: boolean;
  create(id: string, settings: unknown, deps: never): P;
}

/** `c` unchanged, or (marked runsProgram) with a definition whose objects `replace` wraps. */
function standIn<P, D extends Creates<P>>(c: Configured<D>, replace: (real: P) => P): Configured<D> {
  if (c.definition.runsProgram !== true) return c;
  const d = c.definition;
  const create = (id: string, settings: unknown, deps: never): P => replace(d.create(id, settings, deps));
  return { ...c, definition: { ...d, create } };
}

/** Keeps the source's id, operator and families (so the verdict lists it); never observes. */
function notRunSource(real: IpSource): IpSource {
  return {
    id: real.id,
    operator: real.operator,
    families: real.families,
    observe: () => Promise.resolve(failed("not_run", RUNS_PROGRAM)),
  };
}

function notRunNotifier(real: Notifier): Notifier {
  return {
    id: real.id,
    kinds: real.kinds,
    notify: () => Promise.resolve({ ok: false, detail: RUNS_PROGRAM }),
  };
}
