// Structured logs (pino). Secrets never reach a log line: token strings and Authorization headers are
// redacted by path as a second line of defence. JSON lines for pipes, files and journald; a compact
// human line on a terminal (pretty.ts), unless the format is given.

import { pino, type Logger } from "pino";
import type { LogFormat } from "../config/server-config.js";
import { prettyDestination } from "./pretty.js";

export type { Logger, LogFormat };

export interface LoggerOptions {
  readonly level: string;
  /** Default auto. */
  readonly format?: LogFormat;
  /** Where lines go; defaults to stderr so stdout stays clean for command output. */
  readonly destination?: NodeJS.WritableStream;
  /** Whether the destination is a terminal (for auto); default: whether stderr is. */
  readonly isTty?: boolean;
}

export function createLogger(opts: LoggerOptions): Logger {
  const pretty =
    resolveFormat(opts.format ?? "auto", opts.isTty ?? process.stderr.isTTY === true) === "pretty";
  // Lines for a person are written at once, so they stay in order with what commands print on stdout.
  const out = opts.destination ?? pino.destination(pretty ? { dest: 2, sync: true } : 2);
  return pino(
    {
      level: opts.level,
      base: { app: "beacon" },
      redact: {
        paths: ["token", "secret", "password", "*.authorization", "headers.authorization"],
        censor: "[redacted]",
      },
    },
    pretty ? prettyDestination(out) : out,
  );
}

/** What `auto` means for a destination that is (or is not) a terminal. */
export function resolveFormat(format: LogFormat, isTty: boolean): "json" | "pretty" {
  if (format !== "auto") return format;
  return isTty ? "pretty" : "json";
}
