// The certificate source of http.tls.cert_file and http.tls.key_file. Contract:
// - `start()` reads both files and installs them; anything wrong (a file unreadable, a key that does
//   not match) throws `config_invalid` naming the settings and the files: the server does not start.
// - Afterwards the files are re-read when their directory changes (fs.watch, settled for SETTLE_MS so a
//   certificate and key written one after the other are read together) and when a slow poll sees a
//   file's mtime, size or inode change (POLL_MS; the backstop where watching fails). Paths are
//   followed through symlinks each time, so certbot's live/ links and a Kubernetes `..data` swap work.
// - `reload()` (SIGHUP, or a change seen) installs a pair only when it differs from the one served;
//   a bad new pair is logged once (not again until the files change) and the old one kept. Never throws.

import { readFileSync, statSync, watch as fsWatch } from "node:fs";
import { dirname } from "node:path";
import type { CertificateSink } from "../../core/certificates.js";
import { BeaconError } from "../../core/errors.js";
import type { Log } from "../../core/log.js";
import type { Timers, TimerHandle } from "../../core/timers.js";
import { describeReadError } from "../../config/yaml-source.js";
import type { Every } from "../serve/periodic.js";

export const SETTLE_MS = 250;
export const POLL_MS = 60_000;

export type ReloadOutcome = "installed" | "unchanged" | "failed";

export interface CertificateFiles {
  start(): void;
  reload(): ReloadOutcome;
  stop(): void;
}

/** Calls `changed` on any change in `dir`; returns its stop. Throws when it cannot watch. */
export type WatchDir = (dir: string, changed: () => void, failed: (e: unknown) => void) => () => void;

export const watchDir: WatchDir = (dir, changed, failed) => {
  const w = fsWatch(dir, { persistent: false }, () => changed());
  w.on("error", failed);
  return () => w.close();
};

export function certificateFiles(d: {
  readonly certFile: string;
  readonly keyFile: string;
  readonly sink: CertificateSink;
  readonly log: Log;
  readonly timers: Timers;
  readonly every: Every;
  readonly watch?: WatchDir;
}): CertificateFiles {
  const files = { "http.tls.cert_file": d.certFile, "http.tls.key_file": d.keyFile };
  let served = "";
  let refused = "";
  let seen = signature();
  let settle: TimerHandle | undefined;
  const stops: (() => void)[] = [];

  function read(): { certPem: string; keyPem: string } {
    const [certPem, keyPem] = Object.entries(files).map(([setting, path]) => {
      try {
        return readFileSync(path, "utf8");
      } catch (e) {
        throw new BeaconError("config_invalid", `${setting}: cannot read ${path}: ${describeReadError(e)}`);
      }
    }) as [string, string];
    return { certPem, keyPem };
  }

  function install(pair: { certPem: string; keyPem: string }): void {
    try {
      d.sink.install({ ...pair, origin: d.certFile });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new BeaconError(
        "config_invalid",
        `${why} (http.tls.cert_file ${d.certFile}, http.tls.key_file ${d.keyFile})`,
      );
    }
    served = pair.certPem + pair.keyPem;
  }

  function reload(): ReloadOutcome {
    seen = signature();
    try {
      const pair = read();
      const both = pair.certPem + pair.keyPem;
      if (both === served) return "unchanged";
      if (both === refused) return "failed";
      try {
        install(pair);
      } catch (e) {
        refused = both;
        throw e;
      }
      return "installed";
    } catch (e) {
      d.log.warn(
        { err: e instanceof Error ? e.message : String(e) },
        "the TLS certificate files were not reloaded; the previous certificate is still served",
      );
      return "failed";
    }
  }

  function soon(): void {
    if (settle !== undefined) d.timers.clearTimeout(settle);
    settle = d.timers.setTimeout(() => {
      settle = undefined;
      reload();
    }, SETTLE_MS);
  }

  /** mtime, size and inode of both files (through symlinks); "" for one that cannot be read. */
  function signature(): string {
    return Object.values(files)
      .map((path) => {
        try {
          const s = statSync(path);
          return `${s.mtimeMs}:${s.size}:${s.ino}`;
        } catch {
          return "";
        }
      })
      .join("|");
  }

  return {
    start() {
      install(read());
      seen = signature();
      const watch = d.watch ?? watchDir;
      for (const dir of new Set(Object.values(files).map((f) => dirname(f)))) {
        const failed = (e: unknown) =>
          d.log.warn(
            { dir, err: e instanceof Error ? e.message : String(e) },
            "cannot watch the TLS certificate directory; polling it",
          );
        try {
          stops.push(watch(dir, soon, failed));
        } catch (e) {
          failed(e);
        }
      }
      stops.push(d.every(POLL_MS, () => signature() !== seen && reload()));
    },
    reload,
    stop() {
      for (const stop of stops.splice(0)) stop();
      if (settle !== undefined) d.timers.clearTimeout(settle);
      settle = undefined;
    },
  };
}
