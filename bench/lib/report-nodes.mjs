// The `nodes` section of bench/RESULTS.md (issue 15): the command and conditions of the run, update
// rates of one node on SQLite and one and three nodes on PostgreSQL side by side, update-to-visible
// between nodes, and the issue's target (cross-node p99 under 50 ms) judged from the figures. The
// hand-written reading of the figures lives outside the section's markers, so a run keeps it.

import { fig, num, ratio } from "./stats.mjs";

const cell = (text) => String(text).replaceAll("|", "\\|").replaceAll("\n", " ");
const nodesLabel = (n) => `${n} node${n > 1 ? "s" : ""}`;

/** The section's lines from `meta` { command, date, machine } and the step's result (see step-nodes.mjs). */
export function renderNodes(meta, r) {
  const lines = ["## Several nodes on PostgreSQL (issue 15): `BENCH_ONLY=nodes npm run bench`", ""];
  if (r.skipped || r.error) {
    return [
      ...lines,
      `Last run \`${meta.command}\` — ${meta.date}: ${r.skipped ? "skipped" : "failed"}: ${r.error ?? r.skipped}`,
    ];
  }
  lines.push(
    `Measured ${meta.date} with \`${meta.command}\` in ${r.stepSeconds} s. ${meta.machine} Load average`,
    `at the start: ${r.loadAverage.join(", ")} (the machine is shared). PostgreSQL ${r.postgres.version}, a throwaway cluster on`,
    `loopback with fsync ${r.postgres.fsync} and synchronous_commit on (durable, as SQLite's synchronous=FULL); nothing pinned.`,
    "",
    `### Updates: HTTP dyndns2, each acknowledged after its commit, ${r.runs} × ${r.seconds} s`,
    "",
    "Figures are `median (min–max)` over the runs. Each client updates its own host, the clients spread",
    'round-robin over the nodes; "spread": every host in a zone of its own, "one zone": all in one zone (one',
    "zone lock). CPU per update is /proc time over the run ÷ acknowledged updates; statements per update are",
    "the top-level statements the nodes sent (pg_stat_statements, triggers' statements not counted) ÷",
    "acknowledged updates: the round trips, plus one per transaction (BEGIN travels with its set_config).",
    "",
    "| store | nodes | clients | hosts | updates/s | p50 (ms) | p99 (ms) | errors | nodes' CPU per update (ms) | PostgreSQL CPU per update (ms) | statements per update | ÷ SQLite, same load |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  const sqlite = (row) =>
    r.rows.find((x) => x.store === "SQLite" && x.clients === row.clients && x.hosts === row.hosts);
  for (const x of r.rows) {
    if (x.error) {
      lines.push(`| ${x.store} | ${nodesLabel(x.nodes)} | failed: ${cell(x.error)} | | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${x.store} | ${nodesLabel(x.nodes)} | ${x.clients} | ${x.hosts} | ${fig(x.rate)} | ${fig(x.p50, 2)} | ${fig(x.p99, 2)} | ${num(x.errors)} | ${fig(x.nodeCpuMs, 2)} | ${fig(x.pgCpuMs, 2)} | ${fig(x.statements, 1)} | ${ratio(x.rate, sqlite(x)?.rate)} |`,
    );
  }
  const failed = r.rows.filter((x) => x.firstError);
  if (failed.length > 0) {
    lines.push("", "First failure of each row with errors:", "");
    for (const x of failed)
      lines.push(`- ${x.store}, ${nodesLabel(x.nodes)}, ${x.clients} × ${x.hosts}: ${cell(x.firstError)}`);
  }
  lines.push(
    "",
    "### Update-to-visible: dyndns2 reply from node A → a UDP answer holding the new address from each node",
    "",
    "| store | nodes | update via → answered by | samples per run | failures | p50 (ms) | p99 (ms) | max (ms) |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const v of r.visible) {
    lines.push(
      `| ${v.store} | ${nodesLabel(v.nodes)} | ${v.path} | ${num(v.samples)} | ${num(v.failures)} | ${fig(v.p50, 3)} | ${fig(v.p99, 3)} | ${fig(v.max, 3)} |`,
    );
  }
  const cross = r.visible.filter((v) => v.cross);
  const worst = Math.max(...cross.map((v) => v.p99?.median ?? Infinity));
  const verdict = cross.length === 0 ? "not measured" : worst < 50 ? "**met**" : "**missed**";
  lines.push(
    "",
    "Target:",
    "",
    `- ${verdict} — cross-node update-to-visible p99 under 50 ms on loopback: ${cross.map((v) => `${v.path} ${fig(v.p99, 3)} ms`).join(", ")}`,
  );
  return lines;
}
