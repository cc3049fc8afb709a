// Step 4: query latency under a mixed load — dnsperf at half the server's saturation rate plus a paced
// probe (bench/lib/probe.mjs) timing its own queries, without and then with a steady update stream.

import { CONFIG, LOAD_CPU, MAX_UPDATES, UPDATE_HOSTS } from "./config.mjs";
import { errorText, loud, measure, mustAnswer, progress, updatableServer, withServer } from "./harness.mjs";
import { runDnsperf } from "./dnsperf.mjs";
import { SERVERS, unavailable } from "./servers.mjs";
import { summarize } from "./stats.mjs";
import * as zone from "./zone.mjs";

async function saturation(kind, server, ctx, results) {
  const known = results.queries?.servers[kind]?.qps?.median;
  if (typeof known === "number") return known;
  progress(`mixed: measuring ${kind}'s saturation (one run)`);
  const q = await measure(server, {
    file: ctx.queryFile,
    runs: 1,
    seconds: CONFIG.seconds,
    loadCpu: LOAD_CPU,
  });
  return q.qps.median;
}

export async function benchMixed(ctx, loads, probe, results) {
  const seconds = CONFIG.mixedSeconds;
  const rows = [];
  const probeNames = Array.from({ length: 100 }, (_, i) =>
    zone.hostName((i * 97) % (CONFIG.names - UPDATE_HOSTS)),
  );
  const plans = [
    { kind: "beacon", busyLabel: `+ HTTP dyndns2 updates, ${CONFIG.updateRate}/s steady` },
    { kind: "bind", busyLabel: "+ RFC 2136 updates, one client back to back" },
  ].filter((p) => CONFIG.servers.includes(p.kind));
  for (const { kind, busyLabel } of plans) {
    const label = SERVERS[kind].label;
    const missing = await unavailable(kind);
    if (missing !== null) {
      rows.push({ kind, label, load: "queries", quiet: true, skipped: missing });
      continue;
    }
    progress(`mixed: ${label}`);
    const opts = updatableServer(ctx, `m-${kind}`);
    try {
      await withServer(kind, opts, async (server) => {
        await mustAnswer(server, 1);
        const offered = Math.round((await saturation(kind, server, ctx, results)) / 2);
        for (const quiet of [true, false]) {
          const samples = [];
          for (let r = 0; r < CONFIG.runs; r++) {
            const load = runDnsperf({
              port: server.port,
              file: ctx.queryFile,
              seconds,
              outstanding: CONFIG.outstanding,
              maxQps: offered,
              cpu: LOAD_CPU,
            });
            await new Promise((res) => setTimeout(res, 1000));
            let updates;
            if (!quiet && kind === "beacon") {
              updates = probe.steadyHttpUpdates({
                baseUrl: `http://127.0.0.1:${server.httpPort}`,
                tokens: ctx.creds.tokens,
                perSecond: CONFIG.updateRate,
              });
            }
            const stream =
              !quiet && kind !== "beacon"
                ? loads.rfc2136Load({
                    host: "127.0.0.1",
                    port: server.port,
                    zone: zone.ZONE,
                    names: ctx.updateNames,
                    tsig: ctx.creds.tsig,
                    concurrency: 1,
                    durationMs: (seconds - 2) * 1000,
                    maxUpdates: MAX_UPDATES,
                  })
                : undefined;
            const p = await probe.probeLatencyIsolated({
              host: "127.0.0.1",
              port: server.port,
              names: probeNames,
              qps: CONFIG.probeQps,
              durationMs: (seconds - 2) * 1000,
            });
            const u = updates ? await updates.stop() : stream ? await stream : undefined;
            const d = await load;
            progress(
              `  ${kind} ${quiet ? "quiet" : "with updates"}: probe p99 ${p.p99Ms} ms, ${d.qps.toFixed(0)} q/s, ${u?.count ?? 0} updates`,
            );
            samples.push({ p, d, updates: u?.count });
          }
          rows.push({
            kind,
            label,
            load: quiet ? "queries only" : busyLabel,
            quiet,
            offered,
            achieved: summarize(samples.map((s) => s.d.qps)),
            p50: summarize(samples.map((s) => s.p.p50Ms)),
            p99: summarize(samples.map((s) => s.p.p99Ms)),
            max: summarize(samples.map((s) => s.p.maxMs)),
            updates: quiet ? null : summarize(samples.map((s) => s.updates)),
          });
        }
        if (!server.alive()) throw new Error(`died while measured: ${server.exitInfo()}`);
      });
    } catch (e) {
      loud(`mixed, ${label}: ${errorText(e)}`);
      rows.push({ kind, label, load: "—", quiet: true, error: errorText(e) });
    }
  }
  return { runs: CONFIG.runs, seconds, probeQps: CONFIG.probeQps, rows };
}
