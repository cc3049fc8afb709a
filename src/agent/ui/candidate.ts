// Checking candidate YAML for the local page: through the running agent's own loader (its env, flags
// and cwd; `X_file` secrets relative to the real file's directory), assembled by assembleForCheck
// (nothing started, and nothing in it can run a program), with the settings that differ from the
// running agent's but apply only after a restart.

import { readFileSync } from "node:fs";
import { loadAgentConfig, type AgentConfig } from "../config/index.js";
import { ConfigError } from "../../config/errors.js";
import type { FlagValues } from "../../config/flags.js";
import type { AssembleDeps } from "../loop/assemble.js";
import { assembleForCheck } from "./check-assembly.js";
import type { Candidate } from "./config-api.js";

export interface CandidateCheckOptions {
  /** The configuration file's absolute path: the candidate text stands in for its content. */
  readonly file: string;
  readonly env: Record<string, string | undefined>;
  readonly flags: FlagValues;
  readonly cwd: string;
  /** Secret files and resolv.conf; default node:fs. */
  readonly readFile?: (path: string) => string;
  readonly deps: AssembleDeps;
  /** The configuration the agent runs now (with a password set from the page since it started). */
  readonly running: () => AgentConfig;
}

/** The check: throws only on a bug; ConfigError becomes issues. */
export function createCandidateCheck(o: CandidateCheckOptions): (yaml: string) => Candidate {
  const read = o.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  return (yaml) => {
    let config: AgentConfig;
    try {
      config = loadAgentConfig({
        file: o.file,
        env: o.env,
        flags: o.flags,
        cwd: o.cwd,
        readFile: (p) => (p === o.file ? yaml : read(p)),
      });
    } catch (e) {
      if (e instanceof ConfigError) return { ok: false, issues: e.issues };
      throw e;
    }
    const { records, notifiers } = assembleForCheck(config, o.deps);
    return { ok: true, records, notifiers, restartRequired: restartOnly(o.running(), config) };
  };
}

/** `config` with the page's password as set from the page (in effect at once: no restart needed). */
export function withPasswordHash(config: AgentConfig, hash: string): AgentConfig {
  return { ...config, status: { ...config.status, passwordHash: hash } };
}

/** Settings a reload does not apply (the loop, status port and logger are built once at start). */
function restartOnly(now: AgentConfig, next: AgentConfig): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const notify = (c: AgentConfig) => c.notifiers.map((n) => [n.id, n.type, n.settings]);
  const checks: [string, unknown, unknown][] = [
    ["interval", now.intervalMs, next.intervalMs],
    ["verify_every", now.verifyEvery, next.verifyEvery],
    ["verify_resolver", now.verifyResolver, next.verifyResolver],
    ["state_file", now.stateFile, next.stateFile],
    ["status.listen", now.status.listen, next.status.listen],
    ["status.password_hash", now.status.passwordHash, next.status.passwordHash],
    ["log.level", now.log.level, next.log.level],
    ["user_agent", now.userAgent, next.userAgent],
    ["notify", notify(now), notify(next)],
  ];
  return checks.filter(([, a, b]) => !same(a, b)).map(([name]) => name);
}
