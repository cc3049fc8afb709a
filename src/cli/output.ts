// How commands talk to people and scripts: tables for people, `--json` for scripts, errors on stderr
// with a stable code and an exit status that says what kind of failure it was.

import { isBeaconError, type ErrorCode } from "../core/errors.js";
import { isOutOfFiles, outOfFilesError } from "./open-files.js";

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
};

/**
 * Exit statuses (documented in docs/cli.md); the start-up ones follow sysexits.h. `brokenPipe` is
 * 128 + SIGPIPE, what a shell reports for a program its reader left (`beacon host list --json | head -c 10`).
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  /** EX_UNAVAILABLE: the address is not on this machine. */
  addressNotAvailable: 69,
  /** EX_OSERR: out of file descriptors. */
  tooManyOpenFiles: 71,
  /** EX_TEMPFAIL: the address is in use (another server may be stopping). */
  addressInUse: 75,
  /** EX_NOPERM: no privilege to listen there. */
  listenNotPermitted: 77,
  config: 78,
  brokenPipe: 141,
} as const;

const START_UP: Partial<Record<ErrorCode, number>> = {
  address_not_available: EXIT.addressNotAvailable,
  too_many_open_files: EXIT.tooManyOpenFiles,
  address_in_use: EXIT.addressInUse,
  listen_not_permitted: EXIT.listenNotPermitted,
};

/**
 * A closed stdout or stderr ends the process quietly with EXIT.brokenPipe, for every command: there
 * is no one left to read the rest, nor an error. Any other error of these streams is thrown as before.
 */
export function exitOnBrokenPipe(
  streams: readonly NodeJS.EventEmitter[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  for (const stream of streams) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      exit(EXIT.brokenPipe);
    });
  }
}

export function exitCodeFor(code: ErrorCode): number {
  const startUp = START_UP[code];
  if (startUp !== undefined) return startUp;
  if (code === "config_invalid") return EXIT.config;
  if (code.endsWith("_not_found") || code === "not_found") return EXIT.notFound;
  if (code.endsWith("_exists") || code === "zone_not_empty" || code === "store_in_use") return EXIT.conflict;
  if (code.startsWith("invalid_") || code === "bad_request" || code === "outside_zone") return EXIT.usage;
  return EXIT.failure;
}

/** Prints an error for a person and returns the exit status to use. */
export function reportError(io: Io, thrown: unknown): number {
  const e = isOutOfFiles(thrown) ? outOfFilesError() : thrown;
  if (isBeaconError(e)) {
    io.err(`beacon: error: ${e.message} [${e.code}]`);
    return exitCodeFor(e.code);
  }
  io.err(`beacon: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT.failure;
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** Left-aligned columns; an empty list prints `empty` instead of a bare header. */
export function printTable(
  io: Io,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  empty: string,
): void {
  if (rows.length === 0) {
    io.out(empty);
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  io.out([line(headers), ...rows.map(line)].join("\n"));
}

export function formatTime(ms: number | undefined): string {
  return ms === undefined ? "-" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
