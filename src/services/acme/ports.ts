// The seams of automatic certificates: the CA (an ACME client: cli/serve/acme-ca.ts over acme-client;
// a fake in tests) and the challenge solvers it drives (dns-01.ts, http-01.ts).

import type { AcmeChallengeType } from "./challenge.js";

/** One challenge to put in place for the CA to check. */
export interface ChallengeTask {
  readonly type: AcmeChallengeType;
  /** The identifier being proved (a canonical name). */
  readonly name: string;
  /** http-01: the path's last segment; dns-01: the challenge's token (unused). */
  readonly token: string;
  /** What the CA expects: dns-01 the TXT value (the key authorization's digest), http-01 the body. */
  readonly value: string;
}

/**
 * Puts a challenge in place (resolving once the CA can see it) and takes it away. `cleanUp` is called
 * for every task `present` was called for, whether it succeeded or not, and must not throw for a task
 * that is not (or no longer) present.
 */
export interface ChallengeSolver {
  present(task: ChallengeTask): Promise<void>;
  cleanUp(task: ChallengeTask): Promise<void>;
}

export interface IssueRequest {
  readonly directoryUrl: string;
  /** PEM account key; `accountUrl` undefined: the account is registered (or found) first. */
  readonly accountKeyPem: string;
  readonly accountUrl: string | undefined;
  readonly email: string | undefined;
  /** Canonical; the first is the subject. */
  readonly names: readonly string[];
  readonly challenge: AcmeChallengeType;
  readonly keyType: "ecdsa" | "rsa";
  readonly solver: ChallengeSolver;
}

export interface Issued {
  /** PEM, leaf first. */
  readonly chainPem: string;
  /** PEM private key of the leaf. */
  readonly keyPem: string;
  /** The account's URL, to store for the next order. */
  readonly accountUrl: string;
}

/**
 * An ACME CA. `issue` makes a new key, orders a certificate for the names, solves each authorization's
 * challenge through `solver` (cleaning every one up, also on failure), finalizes and downloads the
 * chain. It rejects with BeaconError acme_failed whose message carries the CA's problem detail.
 */
export interface AcmeCa {
  newAccountKey(): Promise<string>;
  issue(req: IssueRequest): Promise<Issued>;
}
