// Step 2: a big zone (BENCH_BIG_NAMES): each server's time from start to the first correct answer for
// the zone's last name, its memory then, and one dnsperf run. Beacon gets a second try with an 8 GiB
// heap if the first one dies.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CONFIG, LOAD_CPU, SERVER_CPU } from "./config.mjs";
import { errorText, loud, measure, mustAnswer, progress, withServer } from "./harness.mjs";
import { memoryMiB } from "./procstat.mjs";
import { SERVERS, unavailable } from "./servers.mjs";
import * as zone from "./zone.mjs";

export async function benchBig(ctx) {
  const names = CONFIG.bigNames;
  const dir = join(ctx.work, "big");
  mkdirSync(dir, { recursive: true });
  progress(`big zone: building ${names} names (SQLite and zone file)`);
  const t0 = performance.now();
  const soa = await zone.buildBeaconDataDir(join(dir, "beacon"), { names });
  const zoneFile = join(dir, "zone.db");
  zone.writeZoneFile(zoneFile, { names, soa });
  const queryFile = join(dir, "queries.txt");
  zone.writeQueryFile(queryFile, { names });
  const buildSeconds = (performance.now() - t0) / 1000;
  progress(`big zone: built in ${buildSeconds.toFixed(1)} s`);
  const last = names - 1;
  const ready = { name: zone.hostName(last), type: "A", value: zone.aValue(last) };
  const out = {};
  for (const kind of CONFIG.bigServers) {
    const label = SERVERS[kind].label;
    const missing = await unavailable(kind);
    if (missing !== null) {
      loud(`SKIPPING ${label}: ${missing}`);
      out[kind] = { label, skipped: missing };
      continue;
    }
    const attempts = kind === "beacon" ? [[], ["--max-old-space-size=8192"]] : [[]];
    const failures = [];
    for (const nodeArgs of attempts) {
      const note = nodeArgs.length === 0 ? "" : `\`node ${nodeArgs.join(" ")}\``;
      progress(`big zone: ${label} ${note}`);
      try {
        const opts = {
          dir: join(dir, `${kind}-${failures.length}`),
          zone: zone.ZONE,
          zoneFile,
          dataDir: join(dir, "beacon"),
          cpu: SERVER_CPU,
          nodeArgs,
          ready,
          attempts: 1,
          readyTimeoutMs: CONFIG.bigTimeoutSeconds * 1000,
        };
        out[kind] = await withServer(kind, opts, async (server) => {
          const mem = memoryMiB(server.pid);
          progress(
            `  ${kind}: first answer after ${(server.readyMs / 1000).toFixed(2)} s, PSS ${mem.pss.toFixed(0)} MiB`,
          );
          await mustAnswer(server, last);
          const q = await measure(server, {
            file: queryFile,
            runs: 1,
            seconds: CONFIG.seconds,
            loadCpu: LOAD_CPU,
          });
          return {
            label,
            readySeconds: server.readyMs / 1000,
            rssMiB: mem.rss,
            rssAllMiB: mem.rssAll,
            pssMiB: mem.pss,
            perMillionMiB: mem.pss / (names / 1e6),
            qps: q.qps,
            cpuUs: q.cpuUs,
            note: [...failures.map((f) => `first try failed: ${f}`), note && `with ${note}`]
              .filter(Boolean)
              .join("; "),
          };
        });
        break;
      } catch (e) {
        loud(`${label} with ${names} names: ${errorText(e)}`);
        failures.push(errorText(e));
        out[kind] = { label, error: failures.join("; then: ") };
      }
    }
  }
  return { names, buildSeconds, servers: out };
}
