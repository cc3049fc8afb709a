// Test helpers of services/acme: a certificate fixture (self-signed, 90 days, made by openssl for
// beacon.example.com), a scripted fake CA that drives the solver as an ACME client would, and timers
// on a manual clock.

import type { TimerHandle, Timers } from "../../core/timers.js";
import type { AcmeCa, ChallengeTask, IssueRequest, Issued } from "./ports.js";

export const FIXTURE_CHAIN = `
-----BEGIN CERTIFICATE-----
MIIBrjCCAVSgAwIBAgIUf516t8ggobl9EpUfZ8r04sNG7t4wCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSYmVhY29uLmV4YW1wbGUuY29tMB4XDTI2MTIwODAwMDcyNFoX
DTI3MDMwODAwMDcyNFowHTEbMBkGA1UEAwwSYmVhY29uLmV4YW1wbGUuY29tMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEA2guGQ3F7D8r9TlHUlJH7lIEv6h64w8d
qf97fYAf2NdQW2eWTVmlm0tJPT5EHfkU1gEOtV7LS1XdrkM1E41r/6NyMHAwHQYD
VR0OBBYEFPDnkUR5sjSYGzIpTHeusVMAsc03MB8GA1UdIwQYMBaAFPDnkUR5sjSY
GzIpTHeusVMAsc03MA8GA1UdEwEB/wQFMAMBAf8wHQYDVR0RBBYwFIISYmVhY29u
LmV4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIBr/vJNC7lyqmeoDwVjWi7Xx
dRZnaAKD2B2zO9tddl46AiEA9ZgYlRMI5zWlYXvVK3/qDKD1LmxvwD354UdwtUVi
LU4=
-----END CERTIFICATE-----
`.trimStart();

export const FIXTURE_KEY = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmkCluA7bDdna/hJn
Hv9ebSFs6IJfINeLznsqc1QmZnGhRANCAAQDaC4ZDcXsPyv1OUdSUkfuUgS/qHrj
Dx2p/3t9gB/Y11BbZ5ZNWaWbS0k9PkQd+RTWAQ61XstLVd2uQzUTjWv/
-----END PRIVATE KEY-----
`;

/** The fixture's validity (openssl x509 -dates). */
export const FIXTURE_NOT_BEFORE = Date.parse("2026-12-08T00:07:24Z");
export const FIXTURE_NOT_AFTER = Date.parse("2027-03-08T00:07:24Z");

/**
 * A CA whose each order does what `next` says: present every name's challenge, then either issue the
 * fixture or fail. It never cleans up itself (the service must). Records every request.
 */
export class FakeCa implements AcmeCa {
  readonly requests: IssueRequest[] = [];
  next: "issue" | { fail: string } = "issue";
  accountKeys = 0;

  newAccountKey(): Promise<string> {
    this.accountKeys += 1;
    return Promise.resolve(`ACCOUNT KEY ${this.accountKeys}`);
  }

  async issue(req: IssueRequest): Promise<Issued> {
    this.requests.push(req);
    for (const name of req.names) await req.solver.present(task(req, name));
    if (this.next !== "issue") throw new Error(this.next.fail);
    return { chainPem: FIXTURE_CHAIN, keyPem: FIXTURE_KEY, accountUrl: "https://ca.test/acct/1" };
  }
}

function task(req: IssueRequest, name: string): ChallengeTask {
  return { type: req.challenge, name, token: `tok-${name}`, value: `value-${name}` };
}

/** A clock the timers move: `fireNext()` advances it to the earliest timer and runs that one. */
export class ClockTimers implements Timers {
  now: number;
  readonly #pending = new Map<TimerHandle, { at: number; fn: () => void }>();
  constructor(now: number) {
    this.now = now;
  }
  readonly clock = (): number => this.now;
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const h = {};
    this.#pending.set(h, { at: this.now + ms, fn });
    return h;
  }
  clearTimeout(h: TimerHandle): void {
    this.#pending.delete(h);
  }
  /** When the earliest pending timer is due (undefined: none). */
  nextAt(): number | undefined {
    const ats = [...this.#pending.values()].map((p) => p.at);
    return ats.length === 0 ? undefined : Math.min(...ats);
  }
  fireNext(): void {
    const first = [...this.#pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
    if (first === undefined) throw new Error("no timer pending");
    this.#pending.delete(first[0]);
    this.now = Math.max(this.now, first[1].at);
    first[1].fn();
  }
}

/** Lets promise chains run: a bounded number of macrotask turns. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}
