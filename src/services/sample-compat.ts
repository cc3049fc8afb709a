// The AWS sample's protocol (awslabs/route53-dynamic-dns-with-lambda; docs/protocols/aws-sample.md):
// a client proves it knows a host's shared secret by sending sha256(ip + hostname + secret), hex, where
// ip is the address the server sees and hostname is the name exactly as the client sends it. This
// service checks that proof and writes the host's address; the replies are http/routes/aws-sample.ts's.
//
// Promises:
// - `set` answers "denied" alike for a name that is not a host, a host without a credential, a host
//   deleted and re-created since its credential was made (hostId differs), and a wrong or malformed
//   hash: a caller cannot tell them apart;
// - the hash is compared in constant time over two 32-byte digests;
// - an accepted request writes exactly one set, the source's own address (A for IPv4, AAAA for IPv6),
//   through the UpdateService with protocol "aws-sample" and a token that exists only for this call
//   (never stored), scoped to that name and type and bound to the host's id: limits, the address
//   policy, history and mirrors apply as to any dyndns2 update.
// The weakness is the protocol's: a hash seen on the path can be replayed while the address stays the
// same (it only ever asks for that same address), and the secret is kept as given.

import { createHash, timingSafeEqual } from "node:crypto";
import type { Clock } from "../core/clock.js";
import type { ParsedIp } from "../core/ip.js";
import type { Log } from "../core/log.js";
import { tryNormalizeName } from "../core/names.js";
import type { HostOutcome } from "../core/update.js";
import type { SampleCredentialStore, ZoneStore } from "../store/ports.js";
import type { SampleCredential, TokenRecord } from "../store/types.js";
import type { UpdateService } from "./apply-update.js";

/** Last use is recorded at most this often per credential (as tokens do). */
const TOUCH_EVERY_MS = 60_000;
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

export interface SampleCompatDeps {
  readonly store: Pick<SampleCredentialStore, "getSampleCredential" | "touchSampleCredential"> &
    Pick<ZoneStore, "getHost">;
  readonly updates: Pick<UpdateService, "update">;
  readonly clock: Clock;
  readonly log: Log;
}

export interface SampleSetRequest {
  /** The address the server sees (never a header): the hash covers it and it is what is written. */
  readonly source: ParsedIp;
  /** `ddns_hostname` / `hostname=` exactly as sent (the hash covers it as sent). */
  readonly hostname: string;
  /** `validation_hash` / `hash=`. */
  readonly hash: string;
  readonly userAgent: string | undefined;
}

export type SampleSetOutcome = { readonly status: "denied" } | HostOutcome;

export interface SampleCompat {
  set(req: SampleSetRequest): Promise<SampleSetOutcome>;
}

/** sha256(ip + hostname + secret) over UTF-8, as the sample's Lambda and clients compute it. */
export function sampleHash(ip: string, hostname: string, secret: string): Buffer {
  return createHash("sha256")
    .update(ip + hostname + secret, "utf8")
    .digest();
}

export function createSampleCompat(deps: SampleCompatDeps): SampleCompat {
  const { store, updates, clock, log } = deps;

  async function credentialFor(req: SampleSetRequest): Promise<SampleCredential | undefined> {
    const fqdn = tryNormalizeName(req.hostname);
    if (fqdn === undefined) return undefined;
    const credential = await store.getSampleCredential(fqdn);
    if (credential === undefined) return undefined;
    const host = await store.getHost(fqdn);
    if (host?.id !== credential.hostId) return undefined;
    const given = HEX_DIGEST.test(req.hash) ? Buffer.from(req.hash, "hex") : undefined;
    const expected = sampleHash(req.source.text, req.hostname, credential.secret);
    return given !== undefined && timingSafeEqual(given, expected) ? credential : undefined;
  }

  async function touch(credential: SampleCredential, now: number): Promise<void> {
    if (credential.lastUsedAt !== undefined && now - credential.lastUsedAt < TOUCH_EVERY_MS) return;
    try {
      await store.touchSampleCredential(credential.fqdn, now);
    } catch (err) {
      log.debug({ err, fqdn: credential.fqdn }, "aws-sample: recording the last use failed");
    }
  }

  return {
    async set(req) {
      const credential = await credentialFor(req);
      if (credential === undefined) {
        log.debug({ hostname: req.hostname.slice(0, 255) }, "aws-sample: credential refused");
        return { status: "denied" };
      }
      await touch(credential, clock());
      const type = req.source.family === 4 ? "A" : "AAAA";
      const token = sampleToken(credential, type);
      const [outcome] = await updates.update({
        token,
        hosts: [credential.fqdn],
        sets: { [type]: { values: [req.source.text] } },
        source: { ip: req.source.text, userAgent: req.userAgent, protocol: "aws-sample", tokenId: token.id },
      });
      // One host asked, one outcome (apply-update.ts's contract).
      return outcome ?? { status: "denied" };
    },
  };
}

/** The in-memory token an accepted request updates with: that one name and type, that host only. */
function sampleToken(credential: SampleCredential, type: "A" | "AAAA"): TokenRecord {
  return {
    id: `sample:${credential.fqdn}`,
    secretHash: "",
    label: "AWS sample credential",
    names: [{ name: credential.fqdn, subtree: false }],
    types: [type],
    allowedCidrs: [],
    createdAt: credential.createdAt,
    expiresAt: undefined,
    lastUsedAt: credential.lastUsedAt,
    revokedAt: undefined,
    hostId: credential.hostId,
  };
}
