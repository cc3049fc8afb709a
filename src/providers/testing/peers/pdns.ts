// A real PowerDNS Authoritative server for provider tests: a temp dir with a fresh gsqlite3 database
// (created from the schema Debian's pdns-backend-sqlite3 ships), the HTTP API and the DNS listener on
// 127.0.0.1 ports chosen at start, no daemon, no guardian, no caches (so a change is answered at once).
// Stopped by its PID. Start it only after peerAvailable("pdns_server", "pdns-server").

import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";

const SCHEMAS = [
  "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql",
  "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql",
];

export interface PdnsServer {
  /** Base of the webserver, e.g. http://127.0.0.1:40123 (the provider's `endpoint`). */
  readonly endpoint: string;
  readonly apiKey: string;
  readonly dnsPort: number;
  /** Calls the API with the right key; for setup and for peeking without the provider. */
  api(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: string }>;
  /** Creates a Native zone (`name` without trailing dot) with one NS record. */
  createZone(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPdns(): Promise<PdnsServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "beacon-pdns-"));
  const schema = SCHEMAS.find((p) => existsSync(p));
  if (schema === undefined) throw new Error(`no gsqlite3 schema found (looked at ${SCHEMAS.join(", ")})`);
  const db = new BetterSqlite3(path.join(dir, "pdns.sqlite3"));
  db.exec(readFileSync(schema, "utf8"));
  db.close();
  const apiKey = `test-key-${process.pid}-${Date.now()}`;
  let lastError = "";
  // A port picked free can be taken before pdns binds it: try again with fresh ports.
  for (let attempt = 0; attempt < 5; attempt++) {
    const webPort = await freePort(false);
    const dnsPort = await freePort(true);
    writeFileSync(path.join(dir, "pdns.conf"), config(dir, apiKey, webPort, dnsPort));
    const child = spawn("pdns_server", [`--config-dir=${dir}`], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const keep = (b: Buffer) => {
      log = (log + b.toString("utf8")).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const endpoint = `http://127.0.0.1:${webPort}`;
    if (await ready(child, endpoint, apiKey)) return server(child, dir, endpoint, apiKey, dnsPort);
    await stopChild(child);
    lastError = log;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`pdns_server did not start:\n${lastError}`);
}

function config(dir: string, apiKey: string, webPort: number, dnsPort: number): string {
  return [
    "launch=gsqlite3",
    `gsqlite3-database=${path.join(dir, "pdns.sqlite3")}`,
    "api=yes",
    `api-key=${apiKey}`,
    "webserver=yes",
    "webserver-address=127.0.0.1",
    `webserver-port=${webPort}`,
    "webserver-allow-from=127.0.0.0/8",
    "local-address=127.0.0.1",
    `local-port=${dnsPort}`,
    "guardian=no",
    "daemon=no",
    `socket-dir=${dir}`,
    "cache-ttl=0",
    "query-cache-ttl=0",
    "negquery-cache-ttl=0",
    "zone-cache-refresh-interval=0",
    "security-poll-suffix=",
    "disable-syslog=yes",
    "loglevel=4",
    "",
  ].join("\n");
}

/** Polls the API until it answers (bounded), or the process exits (a bind failure). */
async function ready(child: ChildProcess, endpoint: string, apiKey: string): Promise<boolean> {
  let exited = false;
  child.once("exit", () => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    try {
      const r = await fetch(`${endpoint}/api/v1/servers/localhost`, {
        headers: { "x-api-key": apiKey },
        signal: AbortSignal.timeout(1000),
      });
      if (r.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function server(
  child: ChildProcess,
  dir: string,
  endpoint: string,
  apiKey: string,
  dnsPort: number,
): PdnsServer {
  const api: PdnsServer["api"] = async (method, apiPath, body) => {
    const r = await fetch(`${endpoint}${apiPath}`, {
      method,
      headers: { "x-api-key": apiKey, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: r.status, body: await r.text() };
  };
  return {
    endpoint,
    apiKey,
    dnsPort,
    api,
    async createZone(name) {
      const r = await api("POST", "/api/v1/servers/localhost/zones", {
        name: `${name}.`,
        kind: "Native",
        nameservers: [`ns1.${name}.`],
      });
      if (r.status !== 201) throw new Error(`creating zone ${name}: ${r.status} ${r.body}`);
    },
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM by PID, SIGKILL if it lingers; resolves once it has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** A 127.0.0.1 port free for TCP (and for UDP too when `udp`): bound as 0, read back, released. */
async function freePort(udp: boolean): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const udpFree = await new Promise<boolean>((resolve) => {
      const sock = dgram.createSocket("udp4");
      sock.once("error", () => resolve(false));
      sock.bind(port, "127.0.0.1", () => sock.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error("no free port pair found");
}
