// A real Knot DNS (knotd) for the RFC 2136 provider tests: one zone, TSIG keys allowed to update it
// through an ACL with `action: update`, rundir, storage and journal in a temp dir, in the foreground.
// Start only after peerAvailable("knotd", "knot").

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { startDnsPeer, type DnsPeer, type PeerKey } from "./dns-peer.js";

export function startKnot(zone: string, keys: readonly PeerKey[]): Promise<DnsPeer> {
  if (keys.some((k) => k.subtree !== undefined))
    throw new Error("startKnot: subtree keys are BIND-only here");
  return startDnsPeer({
    program: "knotd",
    zone,
    configure: async (dir, port) => {
      const conf = path.join(dir, "knot.conf");
      await writeFile(conf, knotConf(dir, port, zone, keys));
      return ["-c", conf];
    },
  });
}

function knotConf(dir: string, port: number, zone: string, keys: readonly PeerKey[]): string {
  return [
    "server:",
    `  rundir: "${dir}"`,
    `  pidfile: "${path.join(dir, "knot.pid")}"`,
    `  listen: 127.0.0.1@${port}`,
    "log:",
    "  - target: stderr",
    "    any: info",
    "database:",
    `  storage: "${dir}"`,
    "key:",
    ...keys.flatMap((k) => [`  - id: ${k.name}`, `    algorithm: ${k.algorithm}`, `    secret: ${k.secret}`]),
    "acl:",
    "  - id: update",
    `    key: [${keys.map((k) => k.name).join(", ")}]`,
    "    action: update",
    "template:",
    "  - id: default",
    `    storage: "${dir}"`,
    '    file: "%s.db"',
    "    zonefile-sync: -1",
    "    journal-content: none",
    "zone:",
    `  - domain: ${zone}`,
    "    acl: update",
    "",
  ].join("\n");
}
