// Pebble (Debian's `pebble`, an ACME test CA) for end-to-end tests: its HTTPS listener gets a
// certificate made here by openssl (the `caFile` clients must trust), it validates DNS-01 challenges by
// asking `dnsPort` and HTTP-01 ones on `httpPort` of 127.0.0.1, without the random waits it adds by
// default. Everything on loopback with free ports.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";

/** A port free right now on 127.0.0.1 (Pebble cannot listen on port 0 and say which port it got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Pebble {
  readonly directory: string;
  /** Pebble's management API (https; GET /roots/0 is the root that issued every certificate). */
  readonly management: string;
  readonly caFile: string;
  readonly log: () => string;
  stop(): Promise<void>;
}

/**
 * Pebble with a TLS certificate for 127.0.0.1, checking DNS-01 challenges against `dnsPort` (and
 * resolving names there), HTTP-01 ones on `httpPort` (default: a free port nobody listens on).
 */
export async function startPebble(dir: string, dnsPort: number, httpPort?: number): Promise<Pebble> {
  const caFile = join(dir, "pebble-cert.pem");
  const keyFile = join(dir, "pebble-key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=pebble test listener",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      keyFile,
      "-out",
      caFile,
    ],
    { stdio: "ignore" },
  );
  const [listen, management, http, tls] = [
    await freePort(),
    await freePort(),
    httpPort ?? (await freePort()),
    await freePort(),
  ];
  const config = join(dir, "pebble.json");
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${listen}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: caFile,
        privateKey: keyFile,
        httpPort: http,
        tlsPort: tls,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const proc: ChildProcess = spawn("pebble", ["-config", config, "-dnsserver", `127.0.0.1:${dnsPort}`], {
    // no random waits before validating, and no valid nonce refused (clients retry those, slowly)
    env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  proc.stdout?.setEncoding("utf8").on("data", (d: string) => (log += d));
  proc.stderr?.setEncoding("utf8").on("data", (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const directory = `https://127.0.0.1:${listen}/dir`;
  for (let i = 0; i < 100 && !log.includes("ACME directory available"); i++) {
    if (proc.exitCode !== null) throw new Error(`pebble exited:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!log.includes("ACME directory available")) throw new Error(`pebble did not start:\n${log}`);
  return {
    directory,
    management: `https://127.0.0.1:${management}`,
    caFile,
    log: () => log,
    stop: async () => {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}
