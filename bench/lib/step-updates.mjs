// Step 3: update rates, each update acknowledged — RFC 2136 (one client) into Beacon, BIND and Knot;
// HTTP dyndns2 and JSON into Beacon at 1 and 16 clients — and Beacon's update-to-visible latency. The
// loads are helper modules (bench/lib/update-load.mjs), passed in as `loads`.

import { CONFIG, MAX_UPDATES } from "./config.mjs";
import { errorText, loud, mustAnswer, progress, updatableServer, withServer } from "./harness.mjs";
import { SERVERS, unavailable } from "./servers.mjs";
import { summarize } from "./stats.mjs";
import * as zone from "./zone.mjs";

export async function benchUpdates(ctx, loads) {
  const seconds = CONFIG.updateSeconds;
  const durationMs = seconds * 1000;
  const rows = [];
  let visible;
  const repeat = async (fn) => {
    const res = [];
    for (let r = 0; r < CONFIG.runs; r++) res.push(await fn());
    return res;
  };
  const row = (kind, protocol, clients, res) => ({
    kind,
    label: SERVERS[kind].label,
    protocol,
    clients,
    rate: summarize(res.map((x) => x.ratePerSec)),
    p50: summarize(res.map((x) => x.p50Ms)),
    p99: summarize(res.map((x) => x.p99Ms)),
    errors: res.reduce((a, x) => a + (x.errors ?? 0), 0),
  });
  const rfc2136 = (server) =>
    loads.rfc2136Load({
      host: "127.0.0.1",
      port: server.port,
      zone: zone.ZONE,
      names: ctx.updateNames,
      tsig: ctx.creds.tsig,
      concurrency: 1,
      durationMs,
      maxUpdates: MAX_UPDATES,
    });
  for (const kind of ["beacon", "bind", "knot"].filter((k) => CONFIG.servers.includes(k))) {
    const label = SERVERS[kind].label;
    const missing = await unavailable(kind);
    if (missing !== null) {
      loud(`SKIPPING ${label}: ${missing}`);
      rows.push({ kind, label, protocol: "RFC 2136", clients: 1, skipped: missing });
      continue;
    }
    progress(`updates: ${label}`);
    const opts = updatableServer(ctx, `u-${kind}`);
    try {
      await withServer(kind, opts, async (server) => {
        await mustAnswer(server, 1);
        const rr = await repeat(() => rfc2136(server));
        rows.push(row(kind, "RFC 2136", 1, rr));
        progress(`  ${kind} RFC 2136: ${rr.map((x) => x.ratePerSec.toFixed(0)).join(", ")} /s`);
        if (kind !== "beacon") return;
        const baseUrl = `http://127.0.0.1:${server.httpPort}`;
        for (const protocol of ["dyndns2", "json"]) {
          for (const concurrency of [1, 16]) {
            const res = await repeat(() =>
              loads.httpUpdateLoad({
                baseUrl,
                tokens: ctx.creds.tokens,
                protocol,
                concurrency,
                durationMs,
                maxRequests: MAX_UPDATES,
              }),
            );
            rows.push(row(kind, protocol === "json" ? "JSON" : "dyndns2", concurrency, res));
            progress(
              `  beacon HTTP ${protocol} × ${concurrency}: ${res.map((x) => x.ratePerSec.toFixed(0)).join(", ")} /s`,
            );
          }
        }
        const first = ctx.creds.tokens[0];
        const vis = await repeat(() =>
          loads.updateToVisible({
            baseUrl,
            token: first.token,
            host: first.host,
            dnsHost: "127.0.0.1",
            dnsPort: server.port,
            samples: CONFIG.visibleSamples,
          }),
        );
        visible = {
          samples: CONFIG.visibleSamples,
          failures: vis.reduce((a, x) => a + (x.failures ?? 0), 0),
          p50: summarize(vis.map((x) => x.p50Ms)),
          p99: summarize(vis.map((x) => x.p99Ms)),
          max: summarize(vis.map((x) => x.maxMs)),
        };
        progress(`  beacon update-to-visible p99: ${vis.map((x) => x.p99Ms).join(", ")} ms`);
        if (!server.alive()) throw new Error(`died while measured: ${server.exitInfo()}`);
      });
    } catch (e) {
      loud(`updates, ${label}: ${errorText(e)}`);
      rows.push({ kind, label, protocol: "—", clients: "—", error: errorText(e) });
    }
  }
  return { runs: CONFIG.runs, seconds, rows, visible: visible ?? { error: "Beacon was not measured" } };
}
