// Running the real dyndns2 clients once against a config file: Debian's ddclient and inadyn, in the
// foreground, with their state kept in the test's own directory. Output is stdout and stderr together.

import { execFile } from "node:child_process";
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

/** One ddclient run with `config` as its ddclient.conf (written 0600 in `dir`). */
export function runDdclient(dir: string, config: string): Promise<ProgramRun> {
  const conf = join(dir, "ddclient.conf");
  writeFileSync(conf, config, { mode: 0o600 });
  const cache = join(dir, "ddclient.cache");
  return runProgram("ddclient", ["-daemon=0", "-foreground", "-file", conf, "-cache", cache, "-verbose"]);
}

/** One inadyn run (--once) with `config` as its inadyn.conf (written 0600 in `dir`). */
export function runInadyn(dir: string, config: string): Promise<ProgramRun> {
  const conf = join(dir, "inadyn.conf");
  writeFileSync(conf, config, { mode: 0o600 });
  const pid = join(dir, "inadyn.pid");
  return runProgram("inadyn", [
    "--once",
    "--foreground",
    "-f",
    conf,
    "--cache-dir",
    dir,
    "-l",
    "debug",
    "-P",
    pid,
  ]);
}
