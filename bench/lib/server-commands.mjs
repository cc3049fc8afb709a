// How each server is started: its command line and the config file it reads, written into its own
// dir for a given port. Peers get one worker (thread or process) where they have a setting, since the
// bench pins each to one core; response shapes are kept alike (minimal answers, no rate limiting).

import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BEACON_MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
/** As `npm start` and docs/performance.md run the server: a 2 MiB young generation (short GC pauses). */
const BEACON_NODE_ARGS = ["--max-semi-space-size=2"];

// Receives, sets QR, sends the same bytes back: what any Node DNS server pays before doing any work.
const ECHO = `const s = require("node:dgram").createSocket("udp4");
s.on("message", (m, r) => { m[2] |= 0x80; s.send(m, r.port, r.address); });
s.bind(Number(process.argv[1]), "127.0.0.1");`;

/**
 * argv (program first) of `kind` for opts `o` (see startServer) plus `port` and, for Beacon, `httpPort`;
 * writes the server's config into `o.dir` first.
 */
export function commandLine(kind, o) {
  switch (kind) {
    case "echo":
      return [process.execPath, "-e", ECHO, String(o.port)];
    case "beacon":
      return [
        process.execPath,
        ...BEACON_NODE_ARGS,
        ...(o.nodeArgs ?? []),
        BEACON_MAIN,
        "--data-dir",
        o.dataDir,
        "serve",
        "--dns-listen",
        `127.0.0.1:${o.port}`,
        "--http-listen",
        `127.0.0.1:${o.httpPort}`,
        "--log-level",
        "info",
      ];
    case "bind": {
      const conf = join(o.dir, "named.conf");
      writeFileSync(conf, bindConf(o));
      // One worker thread: the server gets one core, as every other one does.
      return ["named", "-g", "-c", conf, ...(o.cpu === undefined ? [] : ["-n", "1"])];
    }
    case "knot": {
      const conf = join(o.dir, "knot.conf");
      writeFileSync(conf, knotConf(o));
      return ["knotd", "-c", conf];
    }
    case "pdns": {
      const zones = join(o.dir, "pdns-zones.conf");
      writeFileSync(zones, `zone "${o.zone}" { type master; file "${o.zoneFile}"; };\n`);
      return [
        "pdns_server",
        "--no-config",
        "--daemon=no",
        "--guardian=no",
        "--launch=bind",
        `--bind-config=${zones}`,
        "--local-address=127.0.0.1",
        `--local-port=${o.port}`,
        "--receiver-threads=1",
        "--distributor-threads=1",
        `--socket-dir=${o.dir}`,
        "--disable-syslog",
        "--loglevel=4",
        "--security-poll-suffix=",
      ];
    }
    case "nsd": {
      const conf = join(o.dir, "nsd.conf");
      writeFileSync(conf, nsdConf(o));
      return ["nsd", "-d", "-c", conf];
    }
    default:
      throw new Error(`unknown server ${kind}`);
  }
}

/** A zone file the server may write next to (BIND's journal): a copy in its own dir when it takes updates. */
function ownZoneFile(o) {
  if (o.tsig === undefined) return o.zoneFile;
  const copy = join(o.dir, "zone.db");
  copyFileSync(o.zoneFile, copy);
  return copy;
}

function bindConf(o) {
  const key = o.tsig;
  return [
    "options {",
    `  directory "${o.dir}";`,
    `  pid-file "${join(o.dir, "named.pid")}";`,
    `  session-keyfile "${join(o.dir, "session.key")}";`,
    `  managed-keys-directory "${o.dir}";`,
    `  listen-on port ${o.port} { 127.0.0.1; };`,
    "  listen-on-v6 { none; };",
    "  recursion no;",
    "  dnssec-validation no;",
    "  notify no;",
    "  minimal-responses no-auth-recursive;",
    "};",
    "controls { };",
    ...(key === undefined
      ? []
      : [`key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };`]),
    `zone "${o.zone}" {`,
    "  type primary;",
    `  file "${ownZoneFile(o)}";`,
    ...(key === undefined ? [] : [`  allow-update { key "${key.name}"; };`]),
    "};",
    "",
  ].join("\n");
}

function knotConf(o) {
  const key = o.tsig;
  return [
    "server:",
    `  rundir: "${o.dir}"`,
    `  pidfile: "${join(o.dir, "knot.pid")}"`,
    `  listen: 127.0.0.1@${o.port}`,
    "  udp-workers: 1",
    "  tcp-workers: 1",
    "  background-workers: 1",
    "log:",
    "  - target: stderr",
    "    any: notice",
    "database:",
    `  storage: "${o.dir}"`,
    ...(key === undefined
      ? []
      : [
          "key:",
          `  - id: ${key.name}`,
          `    algorithm: ${key.algorithm}`,
          `    secret: ${key.secret}`,
          "acl:",
          "  - id: update",
          `    key: ${key.name}`,
          "    action: update",
        ]),
    "template:",
    "  - id: default",
    `    storage: "${o.dir}"`,
    // Updates go to the journal (in the temp dir), never back into the shared zone file.
    "    zonefile-sync: -1",
    "    journal-content: changes",
    "zone:",
    `  - domain: ${o.zone}`,
    `    file: "${o.zoneFile}"`,
    ...(key === undefined ? [] : ["    acl: update"]),
    "",
  ].join("\n");
}

function nsdConf(o) {
  return [
    "server:",
    "  server-count: 1",
    `  ip-address: 127.0.0.1@${o.port}`,
    "  do-ip6: no",
    '  username: ""',
    '  chroot: ""',
    '  database: ""',
    `  zonelistfile: "${join(o.dir, "zone.list")}"`,
    `  pidfile: "${join(o.dir, "nsd.pid")}"`,
    `  xfrdfile: "${join(o.dir, "xfrd.state")}"`,
    `  xfrdir: "${o.dir}"`,
    `  zonesdir: "${o.dir}"`,
    "  verbosity: 1",
    // Debian builds NSD with response-rate limiting; the others have none on by default.
    "  rrl-ratelimit: 0",
    "  rrl-whitelist-ratelimit: 0",
    // Like BIND (minimal-responses no-auth-recursive), Knot and PowerDNS: no NS and glue with every answer.
    "  minimal-responses: yes",
    "remote-control:",
    "  control-enable: no",
    "zone:",
    `  name: ${o.zone}`,
    `  zonefile: "${o.zoneFile}"`,
    "",
  ].join("\n");
}
