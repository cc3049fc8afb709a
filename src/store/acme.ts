// The ACME port (automatic certificates, services/acme): the account per CA directory and the state of
// each certificate Beacon orders (one today, id "server"), with the lease that lets one node of several
// order at a time. Part of `Store` (ports.ts); its contract suite is testing/acme-contract.ts.
//
// Secrets: an account key and a certificate key are PEM private keys, stored as given (as TSIG secrets
// are: they must be used, so they cannot be hashed); the store file or database is what protects them.
// Never logged, never printed by `beacon acme status`.

/** The ACME account Beacon registered with one directory. */
export interface AcmeAccount {
  readonly directoryUrl: string;
  /** PEM private key (a secret). */
  readonly keyPem: string;
  /** The account's URL at the CA (its "kid"); undefined until registered. */
  readonly accountUrl: string | undefined;
  readonly createdAt: number;
}

/** A certificate as issued. */
export interface AcmeCertificate {
  /** Canonical names, as ordered (the first is the subject). */
  readonly names: readonly string[];
  /** PEM, leaf first. */
  readonly chainPem: string;
  /** PEM private key of the leaf (a secret). */
  readonly keyPem: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly issuedAt: number;
}

/** One certificate's state: the current certificate (if any) and how ordering went. */
export interface AcmeState {
  readonly id: string;
  readonly certificate: AcmeCertificate | undefined;
  readonly lastAttemptAt: number | undefined;
  /** The last failure's message (the CA's problem detail), cleared by a success. ≤ 1000 characters. */
  readonly lastError: string | undefined;
  /** Failures since the last success (backoff). */
  readonly failures: number;
  /** No node orders before this (backoff after failures); undefined: no wait. */
  readonly nextAttemptAt: number | undefined;
}

export interface AcmeStore {
  getAcmeAccount(directoryUrl: string): Promise<AcmeAccount | undefined>;
  /** Creates or replaces the directory's account. */
  putAcmeAccount(account: AcmeAccount): Promise<void>;
  /** undefined when nothing was ever stored under `id`. */
  getAcmeState(id: string): Promise<AcmeState | undefined>;
  /** Every state, sorted by id. */
  listAcmeStates(): Promise<AcmeState[]>;
  /** Stores a new certificate: lastAttemptAt = issuedAt, lastError, failures and nextAttemptAt cleared. */
  saveAcmeCertificate(id: string, certificate: AcmeCertificate): Promise<void>;
  /**
   * Records a failed attempt at `at`: failures + 1, lastError (clipped to 1000 characters),
   * nextAttemptAt; the current certificate stays.
   */
  failAcme(id: string, failure: { at: number; error: string; nextAttemptAt: number }): Promise<void>;
  /**
   * The ordering lease, as MirrorStore.claimMirror: taken when free, expired (until <= now) or
   * already `owner`'s, then held until now + leaseMs. Resolves false, changing nothing, while another
   * owner holds it unexpired. Creates the state row when absent.
   */
  claimAcme(id: string, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Frees the lease if `owner` holds it. */
  releaseAcme(id: string, owner: string): Promise<void>;
}

/** lastError is clipped to this many characters. */
export const ACME_ERROR_LIMIT = 1000;
