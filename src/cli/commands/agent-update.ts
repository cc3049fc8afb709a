// `beacon update`: one cycle of every configured record now, printing what each did. Publishes only
// what changed unless --force; --dry-run publishes and saves nothing. Exit 0 when every record ended
// fine (published, unchanged or would publish), 1 otherwise.

import { isHealthy, type CycleReport } from "../../agent/loop/record-state.js";
import { BeaconError } from "../../core/errors.js";
import { AGENT_TABLE } from "../../agent/config/settings.js";
import type { AgentCliDeps } from "../agent-deps.js";
import { createLoopFor, openAgent } from "../agent-runtime.js";
import { EXIT, printJson, printTable, type Io } from "../output.js";
import { settingFlags } from "../setting-options.js";

export interface UpdateOptions {
  readonly config?: string;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** Returns the exit status. */
export async function runUpdate(io: Io, opts: UpdateOptions, cli: AgentCliDeps): Promise<number> {
  const agent = openAgent(opts.config, settingFlags(AGENT_TABLE, opts), cli);
  if (agent.config.records.length === 0)
    throw new BeaconError("bad_request", `no records are configured${where(agent.config.source.file)}`);
  const loop = createLoopFor(agent, cli);
  const reports = await loop.runOnce({ force: opts.force === true, dryRun: opts.dryRun === true });
  if (opts.json === true) printJson(io, reports.map(toJson));
  else
    printTable(
      io,
      ["NAME", "TYPE", "TARGET", "RESULT", "DETAIL"],
      reports.map((r) => [r.fqdn, r.type, r.target, r.outcome, r.detail]),
      "no records",
    );
  return reports.every((r) => isHealthy(r.outcome)) ? EXIT.ok : EXIT.failure;
}

function where(file: string | undefined): string {
  return file === undefined ? " (no config file: use --config or BEACON_AGENT_CONFIG)" : ` in ${file}`;
}

function toJson(r: CycleReport) {
  return {
    fqdn: r.fqdn,
    type: r.type,
    target: r.target,
    outcome: r.outcome,
    detail: r.detail,
    values: r.desired ?? null,
    previous: r.previous ?? null,
    live: r.live ?? null,
    detection: r.detection ?? null,
    code: r.result !== undefined && "code" in r.result ? r.result.code : null,
  };
}
