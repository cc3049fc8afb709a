// Starts the real `beacon` program (the built dist/) as a child process on port 0 and reads its
// ports from the "beacon ready" log line. Every process started here is stopped by PID.

import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const MAIN = join(ROOT, "dist/cli/main.js");

function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
}

export function tempDir(prefix = "beacon-e2e-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Beacon {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly httpPort: number;
  readonly dnsPort: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` and resolves with the exit code (or signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface StartOptions {
  readonly dataDir: string;
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  /** A command the server runs under, e.g. ["ip", "netns", "exec", "ns1"]. */
  readonly wrapper?: readonly string[];
  /** The program's entry; default this checkout's dist/cli/main.js. */
  readonly main?: string;
}

const READY_TIMEOUT_MS = 20_000;

export function startBeacon(opts: StartOptions): Promise<Beacon> {
  if (opts.main === undefined) requireBuild();
  const [cmd, ...pre] = [...(opts.wrapper ?? []), process.execPath];
  const proc = spawn(
    cmd ?? process.execPath,
    [
      ...pre,
      opts.main ?? MAIN,
      "--data-dir",
      opts.dataDir,
      "serve",
      "--http-listen",
      "127.0.0.1:0",
      "--dns-listen",
      "127.0.0.1:0",
      ...(opts.args ?? []),
    ],
    { env: { ...process.env, BEACON_CONFIG: "", ...opts.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<number | string>((res) =>
    proc.once("exit", (code, sig) => res(code ?? sig ?? -1)),
  );

  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`beacon did not become ready in time; stderr:\n${err}`));
    }, READY_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`beacon exited (${code}) before it was ready; stderr:\n${err}\nstdout:\n${out}`));
    });
    const onData = () => {
      for (const line of err.split("\n")) {
        if (!line.includes('"beacon ready"')) continue;
        const ready = JSON.parse(line) as { http: { port: number }[]; dns: { port: number }[] };
        const httpPort = ready.http[0]?.port ?? 0;
        const dnsPort = ready.dns[0]?.port ?? 0;
        clearTimeout(timer);
        proc.stderr.off("data", onData);
        resolveReady({
          proc,
          url: `http://127.0.0.1:${httpPort}`,
          httpPort,
          dnsPort,
          stdout: () => out,
          stderr: () => err,
          exited,
          stop: (signal = "SIGTERM") => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
        return;
      }
    };
    proc.stderr.on("data", onData);
  });
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `beacon <args>` against `dataDir` and resolves with its exit code and output (never rejects on exit code). */
export function runCli(
  dataDir: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return runCliIn(undefined, ["--data-dir", dataDir, ...args], env);
}

/** Runs `beacon <args>` in directory `cwd` (default: this process's), with no --data-dir of its own. */
export function runCliIn(
  cwd: string | undefined,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  requireBuild();
  return new Promise((res) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: { ...process.env, BEACON_CONFIG: "", BEACON_DATA_DIR: "", ...env }, timeout: 20_000, cwd },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        res({ code, stdout, stderr });
      },
    );
  });
}

export const DEMO_ZONE = "dyn.beacon.test";

/** Creates the database in `dataDir` before a server starts (admin commands never create one). */
export async function createDatabase(dataDir: string): Promise<void> {
  const r = await runCli(dataDir, ["migrate"]);
  if (r.code !== 0) throw new Error(`migrate failed: ${r.stderr}`);
}

/** Creates the database, the demo zone and `hosts` in it through the CLI, before a server starts; returns their tokens. */
export async function seedHosts(dataDir: string, hosts: readonly string[]): Promise<Map<string, string>> {
  await createDatabase(dataDir);
  const zone = await runCli(dataDir, ["zone", "add", DEMO_ZONE]);
  if (zone.code !== 0) throw new Error(`zone add failed: ${zone.stderr}`);
  const tokens = new Map<string, string>();
  for (const h of hosts) tokens.set(h, await addHost(dataDir, h));
  return tokens;
}

/** Creates a host through the CLI and returns its token. */
export async function addHost(dataDir: string, fqdn: string): Promise<string> {
  const r = await runCli(dataDir, ["host", "add", fqdn, "--json"]);
  if (r.code !== 0) throw new Error(`host add failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { token: string }).token;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** The first HTTPS port of the "beacon ready" log line (`--http-tls-listen`); 0 without one. */
export function httpsPort(b: Beacon): number {
  const line =
    b
      .stderr()
      .split("\n")
      .find((l) => l.includes('"beacon ready"')) ?? "{}";
  return (JSON.parse(line) as { https?: { port: number }[] }).https?.[0]?.port ?? 0;
}
