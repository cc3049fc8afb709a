// Shared harness for real authoritative servers (BIND, Knot) in provider tests: a temp dir holding the
// config and one zone file, the server in the foreground on 127.0.0.1 and a port free for UDP and TCP,
// ready once it answers the zone's SOA authoritatively. A port can be taken between choosing it and
// the server binding it, so a server that does not come up is stopped and started again on a fresh
// port (bounded). Stopped by its own PID only.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDnsExchange } from "../../../dns/client/exchange.js";
import { readMessage } from "../../../dns/wire/records.js";
import { encodeQuery } from "../../../dns/wire/update.js";
import type { TsigAlgorithm } from "../../../dns/tsig/tsig.js";
import { freeDnsPort } from "./free-port.js";

export interface PeerKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  /** Base64, as both servers' configs and the provider's `key_secret` take it. */
  readonly secret: string;
  /** Limit the key to this name and the names below it (default: the whole zone). */
  readonly subtree?: string;
}

export interface DnsPeer {
  readonly port: number;
  readonly zone: string;
  /** The server's own output so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface PeerSpec {
  /** Program name, for messages. */
  readonly program: string;
  readonly zone: string;
  /** Writes the config into `dir` for `port`; returns the arguments to start the program with. */
  configure(dir: string, port: number): Promise<readonly string[]>;
}

const ATTEMPTS = 4;
/** Readiness polls per attempt, 100 ms apart. */
const POLLS = 100;

export async function startDnsPeer(spec: PeerSpec): Promise<DnsPeer> {
  const dir = await mkdtemp(path.join(tmpdir(), `beacon-${spec.program}-`));
  await writeFile(path.join(dir, `${spec.zone}.db`), zoneFile(spec.zone));
  let lastLog = "";
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = await freeDnsPort();
    const args = await spec.configure(dir, port);
    const child = spawn(spec.program, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const keep = (b: Buffer) => {
      out = (out + b.toString("utf8")).slice(-8000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    if (await ready(child, port, spec.zone)) {
      return {
        port,
        zone: spec.zone,
        log: () => out,
        stop: async () => {
          process.off("exit", killOnExit);
          await stopChild(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    process.off("exit", killOnExit);
    await stopChild(child);
    lastLog = out;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`${spec.program} did not answer for ${spec.zone} after ${ATTEMPTS} starts:\n${lastLog}`);
}

function zoneFile(zone: string): string {
  return [
    "$TTL 300",
    `@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`,
    `@ IN NS ns1.${zone}.`,
    "ns1 IN A 127.0.0.1",
    "",
  ].join("\n");
}

async function ready(child: ChildProcess, port: number, zone: string): Promise<boolean> {
  const exchange = createDnsExchange({ retransmitMs: 100 });
  for (let i = 0; i < POLLS; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const reply = await exchange({
        server: "127.0.0.1",
        port,
        transport: "udp",
        message: encodeQuery(i + 1, zone, "SOA"),
        signal: AbortSignal.timeout(100),
      });
      const msg = readMessage(reply);
      if (msg.ok && msg.value.rcode === 0 && (msg.value.flags & 0x0400) !== 0) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
