// Beacon's own HTTPS, before it listens (http.tls.*, docs/deploy/tls.md): the certificate holder the
// HTTPS listeners attach to (and ACME installs into), and the certificate files when configured.
// Contract: undefined when http.tls.listen is empty. Otherwise the files are read and checked here,
// at start-up, before the store is opened: a bad pair throws `config_invalid` naming the setting and
// the file, and nothing has started. `reload()` (SIGHUP) re-reads the files; `stop()` ends watching.

import type { ServerConfig } from "../../config/index.js";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { systemTimers } from "../../core/timers.js";
import { certificateFiles, type ReloadOutcome } from "../tls/certificate-files.js";
import { createHttpsCertificates, type HttpsCertificates } from "../tls/https-certificates.js";
import { systemEvery } from "./periodic.js";

export interface TlsSide {
  readonly certificates: HttpsCertificates;
  /** Re-reads http.tls.cert_file and key_file; undefined without them (ACME installs instead). */
  reload(): ReloadOutcome | undefined;
  stop(): void;
}

export function wireTls(d: {
  readonly config: ServerConfig;
  readonly log: Log;
  readonly clock: Clock;
}): TlsSide | undefined {
  const tls = d.config.http.tls;
  if (tls.listen.length === 0) return undefined;
  const certificates = createHttpsCertificates({ minVersion: tls.minVersion, log: d.log, clock: d.clock });
  const files =
    tls.certFile === undefined || tls.keyFile === undefined
      ? undefined
      : certificateFiles({
          certFile: tls.certFile,
          keyFile: tls.keyFile,
          sink: certificates,
          log: d.log,
          timers: systemTimers,
          every: systemEvery,
        });
  files?.start();
  return {
    certificates,
    reload: () => files?.reload(),
    stop: () => files?.stop(),
  };
}
