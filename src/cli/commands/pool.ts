// `beacon pool …`: health-checked pools (docs/pools.md). Changes go to the store; a running server
// notices them (within a second on SQLite, at once on PostgreSQL) and probes and publishes. Views are
// built from what the nodes saved (their quorum), so they can lag the server's own by a few seconds.

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import type { AdminOverride } from "../../core/pools.js";
import { createHealthAdmin } from "../../services/health/admin.js";
import type { PoolAdmin, PoolView } from "../../services/health/ports.js";
import { action } from "../action.js";
import { parseDuration } from "../duration.js";
import { withAdmin, type GlobalOptions } from "../context.js";
import { formatTime, printJson, printTable, type Io } from "../output.js";

const OVERRIDES: readonly AdminOverride[] = ["none", "forced_up", "forced_down", "maintenance"];
/** The largest definition file read. */
const MAX_FILE_BYTES = 1_000_000;

function withPools<T>(opts: GlobalOptions, fn: (pools: PoolAdmin) => Promise<T>): Promise<T> {
  return withAdmin(opts, (ctx) =>
    fn(
      createHealthAdmin({
        store: ctx.store,
        zones: ctx.zones,
        clock: systemClock,
        node: ctx.config.pools.nodeName ?? "",
        acceptsAddress: (ip) => ctx.updates.acceptsAddress(ip),
      }),
    ),
  );
}

/** A definition file: YAML (JSON is YAML too). bad_request names the file. */
function readDefinition(file: string): unknown {
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    text = bytes.toString("utf8");
  } catch (e) {
    throw new BeaconError("bad_request", `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parse(text, { maxAliasCount: 100 }) as unknown;
  } catch (e) {
    throw new BeaconError("bad_request", `${file} is not valid YAML or JSON: ${(e as Error).message}`);
  }
}

function describeMember(p: PoolView, id: string): string[] {
  const m = p.members.find((x) => x.id === id)!;
  const local = m.local;
  return [
    id,
    m.host ?? m.addresses.join(" "),
    m.host === undefined ? "" : m.addresses.join(" ") || "(no address)",
    String(m.priority),
    String(m.weight),
    m.override === "none" ? m.status : `${m.status} (${m.override})`,
    local?.rttMs === undefined ? "-" : `${local.rttMs.toFixed(1)} ms`,
    local === undefined ? "-" : formatTime(local.since),
    local?.lastReason ?? "-",
  ];
}

function showPool(io: Io, p: PoolView): void {
  const answer =
    p.published === undefined ? "(nothing)" : `${p.published.values.join(" ")} (TTL ${p.published.ttl})`;
  io.out(
    `pool ${p.spec.name} ${p.spec.type}: steering ${p.spec.steering}, check ${p.spec.check.type}, answers ${answer}`,
  );
  if (p.allDown) io.out(`every member is down: answering per when_all_down "${p.spec.whenAllDown}"`);
  if (p.leader !== undefined) io.out(`fastest member: ${p.leader}`);
  printTable(
    io,
    ["MEMBER", "ADDRESS/HOST", "ADDRESSES", "PRIORITY", "WEIGHT", "STATUS", "RTT", "SINCE", "LAST REASON"],
    p.members.map((m) => describeMember(p, m.id)),
    "no members",
  );
}

export function registerPool(program: Command): void {
  const pool = program
    .command("pool")
    .description("health-checked pools: names whose answer follows which members are up (see docs/pools.md)");

  pool
    .command("put <file>")
    .description(
      "create or replace a pool from a YAML or JSON definition file (its owner host is created if absent)",
    )
    .option("--json", "print the pool as JSON")
    .action(
      action(async (io, opts, file: string) => {
        const definition = readDefinition(file);
        const { pool: spec, created } = await withPools(opts, (s) => s.put(definition));
        if (opts["json"] === true) return printJson(io, { pool: spec, created });
        io.out(
          `pool ${spec.name} ${created ? "created" : "replaced"}: ${spec.members.length} member(s), steering ${spec.steering}, check ${spec.check.type} (a running server probes and publishes it)`,
        );
      }),
    );

  pool
    .command("list")
    .description("list pools with what they answer")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const pools = await withPools(opts, (s) => s.list());
        if (opts["json"] === true) return printJson(io, pools);
        printTable(
          io,
          ["POOL", "TYPE", "STEERING", "CHECK", "UP", "ANSWER"],
          pools.map((p) => [
            p.spec.name,
            p.spec.type,
            p.spec.steering,
            p.spec.check.type,
            `${p.members.filter((m) => m.status === "up").length}/${p.members.length}`,
            p.published === undefined ? "-" : p.published.values.join(" "),
          ]),
          "no pools (create one with: beacon pool put <file>; see docs/pools.md)",
        );
      }),
    );

  pool
    .command("show <name>")
    .description("a pool's members, their health and what it answers")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts, name: string) => {
        const p = await withPools(opts, (s) => s.get(name.toLowerCase().replace(/\.$/, "")));
        if (p === undefined) throw new BeaconError("pool_not_found", `no pool "${name.slice(0, 253)}"`);
        if (opts["json"] === true) return printJson(io, p);
        showPool(io, p);
      }),
    );

  pool
    .command("override <name> <member> <state>")
    .description(`force a member's state: ${OVERRIDES.join("|")} (none clears it)`)
    .action(
      action(async (io, opts, name: string, member: string, state: string) => {
        if (!(OVERRIDES as readonly string[]).includes(state)) {
          throw new BeaconError("bad_request", `state must be one of ${OVERRIDES.join(", ")}`);
        }
        await withPools(opts, (s) => s.setOverride(name.toLowerCase(), member, state as AdminOverride));
        io.out(`pool ${name} member ${member}: override ${state}`);
      }),
    );

  pool
    .command("history <name>")
    .description("the pool's member state transitions, newest first")
    .option("--limit <n>", "most transitions shown (1-500)", "50")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts, name: string) => {
        const limit = Number(opts["limit"]);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
          throw new BeaconError("bad_request", "--limit must be an integer from 1 to 500");
        }
        const rows = await withPools(opts, (s) => s.transitions(name.toLowerCase(), { limit }));
        if (opts["json"] === true) return printJson(io, rows);
        printTable(
          io,
          ["AT", "MEMBER", "FROM", "TO", "NODE", "REASON"],
          rows.map((t) => [formatTime(t.at), t.member, t.from, t.to, t.node, t.reason]),
          "no transitions yet",
        );
      }),
    );

  pool
    .command("rollups <name>")
    .description("the pool's per-minute probe results (successes, failures, RTT) per member and node")
    .option("--since <duration>", "how far back (e.g. 1h, 7d)", "1h")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts, name: string) => {
        const since = parseDuration(opts["since"] as string, "--since");
        const rows = await withPools(opts, (s) => s.rollups(name.toLowerCase(), since));
        if (opts["json"] === true) return printJson(io, rows);
        printTable(
          io,
          ["MINUTE", "MEMBER", "NODE", "OK", "FAIL", "RTT AVG", "RTT MIN", "RTT MAX"],
          rows.map((r) => [
            formatTime(r.minute),
            r.member,
            r.node,
            String(r.ok),
            String(r.fail),
            r.rttMinMs === undefined ? "-" : `${(r.rttSumMs / r.ok).toFixed(1)} ms`,
            r.rttMinMs === undefined ? "-" : `${r.rttMinMs.toFixed(1)} ms`,
            r.rttMaxMs === undefined ? "-" : `${r.rttMaxMs.toFixed(1)} ms`,
          ]),
          "no probe results in that time",
        );
      }),
    );

  pool
    .command("rm <name>")
    .description("delete a pool (what its name answers now stays, as an ordinary record set)")
    .action(
      action(async (io, opts, name: string) => {
        const deleted = await withPools(opts, (s) => s.delete(name.toLowerCase()));
        if (!deleted) throw new BeaconError("pool_not_found", `no pool "${name.slice(0, 253)}"`);
        io.out(`pool ${name} deleted`);
      }),
    );
}
