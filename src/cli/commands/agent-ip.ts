// `beacon ip`: asks every source once and shows what each said and the verdict. Exit 0 when the
// sources agreed, 1 otherwise (so scripts can rely on it).

import { BUILTIN_SOURCES } from "../../agent/detect/builtin.js";
import type { IpSource } from "../../agent/detect/types.js";
import { detectAddress, type Verdict } from "../../agent/detect/verdict.js";
import { BeaconError } from "../../core/errors.js";
import type { IpFamily } from "../../core/ip.js";
import { AGENT_TABLE } from "../../agent/config/settings.js";
import type { AgentCliDeps } from "../agent-deps.js";
import { openAgent } from "../agent-runtime.js";
import { EXIT, printJson, printTable, type Io } from "../output.js";
import { settingFlags } from "../setting-options.js";

export interface IpOptions {
  readonly config?: string;
  readonly family?: string;
  readonly json?: boolean;
  readonly source?: readonly string[];
  readonly quorum?: number;
}

const TIMEOUT_MS = 5_000;

/** Returns the exit status. */
export async function runIp(io: Io, opts: IpOptions, cli: AgentCliDeps): Promise<number> {
  const family = parseFamily(opts.family);
  const agent = openAgent(opts.config, settingFlags(AGENT_TABLE, opts), cli);
  const { sources, ownRanges } = pickSources(agent.assembled, family, opts.source);
  if (sources.length === 0) throw new BeaconError("bad_request", `no source answers IPv${family}`);
  const verdict = await detectAddress(
    sources,
    {
      family,
      timeoutMs: TIMEOUT_MS,
      ownRanges,
      ...(opts.quorum === undefined ? {} : { quorum: opts.quorum }),
    },
    { clock: cli.clock },
  );
  if (opts.json === true) printJson(io, toJson(family, verdict));
  else print(io, family, verdict);
  return verdict.status === "agreed" ? EXIT.ok : EXIT.failure;
}

function parseFamily(v: string | undefined): IpFamily {
  if (v === undefined || v === "4") return 4;
  if (v === "6") return 6;
  throw new BeaconError("bad_request", `--family: "${v}" is not 4 or 6`);
}

function pickSources(
  assembled: ReturnType<typeof openAgent>["assembled"],
  family: IpFamily,
  ids: readonly string[] | undefined,
): { sources: IpSource[]; ownRanges: Map<string, readonly string[]> } {
  const sources: IpSource[] = [];
  const ownRanges = new Map<string, readonly string[]>();
  const addBuiltin = (list: readonly string[] | undefined) => {
    const b = assembled.builtin(family, list);
    sources.push(...b.sources);
    for (const [k, v] of b.ownRanges) ownRanges.set(k, v);
  };
  if (ids === undefined || ids.length === 0) {
    sources.push(...[...assembled.sources.values()].filter((s) => s.families.includes(family)));
    addBuiltin(undefined);
    return { sources, ownRanges };
  }
  for (const id of new Set(ids)) {
    const configured = assembled.sources.get(id);
    if (configured !== undefined) sources.push(configured);
    else if (BUILTIN_SOURCES.some((b) => b.id === id)) addBuiltin([id]);
    else
      throw new BeaconError(
        "bad_request",
        `--source: no source "${id}"; configured: ${[...assembled.sources.keys()].join(", ") || "none"}; built-in: ${BUILTIN_SOURCES.map((b) => b.id).join(", ")}`,
      );
  }
  return { sources, ownRanges };
}

function print(io: Io, family: IpFamily, v: Verdict): void {
  printTable(
    io,
    ["SOURCE", "OPERATOR", "COUNTED", "TIME", "ANSWER"],
    v.report.map((r) => [r.id, r.operator, r.accepted ? "yes" : "no", `${r.elapsedMs}ms`, r.detail]),
    "no sources",
  );
  io.out("");
  if (v.status === "agreed")
    io.out(`IPv${family}: ${v.ip.text} (agreed by ${v.votes} independent source(s); quorum ${v.quorum})`);
  else if (v.status === "disagreed")
    io.out(
      `IPv${family}: sources disagree: ${v.candidates.map((c) => `${c.ip.text} (${c.operators.join(", ")})`).join(" vs ")}; nothing would be published`,
    );
  else {
    const best = v.candidates[0];
    io.out(
      `IPv${family}: no quorum of ${v.quorum}${best === undefined ? ": no usable answer" : `: only ${best.votes} for ${best.ip.text}`}; nothing would be published`,
    );
  }
}

function toJson(family: IpFamily, v: Verdict) {
  return {
    family,
    status: v.status,
    ip: v.status === "agreed" ? v.ip.text : null,
    votes: v.status === "agreed" ? v.votes : (v.candidates[0]?.votes ?? 0),
    quorum: v.quorum,
    candidates:
      v.status === "agreed"
        ? []
        : v.candidates.map((c) => ({
            ip: c.ip.text,
            votes: c.votes,
            operators: c.operators,
            sources: c.sources,
          })),
    sources: v.report.map((r) => ({
      id: r.id,
      operator: r.operator,
      address: r.observation.ok ? r.observation.ip.text : null,
      counted: r.accepted,
      rejection: r.rejection ?? null,
      detail: r.detail,
      elapsed_ms: r.elapsedMs,
    })),
  };
}
