// Automatic certificates: keeps a valid certificate for acme.names in the store and in the HTTPS
// listeners (the CertificateSink), ordering from the CA (AcmeCa) when there is none or it is due.
//
// Promises:
// - `load()` installs the stored certificate at once when it is valid for the configured names (no
//   order, no network), so a restart serves what it served before;
// - one check runs at a time, on the injected Timers: at start, when the certificate is due
//   (schedule.ts renewalAt), after a failure's backoff (retryDelay: 1 min doubling to 1 h, jittered;
//   the wait is stored, so every node keeps it) and at least every `checkEveryMs` (default 10 min), so a
//   node picks up a certificate another node ordered; `check()` runs one at once;
// - of several nodes on one store only the holder of the store's lease orders (AcmeStore.claimAcme,
//   as the mirrors' delivery lease); the others wait for its certificate in the store;
// - every challenge presented is cleaned up once the order settled, also when it failed;
// - a failure never throws out of the timers: it is stored (lastError, failures), logged with the
//   CA's detail and counted; the certificate in use stays until it expires.
// Callers: `stop()` before closing the store; it waits a few seconds for a check under way.

import { X509Certificate } from "node:crypto";
import type { CertificateSink } from "../../core/certificates.js";
import type { Clock } from "../../core/clock.js";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import type { Log } from "../../core/log.js";
import type { Random, TimerHandle, Timers } from "../../core/timers.js";
import type { AcmeCertificate, AcmeState, AcmeStore } from "../../store/acme.js";
import type { AcmeChallengeType } from "./challenge.js";
import type { AcmeCa, ChallengeSolver, ChallengeTask } from "./ports.js";
import { renewalAt, retryDelay } from "./schedule.js";

/** The state row of the server's certificate (one today). */
export const SERVER_CERTIFICATE = "server";

/** A lease outlasts any order: acme-client gives up polling long before. */
const LEASE_MS = 15 * 60_000;
/** stop() waits this long at most for an order under way. */
const STOP_WAIT_MS = 5000;
/** While another node orders, look again this soon. */
const OTHERS_ORDERING_MS = 60_000;

export interface AcmeSettingsUsed {
  readonly directoryUrl: string;
  readonly email: string | undefined;
  readonly names: readonly string[];
  readonly renewBeforeMs: number;
  readonly keyType: "ecdsa" | "rsa";
}

export interface AcmeServiceDeps {
  readonly store: AcmeStore;
  readonly ca: AcmeCa;
  readonly sink: CertificateSink;
  readonly challenge: AcmeChallengeType;
  readonly solver: ChallengeSolver;
  readonly settings: AcmeSettingsUsed;
  /** This process's id among nodes (the lease's owner). */
  readonly owner: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  readonly log: Log;
  readonly checkEveryMs?: number;
}

/** What the console, /metrics and `beacon acme status` show. */
export interface AcmeStatus {
  readonly names: readonly string[];
  readonly challenge: AcmeChallengeType;
  /** The certificate served (undefined: none yet). */
  readonly notAfter: number | undefined;
  readonly issuedAt: number | undefined;
  /** When the next check (renewal, retry or look) is due. */
  readonly nextCheckAt: number | undefined;
  readonly lastError: string | undefined;
  readonly failures: number;
  /** Failed orders by this process since it started. */
  readonly failuresTotal: number;
}

export interface AcmeService {
  load(): Promise<void>;
  start(): void;
  check(): void;
  status(): AcmeStatus;
  stop(): Promise<void>;
}

export function createAcmeService(d: AcmeServiceDeps): AcmeService {
  const { store, settings, clock, log } = d;
  const checkEveryMs = d.checkEveryMs ?? 10 * 60_000;
  let state: AcmeState | undefined;
  let installed: AcmeCertificate | undefined;
  let timer: TimerHandle | undefined;
  let nextCheckAt: number | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let failuresTotal = 0;

  /** The certificate is for exactly the configured names and not expired. */
  const usable = (c: AcmeCertificate | undefined): c is AcmeCertificate =>
    c !== undefined && sameNames(c.names, settings.names) && c.notAfter > clock();

  function install(c: AcmeCertificate): void {
    if (installed?.chainPem === c.chainPem) return;
    d.sink.install({ certPem: c.chainPem, keyPem: c.keyPem, origin: "acme" });
    installed = c;
    log.info({ names: c.names, notAfter: new Date(c.notAfter).toISOString() }, "acme: certificate installed");
  }

  async function readAndInstall(): Promise<AcmeCertificate | undefined> {
    state = await store.getAcmeState(SERVER_CERTIFICATE);
    const c = state?.certificate;
    if (!usable(c)) return undefined;
    try {
      install(c);
    } catch (e) {
      log.error({ err: e }, "acme: the stored certificate does not load; ordering a new one");
      return undefined;
    }
    return c;
  }

  /** Reads the store, installs its certificate; resolves with when to look next, or "due" to order. */
  async function look(): Promise<number | "due"> {
    const now = clock();
    const current = await readAndInstall();
    const due = current === undefined ? now : renewalAt(current, settings.renewBeforeMs);
    const wait = Math.max(due, state?.nextAttemptAt ?? 0);
    return wait > now ? Math.min(wait, now + checkEveryMs) : "due";
  }

  /** One check; resolves with when the next one is due. */
  async function checkOnce(): Promise<number> {
    const first = await look();
    if (first !== "due") return first;
    if (!(await store.claimAcme(SERVER_CERTIFICATE, d.owner, clock(), LEASE_MS)))
      return clock() + OTHERS_ORDERING_MS;
    try {
      // Another node may have stored a fresh one since the look above.
      if ((await look()) === "due") await order();
    } catch (e) {
      await recordFailure(e);
    } finally {
      await store.releaseAcme(SERVER_CERTIFICATE, d.owner);
    }
    const next = await look();
    // Still due right after an order (a CA issuing already-due certificates): not in a tight loop.
    return next === "due" ? clock() + OTHERS_ORDERING_MS : next;
  }

  async function order(): Promise<void> {
    const account = await accountFor(settings.directoryUrl);
    const tracked = cleaningUp(d.solver, log);
    log.info({ names: settings.names, challenge: d.challenge }, "acme: ordering a certificate");
    const issued = await d.ca
      .issue({
        directoryUrl: settings.directoryUrl,
        accountKeyPem: account.keyPem,
        accountUrl: account.accountUrl,
        email: settings.email,
        names: settings.names,
        challenge: d.challenge,
        keyType: settings.keyType,
        solver: tracked,
      })
      .finally(() => tracked.cleanUpAll());
    if (issued.accountUrl !== account.accountUrl)
      await store.putAcmeAccount({ ...account, accountUrl: issued.accountUrl });
    const certificate = describe(issued.chainPem, issued.keyPem, settings.names, clock());
    // The sink validates the pair: a chain that does not load is a failure, not stored.
    install(certificate);
    await store.saveAcmeCertificate(SERVER_CERTIFICATE, certificate);
  }

  async function accountFor(directoryUrl: string) {
    const stored = await store.getAcmeAccount(directoryUrl);
    if (stored !== undefined) return stored;
    const account = {
      directoryUrl,
      keyPem: await d.ca.newAccountKey(),
      accountUrl: undefined,
      createdAt: clock(),
    };
    await store.putAcmeAccount(account);
    return account;
  }

  async function recordFailure(e: unknown): Promise<void> {
    failuresTotal += 1;
    // The CA adapter's errors carry its problem detail; anything else keeps its own message.
    const err = isBeaconError(e)
      ? e
      : new BeaconError("acme_failed", e instanceof Error ? e.message : String(e));
    const failures = (state?.failures ?? 0) + 1;
    const at = clock();
    const nextAttemptAt = at + retryDelay(failures, d.random);
    log.warn(
      { code: err.code, names: settings.names, failures, retryAt: new Date(nextAttemptAt).toISOString() },
      `acme: ordering the certificate failed: ${err.message}`,
    );
    await store.failAcme(SERVER_CERTIFICATE, { at, error: err.message, nextAttemptAt });
  }

  function schedule(at: number): void {
    if (stopped) return;
    if (timer !== undefined) d.timers.clearTimeout(timer);
    nextCheckAt = at;
    timer = d.timers.setTimeout(run, Math.max(1000, at - clock()));
  }

  function run(): void {
    if (stopped || running !== undefined) return;
    timer = undefined;
    running = checkOnce()
      .catch((e: unknown) => {
        // The store is down, or recording failed: look again soon.
        log.warn({ err: e }, "acme: the certificate check failed");
        return clock() + OTHERS_ORDERING_MS;
      })
      .then((next) => {
        running = undefined;
        schedule(next);
      });
  }

  return {
    async load() {
      await readAndInstall();
    },
    start() {
      stopped = false;
      schedule(clock());
    },
    check() {
      if (timer !== undefined) d.timers.clearTimeout(timer);
      run();
    },
    status() {
      const c = installed ?? state?.certificate;
      return {
        names: settings.names,
        challenge: d.challenge,
        notAfter: c?.notAfter,
        issuedAt: c?.issuedAt,
        nextCheckAt,
        lastError: state?.lastError,
        failures: state?.failures ?? 0,
        failuresTotal,
      };
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) d.timers.clearTimeout(timer);
      timer = undefined;
      // An order under way may poll the CA for minutes: wait for it only briefly. If the store closes
      // under it, its cleanup fails and is logged; a TXT record left is removed by the next order's.
      if (running !== undefined) {
        let handle: TimerHandle | undefined;
        const waited = new Promise<void>((resolve) => (handle = d.timers.setTimeout(resolve, STOP_WAIT_MS)));
        await Promise.race([running, waited]);
        if (handle !== undefined) d.timers.clearTimeout(handle);
      }
    },
  };
}

/**
 * `solver` that remembers what it presented, so that whatever the CA client did, `cleanUpAll` removes
 * every challenge still in place (a TXT record left behind is a record nobody asked for). Never throws.
 */
function cleaningUp(solver: ChallengeSolver, log: Log): ChallengeSolver & { cleanUpAll(): Promise<void> } {
  const present = new Map<string, ChallengeTask>();
  const key = (t: ChallengeTask) => `${t.type} ${t.name} ${t.token} ${t.value}`;
  const cleanUp = async (t: ChallengeTask): Promise<void> => {
    present.delete(key(t));
    try {
      await solver.cleanUp(t);
    } catch (e) {
      log.warn({ err: e, name: t.name, type: t.type }, "acme: removing a challenge failed");
    }
  };
  return {
    async present(t) {
      present.set(key(t), t);
      await solver.present(t);
    },
    cleanUp,
    async cleanUpAll() {
      for (const t of [...present.values()]) await cleanUp(t);
    },
  };
}

/** The certificate record of an issued chain: its validity read from the leaf. */
function describe(chainPem: string, keyPem: string, names: readonly string[], at: number): AcmeCertificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(chainPem);
  } catch (e) {
    throw new BeaconError("acme_failed", "the CA returned a certificate chain that does not parse", {
      cause: e,
    });
  }
  return {
    names: [...names],
    chainPem,
    keyPem,
    notBefore: Date.parse(leaf.validFrom),
    notAfter: Date.parse(leaf.validTo),
    issuedAt: at,
  };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(a);
  return s.size === new Set(b).size && b.every((n) => s.has(n));
}
