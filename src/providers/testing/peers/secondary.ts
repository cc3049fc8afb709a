// Real BIND 9 and Knot configured as secondaries of a zone Beacon serves (the hidden-primary setup), or
// of Beacon's catalog zone alone (RFC 9432), following every zone it lists:
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
  return startBind(p, [], p.zone, ["  request-ixfr yes;"]);
}

export function startKnotSecondary(p: PrimarySpec): Promise<DnsPeer> {
  return startKnot(p, () => [], p.zone, []);
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
  const catalog = `  catalog-zones { zone "${p.catalog}" default-primaries { ${bindPrimary(p)}; } in-memory yes min-update-interval 1; };`;
  return startBind(p, [catalog], p.catalog, []);
}

/** Knot 3.2 following the same catalog: `catalog-role: interpret`, members from a template. */
export function startKnotCatalogSecondary(p: CatalogSpec): Promise<DnsPeer> {
  const member = (dir: string) => [
    "  - id: beacon-member",
    `    storage: "${dir}"`,
    '    file: "%s.member.db"',
    "    master: beacon",
    "    acl: notify-from-beacon",
  ];
  return startKnot(p, member, p.catalog, [
    "    catalog-role: interpret",
    "    catalog-template: beacon-member",
  ]);
}

function bindPrimary(p: PrimarySpec): string {
  return `127.0.0.1 port ${p.port}${p.key === undefined ? "" : ` key "${p.key.name}"`}`;
}

/** named with `options` lines `options`, secondary of `zone` (lines `extra` in its block); ready on p.zone. */
function startBind(
  p: PrimarySpec,
  options: readonly string[],
  zone: string,
  extra: readonly string[],
): Promise<DnsPeer> {
  return startDnsPeer({
    program: "named",
    zone: p.zone,
    configure: async (dir, port) => {
      const conf = path.join(dir, "named.conf");
      await writeFile(
        conf,
        [
          ...namedOptions(dir, port, p.key === undefined ? [] : [p.key], options),
          `zone "${zone}" {`,
          "  type secondary;",
          `  file "${path.join(dir, `${zone}.secondary.db`)}";`,
          `  primaries { ${bindPrimary(p)}; };`,
          "  allow-notify { 127.0.0.1; };",
          ...extra,
          "};",
          "",
        ].join("\n"),
      );
      return ["-g", "-c", conf];
    },
  });
}

/** knotd with the templates `templates(dir)` besides the default, secondary of `zone` (lines `extra`); ready on p.zone. */
function startKnot(
  p: PrimarySpec,
  templates: (dir: string) => readonly string[],
  zone: string,
  extra: readonly string[],
): Promise<DnsPeer> {
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
          ...templates(dir),
          "zone:",
          `  - domain: ${zone}`,
          "    master: beacon",
          "    acl: notify-from-beacon",
          ...extra,
          "",
        ].join("\n"),
      );
      return ["-c", conf];
    },
  });
}
