// Real BIND 9 and Knot configured as secondaries of a zone Beacon serves (the hidden-primary setup):
// the zone's primary is 127.0.0.1 at Beacon's DNS port, transfers (and the SOA refresh queries) are
// signed with a TSIG key when one is given, NOTIFY is accepted from 127.0.0.1. Ready once the server
// answers the zone's SOA authoritatively, i.e. after the first transfer from Beacon succeeded.
// Start only after peerAvailable("named", "bind9") / peerAvailable("knotd", "knot").

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { namedOptions } from "./bind.js";
import { startDnsPeer, type DnsPeer, type PeerKey } from "./dns-peer.js";

export interface PrimarySpec {
  readonly zone: string;
  /** Beacon's DNS port on 127.0.0.1. */
  readonly port: number;
  readonly key?: PeerKey;
}

export function startBindSecondary(p: PrimarySpec): Promise<DnsPeer> {
  return startDnsPeer({
    program: "named",
    zone: p.zone,
    configure: async (dir, port) => {
      const conf = path.join(dir, "named.conf");
      const key = p.key === undefined ? "" : ` key "${p.key.name}"`;
      await writeFile(
        conf,
        [
          ...namedOptions(dir, port, p.key === undefined ? [] : [p.key]),
          `zone "${p.zone}" {`,
          "  type secondary;",
          `  file "${path.join(dir, "secondary.db")}";`,
          `  primaries { 127.0.0.1 port ${p.port}${key}; };`,
          "  allow-notify { 127.0.0.1; };",
          "  request-ixfr yes;",
          "};",
          "",
        ].join("\n"),
      );
      return ["-g", "-c", conf];
    },
  });
}

export function startKnotSecondary(p: PrimarySpec): Promise<DnsPeer> {
  return startDnsPeer({
    program: "knotd",
    zone: p.zone,
    configure: async (dir, port) => {
      const conf = path.join(dir, "knot.conf");
      await writeFile(
        conf,
        [
          "server:",
          `  rundir: "${dir}"`,
          `  pidfile: "${path.join(dir, "knot.pid")}"`,
          `  listen: 127.0.0.1@${port}`,
          "log:",
          "  - target: stderr",
          "    any: info",
          "database:",
          `  storage: "${dir}"`,
          ...(p.key === undefined
            ? []
            : [
                "key:",
                `  - id: ${p.key.name}`,
                `    algorithm: ${p.key.algorithm}`,
                `    secret: ${p.key.secret}`,
              ]),
          "remote:",
          "  - id: beacon",
          `    address: 127.0.0.1@${p.port}`,
          ...(p.key === undefined ? [] : [`    key: ${p.key.name}`]),
          "acl:",
          "  - id: notify-from-beacon",
          "    address: 127.0.0.1",
          "    action: notify",
          "template:",
          "  - id: default",
          `    storage: "${dir}"`,
          '    file: "%s.secondary.db"',
          "zone:",
          `  - domain: ${p.zone}`,
          "    master: beacon",
          "    acl: notify-from-beacon",
          "",
        ].join("\n"),
      );
      return ["-c", conf];
    },
  });
}
