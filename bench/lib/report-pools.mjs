// The `pools` section of bench/RESULTS.md (issue 16): the command and conditions of the run, the
// server's CPU per 1,000 probes (tcp, http) next to the idle server, and the failure-to-new-answer
// and failback times against their bounds. Hand-written readings live outside the section's markers.

import { num } from "./stats.mjs";

/** Above this load average the figures are flagged as taken on a busy machine. */
const BUSY_LOAD = 1.5;

/** The section's lines from `meta` { command, date, machine } and the step's result (see step-pools.mjs). */
export function renderPools(meta, r) {
  const lines = ["## Health-checked pools (issue 16): `BENCH_ONLY=pools npm run bench`", ""];
  if (r.error) return [...lines, `Last run \`${meta.command}\` — ${meta.date}: failed: ${r.error}`];
  const busy = [...r.loadStart, ...r.loadEnd].some((x) => Number(x) > BUSY_LOAD);
  lines.push(
    `Measured ${meta.date} with \`${meta.command}\` in ${r.stepSeconds} s. ${meta.machine} One \`beacon serve\`,`,
    `SQLite, nothing pinned. Load average (1, 5, 15 min) at the start ${r.loadStart.join(", ")}, at the end ${r.loadEnd.join(", ")}`,
    busy
      ? `(**above ${BUSY_LOAD}: other work was running, so the figures are likely worse than on a quiet machine**).`
      : "(the machine is shared).",
    "",
    `### Probe cost: ${r.pools} pools × ${r.members} members, interval 1 s, timeout 0.5 s, ${r.seconds} s after ${r.warmupSeconds} s of warm-up`,
    "",
    "Each pool's members are distinct 127.0.x.y addresses on one port, served by a separate backend",
    "process (its CPU not counted). Probes are the change of `beacon_health_checks_total` over the window;",
    "CPU is the server's /proc time (all threads) over the same window. The idle row is the same server",
    "with no pools; the last column takes its CPU off (what the probing adds).",
    "",
    "| check | probes/s scheduled | probes/s done | failed probes | server CPU (% of a core) | CPU per 1,000 probes (ms) | above idle, per 1,000 probes (ms) |",
    "|---|---|---|---|---|---|---|",
    `| idle (no pools) | 0 | 0 | — | ${num(r.cost.idle.cpuPercent, 2)} | — | — |`,
  );
  for (const x of r.cost.rows)
    lines.push(
      `| ${x.kind} | ${num(r.pools * r.members)} | ${num(x.probesPerSec)} | ${num(x.failed)} | ${num(x.cpuPercent, 1)} | ${num(x.cpuMsPer1000, 1)} | ${num(x.aboveIdleMsPer1000, 1)} |`,
    );
  const f = r.failover;
  const { intervalMs, fall, rise } = f.check;
  const awayBound = intervalMs * fall + intervalMs;
  const backBound = intervalMs * rise + intervalMs;
  const row = (label, s, bound) =>
    `| ${label} | ${num(s.n)} | ${num(s.p50)} | ${num(s.p99)} | ${num(s.max)} | ${num(bound)} | ${s.max !== null && s.max <= bound ? "yes" : "**no**"} |`;
  lines.push(
    "",
    `### Failure to new answer: failover pool of two HTTP members, interval ${intervalMs / 1000} s, timeout ${f.check.timeoutMs / 1000} s, fall ${fall}, rise ${rise}`,
    "",
    `${f.runs} times, after a random wait of up to one interval: member A's backend stops (connections refused), and`,
    `UDP queries every 25 ms time until the pool answers exactly B; then A starts again and they time until it answers`,
    "A. Bounds: interval × fall + interval away, interval × rise + interval back (the next probe may be up",
    "to one interval away).",
    "",
    "| move | samples | p50 (ms) | p99 (ms) | max (ms) | bound (ms) | max within bound |",
    "|---|---|---|---|---|---|---|",
    row("A stops → B answered", f.away, awayBound),
    row("A back → A answered", f.back, backBound),
    "",
    `Missed moves (no new answer within 20 s): ${num(f.missed)}. Transitions logged (\`beacon pool history\`): A → down ${num(f.aDown)}, A → up ${num(f.aUp)} (expected ${f.runs} and ${f.runs + 1}: the first is unknown → up).`,
  );
  return lines;
}
