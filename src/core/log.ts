// The logger port: a minimal structured logger (pino-compatible), so no layer needs pino. Adapters
// (pino in src/observability) are wired in src/cli.

export interface Log {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
