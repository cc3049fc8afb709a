// The seam between where a TLS certificate comes from (files on disk, ACME) and the HTTPS listeners
// that serve it. Sources call `install`; listeners swap their secure context without a restart, so
// connections already open keep the certificate they started with.
//
// Contract: `install` is called with a PEM chain (leaf first) and the PEM private key that matches
// it; the sink validates the pair and throws a BeaconError (`config_invalid`) naming `origin` when
// the pair does not load, leaving the previous certificate in place. A sink may start with no
// certificate at all (ACME has not issued one yet): handshakes fail until the first install.

export interface CertificatePair {
  /** PEM, leaf certificate first, then intermediates. */
  readonly certPem: string;
  /** PEM private key of the leaf. */
  readonly keyPem: string;
  /** Where it came from, for logs and errors: a file path or "acme". */
  readonly origin: string;
}

export interface CertificateSink {
  install(pair: CertificatePair): void;
}

/** What the console and /metrics show about the certificate being served. */
export interface CertificateStatus {
  readonly origin: string;
  readonly subject: string;
  readonly names: readonly string[];
  readonly notAfter: Date;
}
