import { describe, expect, it } from "vitest";

import type { CertificatePair } from "../../core/certificates.js";
import { BeaconError } from "../../core/errors.js";
import { silentLog } from "../../core/log.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { ChallengeSolver, ChallengeTask } from "./ports.js";
import { createAcmeService, SERVER_CERTIFICATE, type AcmeService } from "./renewal.js";
import { RETRY_FIRST_MS, RETRY_MAX_MS } from "./schedule.js";
import {
  ClockTimers,
  FakeCa,
  FIXTURE_CHAIN,
  FIXTURE_KEY,
  FIXTURE_NOT_AFTER,
  FIXTURE_NOT_BEFORE,
  settle,
} from "./testing.js";

const NAMES = ["beacon.example.com"];
const DAY = 86_400_000;
const START = FIXTURE_NOT_BEFORE + 1000;

function setup(opts: { owner?: string; now?: number } = {}) {
  const store = createMemoryStore();
  const ca = new FakeCa();
  const timers = new ClockTimers(opts.now ?? START);
  const installs: CertificatePair[] = [];
  let sinkRefuses = false;
  const sink = {
    install(pair: CertificatePair) {
      if (sinkRefuses) throw new BeaconError("config_invalid", "acme: the key does not match");
      installs.push(pair);
    },
  };
  const present = new Set<string>();
  const solver: ChallengeSolver = {
    present: (t: ChallengeTask) => Promise.resolve(void present.add(t.name)),
    cleanUp: (t: ChallengeTask) => Promise.resolve(void present.delete(t.name)),
  };
  const make = (owner = opts.owner ?? "node-a"): AcmeService =>
    createAcmeService({
      store,
      ca,
      sink,
      challenge: "dns-01",
      solver,
      settings: {
        directoryUrl: "https://ca.test/dir",
        email: "ops@example.com",
        names: NAMES,
        renewBeforeMs: 30 * DAY,
        keyType: "ecdsa",
      },
      owner,
      clock: timers.clock,
      timers,
      random: () => 0,
      log: silentLog,
    });
  return {
    store,
    ca,
    timers,
    installs,
    present,
    make,
    refuse: () => (sinkRefuses = true),
  };
}

describe("ACME renewal", () => {
  it("orders at start when nothing is stored, installs and stores the certificate, then waits", async () => {
    const t = setup();
    const acme = t.make();
    await acme.load();
    expect(t.installs).toEqual([]);
    acme.start();
    t.timers.fireNext();
    await settle();
    expect(t.ca.requests.map((r) => [r.names, r.challenge, r.email, r.accountUrl])).toEqual([
      [NAMES, "dns-01", "ops@example.com", undefined],
    ]);
    expect(t.installs).toEqual([{ certPem: FIXTURE_CHAIN, keyPem: FIXTURE_KEY, origin: "acme" }]);
    const state = await t.store.getAcmeState(SERVER_CERTIFICATE);
    expect(state?.certificate?.notAfter).toBe(FIXTURE_NOT_AFTER);
    expect(state?.certificate?.keyPem).toBe(FIXTURE_KEY);
    expect((await t.store.getAcmeAccount("https://ca.test/dir"))?.accountUrl).toBe("https://ca.test/acct/1");
    // Every challenge is gone; the next check is at most 10 minutes away (the periodic look).
    expect(t.present.size).toBe(0);
    expect(t.timers.nextAt()).toBe(t.timers.now + 10 * 60_000);
    expect(acme.status()).toMatchObject({ notAfter: FIXTURE_NOT_AFTER, failures: 0, lastError: undefined });
    await acme.stop();
  });

  it("after a restart installs the stored certificate at once and orders nothing until it is due", async () => {
    const t = setup();
    const first = t.make();
    first.start();
    t.timers.fireNext();
    await settle();
    await first.stop();

    const second = t.make();
    await second.load();
    expect(t.installs).toHaveLength(2);
    second.start();
    for (let i = 0; i < 5; i++) {
      t.timers.fireNext();
      await settle();
    }
    expect(t.ca.requests).toHaveLength(1);
    // Due at the earlier of 30 days before expiry and a third of the lifetime left: both 60 days in.
    t.timers.now = FIXTURE_NOT_AFTER - 30 * DAY;
    second.check();
    await settle();
    expect(t.ca.requests).toHaveLength(2);
    // The stored account is used again, not a new key.
    expect(t.ca.requests[1]?.accountUrl).toBe("https://ca.test/acct/1");
    expect(t.ca.accountKeys).toBe(1);
    await second.stop();
  });

  it("records a failure with the CA's detail, cleans up the challenges and backs off 1 min doubling to 1 h", async () => {
    const t = setup();
    t.ca.next = { fail: "urn:ietf:params:acme:error:dns :: no TXT record found at _acme-challenge" };
    const acme = t.make();
    acme.start();
    const waits: number[] = [];
    // Fire timers until 9 orders failed (a wait over 10 minutes is broken by periodic looks).
    for (let fired = 0; t.ca.requests.length < 9 && fired < 100; fired++) {
      const before = t.ca.requests.length;
      t.timers.fireNext();
      await settle();
      if (t.ca.requests.length === before) continue;
      const state = await t.store.getAcmeState(SERVER_CERTIFICATE);
      waits.push((state?.nextAttemptAt ?? 0) - t.timers.now);
      expect(t.timers.nextAt()).toBe(Math.min(state?.nextAttemptAt ?? 0, t.timers.now + 10 * 60_000));
    }
    // random() = 0: the lower half of each wait.
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60].map((m) => (m * RETRY_FIRST_MS) / 2));
    expect(waits.at(-1)).toBe(RETRY_MAX_MS / 2);
    expect(t.present.size).toBe(0); // the fake CA never cleans up: the service did
    expect(t.installs).toEqual([]);
    const status = acme.status();
    expect(status.lastError).toContain("no TXT record found");
    expect(status.failures).toBe(9);
    expect(status.failuresTotal).toBe(9);
    // Then the CA works again: the failure state is cleared.
    t.ca.next = "issue";
    for (let fired = 0; t.ca.requests.length < 10 && fired < 20; fired++) {
      t.timers.fireNext();
      await settle();
    }
    expect(acme.status()).toMatchObject({ failures: 0, lastError: undefined, notAfter: FIXTURE_NOT_AFTER });
    await acme.stop();
  });

  it("a chain the HTTPS listener refuses is a failure, not stored", async () => {
    const t = setup();
    t.refuse();
    const acme = t.make();
    acme.start();
    t.timers.fireNext();
    await settle();
    const state = await t.store.getAcmeState(SERVER_CERTIFICATE);
    expect(state?.certificate).toBeUndefined();
    expect(state?.lastError).toBe("acme: the key does not match");
    await acme.stop();
  });

  it("a chain that does not parse is a failure (acme_failed), not stored", async () => {
    const t = setup();
    t.ca.issue = () =>
      Promise.resolve({ chainPem: "not a PEM", keyPem: "x", accountUrl: "https://ca.test/acct/1" });
    const acme = t.make();
    acme.start();
    t.timers.fireNext();
    await settle();
    expect((await t.store.getAcmeState(SERVER_CERTIFICATE))?.lastError).toContain("does not parse");
    expect(t.installs).toEqual([]);
    await acme.stop();
  });

  it("while another node holds the lease, orders nothing and picks up that node's certificate", async () => {
    const t = setup();
    await t.store.claimAcme(SERVER_CERTIFICATE, "node-b", START, 15 * 60_000);
    const a = t.make("node-a");
    a.start();
    t.timers.fireNext();
    await settle();
    expect(t.ca.requests).toEqual([]);
    expect(t.timers.nextAt()).toBe(t.timers.now + 60_000);
    // node-b stores its certificate; node-a's next look installs it.
    await t.store.saveAcmeCertificate(SERVER_CERTIFICATE, {
      names: NAMES,
      chainPem: FIXTURE_CHAIN,
      keyPem: FIXTURE_KEY,
      notBefore: FIXTURE_NOT_BEFORE,
      notAfter: FIXTURE_NOT_AFTER,
      issuedAt: START,
    });
    t.timers.fireNext();
    await settle();
    expect(t.ca.requests).toEqual([]);
    expect(t.installs).toHaveLength(1);
    await a.stop();
  });

  it("orders anew when the stored certificate is for other names or expired", async () => {
    const t = setup();
    const stored = {
      names: ["old.example.com"],
      chainPem: FIXTURE_CHAIN,
      keyPem: FIXTURE_KEY,
      notBefore: FIXTURE_NOT_BEFORE,
      notAfter: FIXTURE_NOT_AFTER,
      issuedAt: START,
    };
    await t.store.saveAcmeCertificate(SERVER_CERTIFICATE, stored);
    const acme = t.make();
    await acme.load();
    expect(t.installs).toEqual([]);
    await acme.stop();
    await t.store.saveAcmeCertificate(SERVER_CERTIFICATE, { ...stored, names: NAMES, notAfter: START - 1 });
    await acme.load();
    expect(t.installs).toEqual([]);
  });

  it("a store that fails during a check is logged and looked at again, never thrown", async () => {
    const t = setup();
    t.store.getAcmeState = () => Promise.reject(new BeaconError("store_unavailable"));
    const acme = t.make();
    acme.start();
    t.timers.fireNext();
    await settle();
    expect(t.timers.nextAt()).toBe(t.timers.now + 60_000);
    await acme.stop();
    expect(t.timers.nextAt()).toBeUndefined();
  });
});
