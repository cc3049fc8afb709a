// The real RunCommand: child_process.spawn without a shell (argv is passed as is, nothing is
// interpolated). The environment is the agent's plus `env`. Output beyond the cap is discarded, not
// buffered. On abort the promise rejects at once; the child gets SIGTERM, then SIGKILL if it lingers.

import { spawn } from "node:child_process";
import { constants } from "node:os";
import { BeaconError } from "../../core/errors.js";
import type { CommandResult, RunCommand } from "./types.js";

export interface RunCommandOptions {
  /** Bytes kept per stream (default 64 KiB); the rest is read and dropped. */
  readonly maxOutputBytes?: number;
  /** Grace between SIGTERM and SIGKILL after an abort (default 2000 ms). */
  readonly killGraceMs?: number;
}

export function createRunCommand(options: RunCommandOptions = {}): RunCommand {
  const maxBytes = options.maxOutputBytes ?? 64 * 1024;
  const graceMs = options.killGraceMs ?? 2000;

  return (argv, opts) => {
    const [file, ...args] = argv;
    if (file === undefined || file === "")
      return Promise.reject(new BeaconError("bad_request", "empty command line"));
    if (opts.signal.aborted)
      return Promise.reject(new BeaconError("aborted", `${file}: aborted before starting`));

    return new Promise<CommandResult>((resolve, reject) => {
      const child = spawn(file, args, {
        env: { ...process.env, ...opts.env },
        stdio: ["pipe", "pipe", "pipe"],
        shell: false,
        windowsHide: true,
      });
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        opts.signal.removeEventListener("abort", onAbort);
        fn();
      };
      const onAbort = () => {
        settle(() => reject(new BeaconError("aborted", `${file}: aborted`)));
        child.kill("SIGTERM");
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        }, graceMs);
        timer.unref();
      };
      opts.signal.addEventListener("abort", onAbort, { once: true });

      const stdout = collect(maxBytes);
      const stderr = collect(maxBytes);
      child.stdout.on("data", stdout.push);
      child.stderr.on("data", stderr.push);
      // A child that exits without reading its stdin makes our write fail with EPIPE: not our failure.
      child.stdin.on("error", () => undefined);
      child.stdin.end(opts.stdin ?? "");

      child.on("error", (e) =>
        settle(() => reject(new BeaconError("command_failed", `${file}: ${e.message}`, { cause: e }))),
      );
      child.on("close", (code, signal) =>
        settle(() =>
          resolve({
            code: code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)),
            stdout: stdout.text(),
            stderr: stderr.text(),
          }),
        ),
      );
    });
  };
}

function collect(max: number): { push: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push: (chunk) => {
      if (size >= max) return;
      const part = chunk.subarray(0, max - size);
      chunks.push(part);
      size += part.length;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}
