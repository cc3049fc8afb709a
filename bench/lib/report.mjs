// The `peers` section of bench/RESULTS.md: one block per topic (queries, zone size, updates,
// visibility, mixed), each with the command and date it was measured with, its table, Beacon's
// ratios and the issue's targets judged from the figures. A run that measures only some topics keeps
// the other blocks of the previous run as they were (each says when it was measured).

import { readFileSync } from "node:fs";
import { RESULTS } from "../results.mjs";
import { fig, num, ratio } from "./stats.mjs";

export const TOPICS = ["queries", "big", "updates", "visibility", "mixed"];

const med = (s) => s?.median;
const verdict = (ok) => (ok === undefined ? "not measured" : ok ? "**met**" : "**missed**");
const target = (ok, text, figures) => `- ${verdict(ok)} — ${text}${figures ? `: ${figures}` : ""}`;
/** Free text (an error, a skip reason) made safe for a table cell. */
const cell = (text) => String(text).replaceAll("|", "\\|").replaceAll("\n", " ");
const both = (...xs) => xs.every((x) => typeof x === "number" && Number.isFinite(x));

/** The blocks of the `peers` section currently in RESULTS.md, by topic. */
function previousBlocks() {
  let text = "";
  try {
    text = readFileSync(RESULTS, "utf8");
  } catch {
    return {};
  }
  const out = {};
  for (const t of TOPICS) {
    const m = new RegExp(`<!-- peers:${t} begin -->[\\s\\S]*?<!-- peers:${t} end -->`).exec(text);
    if (m) out[t] = m[0];
  }
  return out;
}

/** The section's lines: `meta` { command, date, machine, versions }, `results` by topic (absent: keep the old block). */
export function renderPeers(meta, results) {
  const old = previousBlocks();
  const blocks = {
    queries: results.queries && queriesBlock(meta, results.queries),
    big: results.big && bigBlock(meta, results.big, results.queries),
    updates: results.updates && updatesBlock(meta, results.updates),
    visibility: results.updates && visibilityBlock(meta, results.updates),
    mixed: results.mixed && mixedBlock(meta, results.mixed),
  };
  const lines = [
    "## Beacon next to BIND, Knot, PowerDNS and NSD: `npm run bench`",
    "",
    `Last run: \`${meta.command}\` — ${meta.date}. ${meta.machine}`,
    "",
    `Versions: ${Object.entries(meta.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    "",
    "Each figure is `median (min–max)` over the runs; ratios compare medians. Every server runs pinned to",
    "CPU 0 (`taskset -c 0`, one worker thread or process where it has a setting), dnsperf on CPU 1, over",
    "loopback. The update loads run in the bench's own process, pinned to CPU 1; in the mixed load the update",
    "stream runs there unpinned (dnsperf holds CPU 1) and the latency probe in a process of its own.",
    "",
  ];
  for (const t of TOPICS) {
    const block = blocks[t]
      ? [`<!-- peers:${t} begin -->`, ...blocks[t], `<!-- peers:${t} end -->`].join("\n")
      : old[t];
    if (block) lines.push(block, "");
  }
  return lines;
}

function stamp(meta) {
  return [`Measured ${meta.date} with \`${meta.command}\`.`, ""];
}

function queriesBlock(meta, q) {
  const s = q.servers;
  const beacon = s.beacon;
  const lines = [
    `### Queries: ${num(q.names)}-name zone (A + AAAA, 5% NXDOMAIN), dnsperf \`-c ${q.clients} -q ${q.outstanding}\`, ${q.runs} × ${q.seconds} s`,
    "",
    ...stamp(meta),
    "| server | queries/s | server CPU per query (µs) | lost | rcodes (last run) | response bytes (mean) | Beacon q/s ÷ this | Beacon CPU/query ÷ this |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const [kind, r] of Object.entries(s)) {
    if (r.skipped || r.error) {
      lines.push(
        `| ${r.label} | ${r.skipped ? `skipped: ${cell(r.skipped)}` : `failed: ${cell(r.error)}`} | | | | | | |`,
      );
      continue;
    }
    // Beacon's own rows: itself, and the all-cores row (compared with BIND in the targets instead).
    const self = kind === "beacon" ? "1.00×" : kind === "beacon-all" ? "—" : undefined;
    lines.push(
      `| ${r.label} | ${fig(r.qps)} | ${fig(r.cpuUs, 1)} | ${num(r.lost)} | ${rcodeShares(r.rcodes)} | ${num(r.responseBytes)} | ${self ?? ratio(beacon?.qps, r.qps)} | ${self ?? ratio(beacon?.cpuUs, r.cpuUs)} |`,
    );
  }
  const bq = med(beacon?.qps);
  const eq = med(s.echo?.qps);
  const bc = med(beacon?.cpuUs);
  const ic = med(s.bind?.cpuUs);
  const aq = med(s["beacon-all"]?.qps);
  const iq = med(s.bind?.qps);
  lines.push(
    "",
    "Targets:",
    "",
    target(
      both(bq, eq) ? bq >= 0.9 * eq : undefined,
      "queries/s on one core ≥ 0.9× the Node UDP echo",
      both(bq, eq) && `${num(bq)} vs ${num(eq)} (${(bq / eq).toFixed(2)}×)`,
    ),
    target(
      both(bc, ic) ? bc <= 1.2 * ic : undefined,
      "CPU per query within 1.2× of BIND's",
      both(bc, ic) && `${num(bc, 1)} µs vs ${num(ic, 1)} µs (${(bc / ic).toFixed(2)}×)`,
    ),
    target(
      both(aq, iq) ? aq > iq : undefined,
      "with all cores, more queries/s than BIND on one core",
      both(aq, iq)
        ? `${num(aq)} vs ${num(iq)} (${(aq / iq).toFixed(2)}×)`
        : s["beacon-all"]?.skipped && `(all-cores run skipped: ${s["beacon-all"].skipped})`,
    ),
  );
  if (s["beacon-all"] && !s["beacon-all"].skipped) {
    lines.push(
      "",
      `"all cores": Beacon unpinned with \`dns.workers=${q.workers}\` and dnsperf unpinned, compared with BIND's one-core row above.`,
    );
  }
  return lines;
}

/** "95% NOERROR, 5% NXDOMAIN" from dnsperf's counts: the servers must have answered alike. */
function rcodeShares(rcodes) {
  const total = Object.values(rcodes ?? {}).reduce((a, n) => a + n, 0);
  if (total === 0) return "—";
  return Object.entries(rcodes)
    .map(([code, n]) => `${((100 * n) / total).toFixed(n / total < 0.01 ? 2 : 0)}% ${code}`)
    .join(", ");
}

function bigBlock(meta, b, queries) {
  const lines = [
    `### Zone size: ${num(b.names)} names`,
    "",
    ...stamp(meta),
    `Zone built in ${num(b.buildSeconds, 1)} s (zone file and Beacon's SQLite). One start per server; "first answer" is from`,
    "process start to the first correct authoritative answer for the zone's last name (polled every 50 ms);",
    "memory is read right after that answer, summed over the server's processes (NSD keeps its zone in a",
    "forked child): PSS counts each page once, which RSS summed over forked processes does not. Then one",
    "dnsperf run.",
    "",
    "| server | start → first answer (s) | RSS, main process (MiB) | RSS, all processes (MiB) | PSS, all processes (MiB) | PSS per million names (MiB) | queries/s | CPU per query (µs) | note |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of Object.values(b.servers)) {
    if (r.skipped || r.error) {
      lines.push(
        `| ${r.label} | ${r.skipped ? `skipped: ${cell(r.skipped)}` : `failed: ${cell(r.error)}`} | | | | | | | |`,
      );
      continue;
    }
    lines.push(
      `| ${r.label} | ${num(r.readySeconds, 2)} | ${num(r.rssMiB)} | ${num(r.rssAllMiB)} | ${num(r.pssMiB)} | ${num(r.perMillionMiB)} | ${fig(r.qps)} | ${fig(r.cpuUs, 1)} | ${cell(r.note ?? "")} |`,
    );
  }
  const s = b.servers;
  const bq = med(s.beacon?.qps);
  const eq = med(queries?.servers.echo?.qps);
  const bc = med(s.beacon?.cpuUs);
  const ic = med(s.bind?.cpuUs);
  const br = s.beacon?.perMillionMiB;
  const ir = s.bind?.perMillionMiB;
  lines.push(
    "",
    "Targets:",
    "",
    target(
      both(bq, eq) ? bq >= 0.9 * eq : undefined,
      "with a big zone, queries/s ≥ 0.9× the Node UDP echo (echo from the queries block of this run)",
      both(bq, eq) && `${num(bq)} vs ${num(eq)} (${(bq / eq).toFixed(2)}×)`,
    ),
    target(
      both(bc, ic) ? bc <= 1.2 * ic : undefined,
      "with a big zone, CPU per query within 1.2× of BIND's",
      both(bc, ic) && `${num(bc, 1)} µs vs ${num(ic, 1)} µs (${(bc / ic).toFixed(2)}×)`,
    ),
    `- reported — memory (PSS) per million names: Beacon ${num(br)} MiB, BIND ${num(ir)} MiB${both(br, ir) ? ` (${(br / ir).toFixed(2)}×)` : ""}; start to first answer: Beacon ${num(s.beacon?.readySeconds, 1)} s, BIND ${num(s.bind?.readySeconds, 1)} s`,
  );
  return lines;
}

function updatesBlock(meta, u) {
  const lines = [
    `### Updates: each acknowledged (Beacon: after its durable commit), ${u.runs} × ${u.seconds} s`,
    "",
    ...stamp(meta),
    "| server | protocol | clients | updates/s | p50 (ms) | p99 (ms) | errors | ÷ BIND RFC 2136 rate |",
    "|---|---|---|---|---|---|---|---|",
  ];
  const bindRate = u.rows.find((r) => r.kind === "bind" && r.protocol === "RFC 2136")?.rate;
  for (const r of u.rows) {
    if (r.skipped || r.error) {
      lines.push(
        `| ${r.label} | ${r.protocol} | ${r.clients} | ${r.skipped ? `skipped: ${cell(r.skipped)}` : `failed: ${cell(r.error)}`} | | | | |`,
      );
      continue;
    }
    lines.push(
      `| ${r.label} | ${r.protocol} | ${r.clients} | ${fig(r.rate)} | ${fig(r.p50, 2)} | ${fig(r.p99, 2)} | ${num(r.errors)} | ${ratio(r.rate, bindRate)} |`,
    );
  }
  const find = (kind, protocol, clients) =>
    u.rows.find((r) => r.kind === kind && r.protocol === protocol && r.clients === clients);
  const ir = med(bindRate);
  const targetLines = ["", "Targets:", ""];
  for (const protocol of ["dyndns2", "JSON"]) {
    const r16 = med(find("beacon", protocol, 16)?.rate);
    const p50 = med(find("beacon", protocol, 1)?.p50);
    targetLines.push(
      target(
        both(r16, ir) ? r16 >= 5 * ir : undefined,
        `HTTP ${protocol} at 16 clients ≥ 5× BIND's RFC 2136 rate`,
        both(r16, ir) && `${num(r16)}/s vs ${num(ir)}/s (${(r16 / ir).toFixed(2)}×)`,
      ),
      target(
        both(p50) ? p50 < 1 : undefined,
        `HTTP ${protocol}, one client: round-trip p50 under 1 ms`,
        both(p50) && `${num(p50, 2)} ms`,
      ),
    );
  }
  const br = med(find("beacon", "RFC 2136", 1)?.rate);
  targetLines.push(
    target(
      both(br, ir) ? br >= ir : undefined,
      "RFC 2136 into Beacon at least BIND's rate",
      both(br, ir) && `${num(br)}/s vs ${num(ir)}/s (${(br / ir).toFixed(2)}×)`,
    ),
  );
  return [...lines, ...targetLines];
}

function visibilityBlock(meta, u) {
  const v = u.visible;
  const lines = [
    "### Update-to-visible: HTTP (dyndns2) reply → a DNS answer holding the new address",
    "",
    ...stamp(meta),
    "| server | samples per run | failures | p50 (ms) | p99 (ms) | max (ms) |",
    "|---|---|---|---|---|---|",
  ];
  if (!v || v.skipped || v.error) {
    lines.push(
      `| Beacon | ${v?.skipped ? `skipped: ${cell(v.skipped)}` : `failed: ${cell(v?.error ?? "not run")}`} | | | | |`,
    );
    return lines;
  }
  lines.push(
    `| Beacon | ${num(v.samples)} | ${num(v.failures)} | ${fig(v.p50, 3)} | ${fig(v.p99, 3)} | ${fig(v.max, 3)} |`,
  );
  const p99 = med(v.p99);
  lines.push(
    "",
    "Targets:",
    "",
    target(
      both(p99) ? p99 < 1 : undefined,
      "update-to-visible p99 under 1 ms",
      both(p99) && `${num(p99, 3)} ms`,
    ),
  );
  return lines;
}

function mixedBlock(meta, m) {
  const lines = [
    `### Mixed load: queries at 50% of saturation, probe latency, ${m.runs} × ${m.seconds} s`,
    "",
    ...stamp(meta),
    `dnsperf offers half the server's saturation rate (\`-Q\`) while a probe sends ${num(m.probeQps)} A queries/s of its own`,
    "and times each answer; once without updates, once with a steady update stream.",
    "",
    "| server | load | offered q/s | dnsperf q/s | probe p50 (ms) | probe p99 (ms) | probe max (ms) | updates acknowledged | p99 ÷ query-only p99 |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of m.rows) {
    if (r.skipped || r.error) {
      lines.push(
        `| ${r.label} | ${r.load} | ${r.skipped ? `skipped: ${cell(r.skipped)}` : `failed: ${cell(r.error)}`} | | | | | | |`,
      );
      continue;
    }
    const quiet = m.rows.find((x) => x.kind === r.kind && x.quiet);
    lines.push(
      `| ${r.label} | ${r.load} | ${num(r.offered)} | ${fig(r.achieved)} | ${fig(r.p50, 3)} | ${fig(r.p99, 3)} | ${fig(r.max, 3)} | ${fig(r.updates)} | ${r.quiet ? "1.00×" : ratio(r.p99, quiet?.p99)} |`,
    );
  }
  const quiet = med(m.rows.find((r) => r.kind === "beacon" && r.quiet)?.p99);
  const busy = med(m.rows.find((r) => r.kind === "beacon" && !r.quiet)?.p99);
  lines.push(
    "",
    "Targets:",
    "",
    target(
      both(quiet, busy) ? busy <= 2 * quiet : undefined,
      "under queries at 50% of saturation plus updates, query p99 within 2× of the query-only run",
      both(quiet, busy) && `${num(busy, 3)} ms vs ${num(quiet, 3)} ms (${(busy / quiet).toFixed(2)}×)`,
    ),
  );
  return lines;
}
