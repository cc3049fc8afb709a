// Running the real dyndns2 clients against a config file: Debian's ddclient and inadyn, in the
// foreground, with their state kept in the test's own directory, once or (inadyn) as a service that
// the test stops by its PID. Output is stdout and stderr together.

import { execFile, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ProgramRun {
  readonly code: number;
  readonly out: string;
}

/** Runs a program to its end (30 s at most); never rejects on its exit code. */
export function runProgram(cmd: string, args: readonly string[]): Promise<ProgramRun> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

/**
 * A ddclient.conf (protocol dyndns2) updating `host` to `ip`, which ddclient learns from a command:
 * plain HTTP, or HTTPS trusting the CA certificate in `caFile` when one is given.
 */
export function ddclientConfig(
  server: string,
  host: string,
  token: string,
  ip: string,
  caFile?: string,
): string {
  return [
    "daemon=0",
    "syslog=no",
    ...(caFile === undefined ? ["ssl=no"] : ["ssl=yes", `ssl_ca_file=${caFile}`]),
    `use=cmd, cmd='/bin/echo ${ip}'`,
    "protocol=dyndns2",
    `server=${server}`,
    `login=${host}`,
    `password='${token}'`,
    host,
    "",
  ].join("\n");
}

/** An inadyn.conf with a `custom` provider (as docs/clients.md) updating `host` to `ip`, learnt from a command. */
export function inadynConfig(server: string, host: string, token: string, ip: string): string {
  return [
    "period = 60",
    "custom beacon {",
    "  ssl = false",
    `  username = ${host}`,
    `  password = "${token}"`,
    `  ddns-server = "${server}"`,
    `  ddns-path = "/nic/update?hostname=%h&myip=%i"`,
    `  checkip-command = "/bin/echo ${ip}"`,
    `  hostname = ${host}`,
    "}",
    "",
  ].join("\n");
}

/** One ddclient run with `config` as its ddclient.conf (written 0600 in `dir`). */
export function runDdclient(dir: string, config: string): Promise<ProgramRun> {
  const conf = join(dir, "ddclient.conf");
  writeFileSync(conf, config, { mode: 0o600 });
  const cache = join(dir, "ddclient.cache");
  return runProgram("ddclient", ["-daemon=0", "-foreground", "-file", conf, "-cache", cache, "-verbose"]);
}

function inadynArgs(dir: string, config: string): string[] {
  const conf = join(dir, "inadyn.conf");
  writeFileSync(conf, config, { mode: 0o600 });
  return ["--foreground", "-f", conf, "--cache-dir", dir, "-l", "debug", "-P", join(dir, "inadyn.pid")];
}

/** One inadyn run (--once) with `config` as its inadyn.conf (written 0600 in `dir`). */
export function runInadyn(dir: string, config: string): Promise<ProgramRun> {
  return runProgram("inadyn", ["--once", ...inadynArgs(dir, config)]);
}

export interface RunningProgram {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once the output matches (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM (SIGKILL after 5 s) to this process only; resolves when it has exited. */
  stop(): Promise<void>;
}

/** inadyn as a service (no --once), until stop(). */
export function startInadyn(dir: string, config: string): RunningProgram {
  const proc = spawn("inadyn", inadynArgs(dir, config), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  return {
    output: () => out,
    async waitFor(pattern, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (Date.now() > until || proc.exitCode !== null)
          throw new Error(`inadyn never printed ${String(pattern)}; it printed:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    signal: (sig) => void proc.kill(sig),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const force = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(force);
    },
  };
}
