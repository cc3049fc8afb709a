#!/usr/bin/env node
// Development driver for the update loads (bench/lib/{credentials,update-load,probe}.mjs): builds a
// small zone in a fresh data dir, starts the built `beacon serve` on loopback, runs every load briefly,
// checks the updates really landed (DNS answers hold the last acknowledged address), and prints one
// JSON object. With --peers it also runs the RFC 2136 load against a throwaway BIND and Knot. Every
// server it starts is stopped by PID, also on error. `npm run build` first.
//
//   node bench/updates.mjs [--peers]      (BENCH_SECONDS, default 2: length of each load)

import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { clearTimeout } from "node:timers";
import { openSqliteStore } from "../dist/store/sqlite/sqlite-store.js";
import { createZoneService } from "../dist/services/zones.js";
import { createCredentials } from "./lib/credentials.mjs";
import { probeLatency, steadyHttpUpdates } from "./lib/probe.mjs";
import {
  httpUpdateLoad,
  keepAliveAgent,
  nextAddress,
  queryA,
  rfc2136Load,
  sendHttpUpdate,
  updateToVisible,
} from "./lib/update-load.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ZONE = "bench.beacon.test";
const HOSTS = 100;
const CLIENTS = 16;
const MS = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const progress = (msg) => process.stderr.write(`bench: ${msg}\n`);
const hostName = (i) => `h${i}.${ZONE}`;

const work = mkdtempSync(join(tmpdir(), "beacon-bench-updates-"));
const children = new Set();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

async function buildZone() {
  const store = await openSqliteStore({ path: join(work, "beacon.db") });
  const noop = { zoneChanged() {}, zoneRemoved() {}, hostChanged() {}, hostRemoved() {}, serialChanged() {} };
  await createZoneService({ store, clock: Date.now, listener: noop }).addZone(ZONE, {});
  const writes = [];
  for (let i = 0; i < HOSTS; i++) {
    await store.createHost({
      fqdn: hostName(i),
      zone: ZONE,
      ttl: undefined,
      description: "",
      createdAt: Date.now(),
    });
    writes.push({ fqdn: hostName(i), type: "A", rrset: { ttl: 60, values: [`81.0.0.${i + 1}`] } });
  }
  await store.commit({ writes, history: [], at: Date.now() });
  await store.close();
}

function track(proc) {
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  return proc;
}

async function stop(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function startBeacon() {
  return new Promise((resolveReady, reject) => {
    const args = [join(ROOT, "dist/cli/main.js"), "--data-dir", work, "serve"];
    args.push("--http-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0", "--log-level", "info");
    const proc = track(
      spawn(process.execPath, args, {
        env: { ...process.env, BEACON_CONFIG: "", BEACON_DEMO_ENABLED: "false" },
        stdio: ["ignore", "ignore", "pipe"],
      }),
    );
    let err = "";
    let ready;
    proc.stderr.setEncoding("utf8").on("data", (d) => {
      err = (err + d).slice(-20_000);
      if (ready !== undefined) return;
      const line = err.split("\n").find((l) => l.includes('"beacon ready"'));
      if (line === undefined) return;
      ready = JSON.parse(line);
      resolveReady({ proc, httpPort: ready.http[0].port, dnsPort: ready.dns[0].port });
    });
    proc.once("exit", (code) => reject(new Error(`beacon exited ${code}: ${err}`)));
  });
}

/** Checks that each host's DNS answer is exactly `expected[host]`; → number of mismatches. */
async function verify(what, dnsPort, expected) {
  let bad = 0;
  for (const [host, address] of Object.entries(expected)) {
    const values = await queryA({ dnsHost: "127.0.0.1", dnsPort, name: host });
    if (values?.length !== 1 || values[0] !== address) {
      bad++;
      progress(`  ${what}: ${host} answers ${JSON.stringify(values)}, expected ${address}`);
    }
  }
  progress(
    `  ${what}: ${Object.keys(expected).length - bad}/${Object.keys(expected).length} hosts show the last update`,
  );
  return bad;
}

/** One final update per host through HTTP, then a DNS check: proves the loads left a working server. */
async function finalHttpCheck(baseUrl, dnsPort, tokens) {
  const agent = keepAliveAgent(1);
  const expected = {};
  try {
    for (const { host, token } of tokens.slice(0, CLIENTS)) {
      const address = nextAddress();
      const r = await sendHttpUpdate({
        agent,
        url: new URL(baseUrl),
        protocol: "dyndns2",
        host,
        token,
        address,
      });
      if (r.ok) expected[host] = address;
      else progress(`  final update of ${host} failed: ${r.status} ${r.text}`);
    }
  } finally {
    agent.destroy();
  }
  return verify("after HTTP loads", dnsPort, expected);
}

// ---- throwaway peers for rfc2136Load (--peers) ----

async function freePort() {
  for (let i = 0; i < 50; i++) {
    const tcp = net.createServer();
    const port = await new Promise((r, j) =>
      tcp.once("error", j).listen({ host: "127.0.0.1", port: 0 }, () => r(tcp.address().port)),
    );
    const udp = dgram.createSocket("udp4");
    const free = await new Promise((r) =>
      udp.once("error", () => r(false)).bind({ address: "127.0.0.1", port }, () => r(true)),
    );
    if (free) await new Promise((r) => udp.close(r));
    await new Promise((r) => tcp.close(r));
    if (free) return port;
  }
  throw new Error("no free port");
}

function peerZoneFile() {
  const lines = [
    "$TTL 300",
    `@ IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 600 86400 60`,
    `@ IN NS ns1.${ZONE}.`,
  ];
  lines.push("ns1 IN A 127.0.0.1");
  for (let i = 0; i < CLIENTS; i++) lines.push(`h${i} 60 IN A 81.0.0.${i + 1}`);
  return `${lines.join("\n")}\n`;
}

function peerConfig(program, dir, port, tsig) {
  if (program === "named") {
    const conf = join(dir, "named.conf");
    writeFileSync(
      conf,
      [
        "options {",
        `  directory "${dir}"; pid-file "${join(dir, "named.pid")}"; session-keyfile "${join(dir, "s.key")}";`,
        `  managed-keys-directory "${dir}"; listen-on port ${port} { 127.0.0.1; }; listen-on-v6 { none; };`,
        "  recursion no; dnssec-validation no; notify no;",
        "};",
        "controls { };",
        `key "${tsig.name}" { algorithm ${tsig.algorithm}; secret "${tsig.secret}"; };`,
        `zone "${ZONE}" { type primary; file "${join(dir, `${ZONE}.db`)}";`,
        `  update-policy { grant "${tsig.name}" zonesub ANY; }; };`,
        "",
      ].join("\n"),
    );
    return ["-g", "-c", conf];
  }
  const conf = join(dir, "knot.conf");
  writeFileSync(
    conf,
    [
      "server:",
      `  rundir: "${dir}"`,
      `  pidfile: "${join(dir, "knot.pid")}"`,
      `  listen: 127.0.0.1@${port}`,
      "log:",
      "  - target: stderr",
      "    any: warning",
      "database:",
      `  storage: "${dir}"`,
      "key:",
      `  - id: ${tsig.name}`,
      `    algorithm: ${tsig.algorithm}`,
      `    secret: ${tsig.secret}`,
      "acl:",
      "  - id: update",
      `    key: ${tsig.name}`,
      "    action: update",
      "zone:",
      `  - domain: ${ZONE}`,
      `    storage: "${dir}"`,
      `    file: "${ZONE}.db"`,
      "    acl: update",
      "",
    ].join("\n"),
  );
  return ["-c", conf];
}

async function withPeer(program, tsig, fn) {
  const dir = mkdtempSync(join(tmpdir(), `beacon-bench-${program}-`));
  writeFileSync(join(dir, `${ZONE}.db`), peerZoneFile());
  const port = await freePort();
  const proc = track(
    spawn(program, peerConfig(program, dir, port, tsig), { stdio: ["ignore", "ignore", "pipe"] }),
  );
  let log = "";
  proc.stderr.on("data", (d) => (log = (log + d).slice(-4000)));
  try {
    let up = false;
    for (let i = 0; i < 100 && !up && proc.exitCode === null; i++) {
      up =
        (
          await queryA({ dnsHost: "127.0.0.1", dnsPort: port, name: `ns1.${ZONE}`, timeoutMs: 100, tries: 1 })
        )?.[0] === "127.0.0.1";
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error(`${program} did not come up:\n${log}`);
    return await fn(port);
  } finally {
    await stop(proc);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** RFC 2136 loads (1 and 16 clients) against a server on `port`; then every name must show its last update. */
async function rfc2136Against(what, port, tsig) {
  const names = Array.from({ length: CLIENTS }, (_, i) => hostName(i));
  const out = {};
  let last = {};
  for (const concurrency of [1, CLIENTS]) {
    progress(`${what}: RFC 2136, ${concurrency} client(s), ${MS} ms`);
    const { last: acked, ...r } = await rfc2136Load({
      host: "127.0.0.1",
      port,
      zone: ZONE,
      names,
      tsig,
      concurrency,
      durationMs: MS,
      maxUpdates: 200_000,
      trackLast: true,
    });
    progress(`  ${JSON.stringify(r)}`);
    out[`c${concurrency}`] = r;
    last = { ...last, ...acked };
  }
  out.namesNotShowingLastUpdate = await verify(`${what} after RFC 2136`, port, last);
  return out;
}

// ---- main ----

const results = {};
let failed = false;
try {
  progress(`building a ${HOSTS}-host zone in ${work}`);
  await buildZone();
  const hosts = Array.from({ length: HOSTS }, (_, i) => hostName(i));
  const { tokens, tsig } = await createCredentials({ dataDir: work, zone: ZONE, hosts });
  const { proc, httpPort, dnsPort } = await startBeacon();
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  progress(`beacon up: HTTP ${httpPort}, DNS ${dnsPort}`);
  try {
    for (const [protocol, concurrency] of [
      ["dyndns2", 1],
      ["dyndns2", CLIENTS],
      ["json", 1],
      ["json", CLIENTS],
    ]) {
      progress(`HTTP ${protocol}, ${concurrency} client(s), ${MS} ms`);
      const { last, ...r } = await httpUpdateLoad({
        baseUrl,
        tokens,
        protocol,
        concurrency,
        durationMs: MS,
        maxRequests: 200_000,
        trackLast: true,
      });
      progress(`  ${JSON.stringify(r)}`);
      results[`http_${protocol}_c${concurrency}`] = r;
      if (r.errors > 0 || r.count === 0 || (await verify(`${protocol} x${concurrency}`, dnsPort, last)) > 0)
        failed = true;
    }
    results.beaconRfc2136 = await rfc2136Against("beacon", dnsPort, tsig);

    progress("update-to-visible, 200 samples");
    results.updateToVisible = await updateToVisible({
      baseUrl,
      token: tokens[0].token,
      host: tokens[0].host,
      dnsHost: "127.0.0.1",
      dnsPort,
      samples: 200,
    });
    progress(`  ${JSON.stringify(results.updateToVisible)}`);

    progress(`probe alone (500 q/s, ${MS} ms), then with 50 updates/s`);
    const probe = { host: "127.0.0.1", port: dnsPort, names: hosts, qps: 500, durationMs: MS };
    results.probeAlone = await probeLatency(probe);
    const stream = steadyHttpUpdates({ baseUrl, tokens, perSecond: 50 });
    results.probeMixed = await probeLatency(probe);
    results.steadyUpdates = await stream.stop();
    progress(`  alone ${JSON.stringify(results.probeAlone)}`);
    progress(
      `  mixed ${JSON.stringify(results.probeMixed)} updates ${JSON.stringify(results.steadyUpdates)}`,
    );

    results.hostsNotShowingLastUpdate = await finalHttpCheck(baseUrl, dnsPort, tokens);
    if (results.hostsNotShowingLastUpdate > 0 || results.beaconRfc2136.namesNotShowingLastUpdate > 0)
      failed = true;
  } finally {
    await stop(proc);
  }

  if (process.argv.includes("--peers")) {
    for (const program of ["named", "knotd"]) {
      results[program] = await withPeer(program, tsig, (port) => rfc2136Against(program, port, tsig));
      if (results[program].namesNotShowingLastUpdate > 0) failed = true;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(results, null, 2));
if (failed) {
  progress("some updates failed or did not land (see above)");
  process.exitCode = 1;
}
