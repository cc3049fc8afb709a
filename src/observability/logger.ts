// Structured JSON logs (pino). Secrets never reach a log line: token strings and Authorization
// headers are redacted by path as a second line of defence.

import { pino, type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  readonly level: string;
  /** Where lines go; defaults to stderr so stdout stays clean for command output. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { app: "beacon" },
      redact: {
        paths: ["token", "secret", "password", "*.authorization", "headers.authorization"],
        censor: "[redacted]",
      },
    },
    opts.destination ?? pino.destination(2),
  );
}
