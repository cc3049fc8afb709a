// Beacon as the hidden primary of real secondaries (BIND, Knot): the secondaries need the primary's
// port and Beacon needs theirs for NOTIFY, so Beacon is started once for a port, the secondaries on
// it (they are ready after their first transfer), then Beacon again on that same port with NOTIFY to
// every one of them. Used by secondaries.test.ts and catalog.test.ts, with the transfer key they make.

import type { DnsPeer, PeerKey } from "../../../src/providers/testing/peers/dns-peer.js";
import { runCli, startBeacon, type Beacon } from "./beacon.js";

/** `beacon key add name --name-scope scope`: the key, as the secondaries' configs take it. */
export async function addTransferKey(dataDir: string, name: string, scope: string): Promise<PeerKey> {
  const added = await runCli(dataDir, ["key", "add", name, "--name-scope", scope, "--json"]);
  if (added.code !== 0) throw new Error(`key add failed: ${added.stderr}`);
  const k = JSON.parse(added.stdout) as { name: string; algorithm: PeerKey["algorithm"]; secret: string };
  return { name: k.name, algorithm: k.algorithm, secret: k.secret };
}

export async function startPrimaryWithSecondaries<P extends readonly DnsPeer[]>(opts: {
  readonly dataDir: string;
  readonly env: Record<string, string>;
  /** Starts the secondaries against Beacon's DNS port. */
  readonly secondaries: (port: number) => Promise<P>;
}): Promise<{ readonly beacon: Beacon; readonly dnsPort: number; readonly peers: P }> {
  const first = await startBeacon({ dataDir: opts.dataDir, env: opts.env });
  const dnsPort = first.dnsPort;
  let peers: P;
  try {
    peers = await opts.secondaries(dnsPort);
  } finally {
    await first.stop();
  }
  const beacon = await startBeacon({
    dataDir: opts.dataDir,
    args: ["--dns-listen", `127.0.0.1:${dnsPort}`],
    env: { ...opts.env, BEACON_DNS_TRANSFER_NOTIFY: peers.map((p) => `127.0.0.1:${p.port}`).join(",") },
  });
  return { beacon, dnsPort, peers };
}
