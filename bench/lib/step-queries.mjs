// Step 1: every server pinned to one core under the same dnsperf load — queries/s and the server's CPU
// per query — and Beacon on all cores (dns.workers) when this build has that setting.

import { join } from "node:path";
import { CONFIG, LOAD_CPU, SERVER_CPU } from "./config.mjs";
import { errorText, loud, measure, mustAnswer, progress, withServer, workersSupported } from "./harness.mjs";
import { SERVERS, unavailable } from "./servers.mjs";
import * as zone from "./zone.mjs";

export async function benchQueries(ctx) {
  const out = {};
  for (const kind of CONFIG.servers) {
    const label = SERVERS[kind].label;
    const missing = await unavailable(kind);
    if (missing !== null) {
      loud(`SKIPPING ${label}: ${missing}`);
      out[kind] = { label, skipped: missing };
      continue;
    }
    progress(`queries: ${label}`);
    try {
      const opts = {
        dir: join(ctx.work, `q-${kind}`),
        zone: zone.ZONE,
        zoneFile: ctx.zoneFile,
        dataDir: ctx.dataDir,
        cpu: SERVER_CPU,
      };
      out[kind] = await withServer(kind, opts, async (server) => {
        await mustAnswer(server, 1);
        return {
          label,
          ...(await measure(server, {
            file: ctx.queryFile,
            runs: CONFIG.runs,
            seconds: CONFIG.seconds,
            loadCpu: LOAD_CPU,
          })),
        };
      });
    } catch (e) {
      loud(`${label}: ${errorText(e)}`);
      out[kind] = { label, error: errorText(e) };
    }
  }
  if (CONFIG.servers.includes("beacon")) {
    const label = `Beacon, all cores (dns.workers=${CONFIG.workers}, unpinned)`;
    if (!(await workersSupported())) {
      const why = "this build has no dns.workers setting (`beacon serve --help-config`)";
      progress(`queries: skipping "${label}": ${why}`);
      out["beacon-all"] = { label, skipped: why };
    } else {
      progress(`queries: ${label}`);
      try {
        const opts = {
          dir: join(ctx.work, "q-beacon-all"),
          zone: zone.ZONE,
          dataDir: ctx.dataDir,
          workers: CONFIG.workers,
        };
        out["beacon-all"] = await withServer("beacon", opts, async (server) => {
          await mustAnswer(server, 1);
          return {
            label,
            ...(await measure(server, { file: ctx.queryFile, runs: CONFIG.runs, seconds: CONFIG.seconds })),
          };
        });
      } catch (e) {
        loud(`${label}: ${errorText(e)}`);
        out["beacon-all"] = { label, error: errorText(e) };
      }
    }
  }
  return {
    names: CONFIG.names,
    runs: CONFIG.runs,
    seconds: CONFIG.seconds,
    clients: CONFIG.clients,
    outstanding: CONFIG.outstanding,
    workers: CONFIG.workers,
    servers: out,
  };
}
