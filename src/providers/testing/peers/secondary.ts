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

/** A catalog consumer: `catalog` is the only zone configured; ready once it serves member `zone`. */
export interface CatalogSpec extends PrimarySpec {
  readonly catalog: string;
}

/**
 * BIND 9.18 following an RFC 9432 catalog zone served by Beacon: only the catalog is configured; every
 * member zone it lists is transferred from the same primary with the same key (docs/secondaries.md).
 */
export function startBindCatalogSecondary(p: CatalogSpec): Promise<DnsPeer> {
  const primary = `127.0.0.1 port ${p.port}${p.key === undefined ? "" : ` key "${p.key.name}"`}`;
  return startDnsPeer({
    program: "named",
    zone: p.zone,
    configure: async (dir, port) => {
      const conf = path.join(dir, "named.conf");
      const catalog = [
        `  catalog-zones { zone "${p.catalog}" default-primaries { ${primary}; } in-memory yes min-update-interval 1; };`,
      ];
      await writeFile(
        conf,
        [
          ...namedOptions(dir, port, p.key === undefined ? [] : [p.key], catalog),
          `zone "${p.catalog}" {`,
          "  type secondary;",
          `  file "${path.join(dir, "catalog.db")}";`,
          `  primaries { ${primary}; };`,
          "  allow-notify { 127.0.0.1; };",
          "};",
          "",
        ].join("\n"),
      );
      return ["-g", "-c", conf];
    },
  });
}

/** Knot 3.2 following the same catalog: `catalog-role: interpret`, members from a template. */
export function startKnotCatalogSecondary(p: CatalogSpec): Promise<DnsPeer> {
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
          "  - id: beacon-member",
          `    storage: "${dir}"`,
          '    file: "%s.member.db"',
          "    master: beacon",
          "    acl: notify-from-beacon",
          "zone:",
          `  - domain: ${p.catalog}`,
          "    master: beacon",
          "    acl: notify-from-beacon",
          "    catalog-role: interpret",
          "    catalog-template: beacon-member",
          "",
        ].join("\n"),
      );
      return ["-c", conf];
    },
  });
}
