// A real BIND 9 (named) for the RFC 2136 provider tests: one primary zone, TSIG keys allowed to update
// it through update-policy, no rndc, no recursion, everything in a temp dir (named runs as the user
// that started it; as root it needs no -u). Start only after peerAvailable("named", "bind9").

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { startDnsPeer, type DnsPeer, type PeerKey } from "./dns-peer.js";

export function startBind(zone: string, keys: readonly PeerKey[]): Promise<DnsPeer> {
  return startDnsPeer({
    program: "named",
    zone,
    configure: async (dir, port) => {
      const conf = path.join(dir, "named.conf");
      await writeFile(conf, namedConf(dir, port, zone, keys));
      return ["-g", "-c", conf];
    },
  });
}

/** The options of a throwaway named in `dir` on 127.0.0.1:`port`, and its keys: every test's named.conf starts so. */
/** `options` lines beyond the usual go in `extra` (e.g. catalog-zones). */
export function namedOptions(
  dir: string,
  port: number,
  keys: readonly Omit<PeerKey, "subtree">[],
  extra: readonly string[] = [],
): string[] {
  return [
    "options {",
    `  directory "${dir}";`,
    `  pid-file "${path.join(dir, "named.pid")}";`,
    `  session-keyfile "${path.join(dir, "session.key")}";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    "  listen-on-v6 { none; };",
    "  recursion no;",
    "  dnssec-validation no;",
    "  notify no;",
    ...extra,
    "};",
    "controls { };",
    ...keys.map((k) => `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret}"; };`),
  ];
}

function namedConf(dir: string, port: number, zone: string, keys: readonly PeerKey[]): string {
  const grants = keys.map((k) =>
    k.subtree === undefined
      ? `    grant "${k.name}" zonesub ANY;`
      : `    grant "${k.name}" subdomain ${k.subtree}. ANY;`,
  );
  return [
    ...namedOptions(dir, port, keys),
    `zone "${zone}" {`,
    "  type primary;",
    `  file "${path.join(dir, `${zone}.db`)}";`,
    "  update-policy {",
    ...grants,
    "  };",
    "};",
    "",
  ].join("\n");
}
