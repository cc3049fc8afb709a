// Records: cross-checked against the sources and targets defined in the same file, defaults filled.

import { createHash } from "node:crypto";
import { parseIp } from "../../core/ip.js";
import { formatPath, type ConfigIssue, type ConfigSource } from "../../config/errors.js";
import { closest } from "../../config/suggest.js";
import type { RecordConfig } from "./agent-config.js";
import type { RawRecord } from "./schema.js";

/** The source list keyword for "the built-in set for the record's family". */
export const BUILTIN = "builtin";

/** A source or target as the file defines it, with secrets read (hashed into fingerprints, never kept). */
export interface DefinedPlugin {
  readonly type: string;
  readonly resolved: Readonly<Record<string, unknown>>;
}

export interface RecordContext {
  readonly sources: ReadonlyMap<string, DefinedPlugin>;
  readonly targets: ReadonlyMap<string, DefinedPlugin>;
  readonly locate: (path: readonly PropertyKey[], at?: "key" | "value") => ConfigSource;
}

export function buildRecords(
  raws: readonly RawRecord[],
  ctx: RecordContext,
): { records: RecordConfig[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const records: RecordConfig[] = [];
  const seen = new Set<string>();
  raws.forEach((raw, i) => {
    const at = (...rest: PropertyKey[]) => ["records", i, ...rest];
    const issue = (path: readonly PropertyKey[], message: string, key = false) =>
      issues.push({ setting: formatPath(path), source: ctx.locate(path, key ? "key" : "value"), message });
    const before = issues.length;

    const target = ctx.targets.get(raw.target);
    if (target === undefined) issue(at("target"), unknownMessage("target", raw.target, ctx.targets.keys()));

    const ids = raw.sources ?? [BUILTIN];
    const sources: string[] = [];
    ids.forEach((id, j) => {
      if (id === BUILTIN || ctx.sources.has(id)) {
        if (id !== BUILTIN && !sources.includes(id)) sources.push(id);
      } else issue(at("sources", j), unknownMessage("source", id, [BUILTIN, ...ctx.sources.keys()]));
    });
    const builtin = ids.includes(BUILTIN);
    if (ids.length === 0) issue(at("sources"), `list at least one source id or "${BUILTIN}"`);
    const quorum = raw.quorum ?? (builtin ? 2 : Math.min(2, Math.max(1, sources.length)));
    if (!builtin && sources.length > 0 && quorum > sources.length)
      issue(
        at("quorum"),
        `a quorum of ${quorum} needs at least ${quorum} sources; this record lists ${sources.length}`,
      );

    if (raw.type === "A" && (raw.ipv6_suffix !== undefined || raw.ipv6_mac !== undefined))
      issue(
        at(raw.ipv6_suffix === undefined ? "ipv6_mac" : "ipv6_suffix"),
        "only AAAA records take an IPv6 host part",
        true,
      );
    if (raw.ipv6_suffix !== undefined && raw.ipv6_mac !== undefined)
      issue(at("ipv6_mac"), "set either ipv6_suffix or ipv6_mac, not both", true);
    if (raw.bind !== undefined && "address" in raw.bind) {
      const ip = parseIp(raw.bind.address);
      const family = raw.type === "A" ? 4 : 6;
      if (ip !== undefined && ip.family !== family)
        issue(
          at("bind", "address"),
          `${raw.type === "A" ? "an" : "a"} ${raw.type} record detects and updates over IPv${family}; bind to an IPv${family} address`,
        );
    }
    if (raw.heartbeat !== undefined && target !== undefined && target.type !== "beacon")
      issue(
        at("heartbeat"),
        `heartbeats go to a Beacon server: target ${raw.target} is of type ${target.type}, not beacon`,
        true,
      );
    const key = `${raw.name} ${raw.type} ${raw.target}`;
    if (seen.has(key)) issue(at("name"), `${raw.name} ${raw.type} via target ${raw.target} is listed twice`);
    seen.add(key);
    if (issues.length > before || target === undefined) return;

    const fingerprint = createHash("sha256")
      .update(
        JSON.stringify({
          // Heartbeats do not affect publishing: changing them must not lift a fatal stop.
          record: { ...raw, heartbeat: undefined },
          target,
          sources: sources.map((id) => [id, ctx.sources.get(id)]),
        }),
      )
      .digest("hex")
      .slice(0, 32);
    records.push({
      fqdn: raw.name,
      type: raw.type,
      target: raw.target,
      sources,
      builtin,
      quorum,
      timeoutMs: raw.timeout,
      allowNonGlobal: raw.allow_non_global,
      bind:
        raw.bind === undefined
          ? undefined
          : "interface" in raw.bind
            ? { kind: "interface", interface: raw.bind.interface }
            : { kind: "address", address: parseIp(raw.bind.address)?.text ?? raw.bind.address },
      ipv6Host:
        raw.ipv6_suffix !== undefined
          ? { kind: "suffix", suffix: raw.ipv6_suffix }
          : raw.ipv6_mac !== undefined
            ? { kind: "mac", mac: raw.ipv6_mac }
            : undefined,
      ttl: raw.ttl,
      heartbeat: raw.heartbeat === undefined ? undefined : { intervalMs: raw.heartbeat.interval },
      fingerprint,
      origin: originOf(ctx.locate(at())),
    });
  });
  return { records, issues };
}

function unknownMessage(what: string, id: string, known: Iterable<string>): string {
  const list = [...known];
  const near = closest(id, list);
  if (near !== undefined) return `unknown ${what} "${id}" (did you mean "${near}"?)`;
  return list.length === 0
    ? `unknown ${what} "${id}" (no ${what}s are defined)`
    : `unknown ${what} "${id}" (defined: ${list.join(", ")})`;
}

function originOf(source: ConfigSource): string {
  if (source.kind !== "file") return "(config)";
  return source.line === undefined ? source.file : `${source.file}:${source.line}`;
}
