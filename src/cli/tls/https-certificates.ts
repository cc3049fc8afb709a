// The certificate the HTTPS listeners serve: the CertificateSink (core/certificates.ts) that file and
// ACME sources install into. Contract:
// - `install` checks the pair (certificate-pair.ts) and builds a secure context before touching any
//   listener; a bad pair throws `config_invalid` and the previous certificate stays. A good one goes
//   to every attached listener with tls.Server#setSecureContext: new handshakes get it, connections
//   already open keep theirs. No restart.
// - A listener attached before any install serves no certificate (handshakes fail); that is warned
//   about once, so an operator waiting on ACME sees why.
// - TLS settings: http.tls.min_version, honorCipherOrder, Node's default cipher list (OpenSSL's,
//   reviewed with each Node release; we do not pin our own), ALPN http/1.1 (serverOptions).
// - `status()` is what the console and /metrics show (beacon_tls_certificate_not_after_seconds).

import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from "node:tls";
import type { ServerOptions } from "node:https";
import { Gauge, type Registry } from "prom-client";
import type { CertificatePair, CertificateSink, CertificateStatus } from "../../core/certificates.js";
import { BeaconError } from "../../core/errors.js";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import type { ServerConfig } from "../../config/index.js";
import { checkPair } from "./certificate-pair.js";

export interface HttpsCertificates extends CertificateSink {
  /** Options for https.createServer: no certificate yet, the TLS floor, ALPN. */
  readonly serverOptions: ServerOptions;
  /** A listening HTTPS server: gets the current certificate now and every later one. */
  attach(server: TlsServer): void;
  /** The certificate served now; undefined before the first install. */
  status(): CertificateStatus | undefined;
}

export function createHttpsCertificates(d: {
  readonly minVersion: ServerConfig["http"]["tls"]["minVersion"];
  readonly log: Log;
  readonly clock: Clock;
}): HttpsCertificates {
  const common: SecureContextOptions = { minVersion: d.minVersion, honorCipherOrder: true };
  const servers: TlsServer[] = [];
  let current: { readonly options: SecureContextOptions; readonly status: CertificateStatus } | undefined;
  let warned = false;
  return {
    serverOptions: { ...common, ALPNProtocols: ["http/1.1"] },
    install(pair: CertificatePair) {
      const checked = checkPair(pair, new Date(d.clock()));
      const options: SecureContextOptions = { ...common, cert: pair.certPem, key: pair.keyPem };
      try {
        createSecureContext(options);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new BeaconError("config_invalid", `the TLS certificate from ${pair.origin}: ${why}`, {
          cause: e,
        });
      }
      for (const s of servers) s.setSecureContext(options);
      current = { options, status: checked.status };
      const { subject, names, notAfter, origin } = checked.status;
      d.log.info({ origin, subject, names, notAfter: notAfter.toISOString() }, "TLS certificate installed");
      if (checked.outOfDate)
        d.log.warn(
          { origin, notAfter: notAfter.toISOString() },
          "the TLS certificate is expired or not yet valid",
        );
    },
    attach(server) {
      servers.push(server);
      if (current !== undefined) server.setSecureContext(current.options);
      else if (!warned) {
        warned = true;
        d.log.warn(
          {},
          "HTTPS listens without a certificate yet: TLS handshakes fail until one is installed (http.tls.cert_file, or ACME)",
        );
      }
    },
    status: () => current?.status,
  };
}

/** beacon_tls_certificate_not_after_seconds{origin}: when the served certificate expires. */
export function registerCertificateMetrics(
  registry: Registry,
  status: () => CertificateStatus | undefined,
): void {
  new Gauge({
    name: "beacon_tls_certificate_not_after_seconds",
    help: "Expiry (notAfter, Unix seconds) of the TLS certificate the HTTPS listeners serve, by where it came from",
    labelNames: ["origin"],
    registers: [registry],
    collect() {
      this.reset();
      const s = status();
      if (s !== undefined) this.set({ origin: s.origin }, Math.floor(s.notAfter.getTime() / 1000));
    },
  });
}
