// The records the store's ports (ports.ts) take and give: zones' settings, hosts, record sets,
// tokens, keys, history, mirrors and their outbox, users and sessions, limit buckets.

import type { ErrorCode } from "../core/errors.js";
import type { RecordType, RRSet } from "../core/records.js";
import type { Soa } from "../core/soa.js";
import type { UpdateProtocol } from "../core/update.js";
import type { NameScope, Zone } from "../core/zones.js";

/** The zone settings `updateZone` can change; fields left out keep their value. */
export interface ZoneUpdate {
  readonly ttl?: number;
  readonly soa?: Partial<Soa>;
}

export interface Host {
  /**
   * The host's identity, given by the store at creation and never given again: a host created anew
   * under a deleted host's name is another host, so the old one's tokens and history do not apply.
   */
  readonly id: number;
  readonly fqdn: string;
  readonly zone: string;
  /** TTL for the host's records when an update gives none; undefined → the zone's ttl. */
  readonly ttl: number | undefined;
  readonly description: string;
  readonly createdAt: number;
  /**
   * Created by an RFC 2136 UPDATE that added data to a name that was no host: deleted by the commit
   * that deletes its last record set (see commit). Hosts created by the CLI or the API never are.
   */
  readonly implicit: boolean;
}

/** What createHost takes: the store gives the id; `implicit` defaults to false. */
export type NewHost = Omit<Host, "id" | "implicit"> & { readonly implicit?: boolean };

export interface StoredRRSet extends RRSet {
  readonly updatedAt: number;
}

export interface TokenRecord {
  /** Public identifier, e.g. "tk_3f9c2a7d1b". Appears in the presented token string. */
  readonly id: string;
  /** Lowercase hex SHA-256 of the secret part; the secret itself is never stored. */
  readonly secretHash: string;
  readonly label: string;
  readonly names: readonly NameScope[];
  readonly types: readonly RecordType[];
  /** Optional source address restriction (canonical CIDRs); empty = any. */
  readonly allowedCidrs: readonly string[];
  readonly createdAt: number;
  readonly expiresAt: number | undefined;
  readonly lastUsedAt: number | undefined;
  readonly revokedAt: number | undefined;
  /**
   * The host (Host.id) this token was made for (`beacon host add`, the console, a rotation of such a
   * token): deleting that host revokes it, so it never works for another host of the same name.
   * Absent: the token is scoped by names only (`beacon token create`) and outlives hosts.
   */
  readonly hostId?: number | undefined;
  /** The key its signed requests are verified with (docs/protocols/signed-requests.md); none: unsigned only. */
  readonly signingKey?: SigningKey | undefined;
  /** When true, Basic/Bearer use fails with signature_required: only signed requests are accepted. */
  readonly requireSignature?: boolean | undefined;
}

/**
 * A token's request-signing key (RFC 9421 profile, services/request-signatures.ts). Ed25519: only the
 * public key is stored, as SPKI PEM. HMAC-SHA256: the secret is kept as given (base64), as TSIG
 * secrets are, since HMAC needs it.
 */
export interface SigningKey {
  readonly alg: "ed25519" | "hmac-sha256";
  readonly key: string;
}

/**
 * A host's credential for the AWS sample's protocol (awslabs/route53-dynamic-dns-with-lambda;
 * docs/serverless.md, "Migrating from the AWS sample"): opt-in per host, for routers and scripts that
 * already send the sample's `sha256(ip + hostname + secret)`. The shared secret is kept as given (the
 * hash needs it), which is one of the weaknesses that protocol has; tokens are the safe credential.
 */
export interface SampleCredential {
  /** Canonical fqdn of the host it updates (A for an IPv4 client, AAAA for an IPv6 one). */
  readonly fqdn: string;
  /** The sample's `shared_secret`, as given. Never listed by the CLI or API after creation. */
  readonly secret: string;
  /**
   * The host (Host.id) it was made for: it is void unless the host of that name still has this id (a
   * deleted and re-created host does not inherit it).
   */
  readonly hostId: number;
  readonly createdAt: number;
  readonly lastUsedAt: number | undefined;
}

/**
 * A TSIG key for RFC 2136 UPDATE. The secret is kept as given (HMAC needs it; it cannot be hashed)
 * and is never listed by the CLI or API after creation.
 */
export interface TsigKeyRecord {
  /** Canonical name (lowercase, no trailing dot). */
  readonly name: string;
  /** A TSIG algorithm name such as "hmac-sha256" (dns/tsig/tsig.ts); checked by the key service. */
  readonly algorithm: string;
  /** Base64 of the secret octets. */
  readonly secret: string;
  /** Names (exact or subtree) the key may change. */
  readonly names: readonly NameScope[];
  readonly types: readonly RecordType[];
  /** Source addresses allowed (canonical CIDRs); empty = any. */
  readonly allowedCidrs: readonly string[];
  readonly createdAt: number;
}

/** "good", "nochg", "deleted", or a catalogue error code for a refused change. */
export type HistoryOutcome = string;

/**
 * Repeats are folded into an entry for one day after it was first written; then a new entry starts.
 * So an entry's lastAt is at most a day after its `at`, and pruning by age can go by id order.
 */
export const HISTORY_FOLD_WINDOW_MS = 86_400_000;

/** Only entries that change nothing (nochg, refusals) fold into an identical latest entry. */
export const foldableOutcome = (outcome: HistoryOutcome): boolean =>
  outcome !== "good" && outcome !== "deleted";

export interface HistoryEntry {
  readonly fqdn: string;
  readonly type: RecordType;
  /** Values before the change (undefined: the set did not exist). */
  readonly oldValues: readonly string[] | undefined;
  /**
   * Values after the change (undefined: the set was deleted); for a refused change, the values that
   * were asked for and not applied (undefined: a delete was asked for).
   */
  readonly newValues: readonly string[] | undefined;
  readonly at: number;
  /** "good", "nochg", "deleted", or a catalogue error code for a refused change. */
  readonly outcome: HistoryOutcome;
  readonly protocol: UpdateProtocol;
  readonly tokenId: string | undefined;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
}

export interface StoredHistoryEntry extends HistoryEntry {
  /** Increasing id; newer entries have larger ids. */
  readonly id: number;
  /** The host (Host.id) the entry was written for; undefined when the name was no host then. */
  readonly hostId: number | undefined;
  /** How many identical entries this one stands for (see commit: repeats are folded); at least 1. */
  readonly count: number;
  /** When the last of them was written (`at` is the first); equals `at` when count is 1. */
  readonly lastAt: number;
}

/** One record-set write inside a commit: `rrset: null` deletes the set of that type. */
export interface RRSetWrite {
  readonly fqdn: string;
  readonly type: RecordType;
  readonly rrset: { readonly ttl: number; readonly values: readonly string[] } | null;
}

export interface ChangeBatch {
  readonly writes: readonly RRSetWrite[];
  readonly history: readonly HistoryEntry[];
  readonly at: number;
  /**
   * Each host that gets a new history row in this batch keeps only its newest `keepPerHost` rows
   * (bounded work: the rows beyond are deleted by one indexed range). Undefined: no count limit.
   */
  readonly keepPerHost?: number;
}

export interface CommitResult {
  /** New serial of every zone whose content changed in this batch. */
  readonly serials: ReadonlyMap<string, number>;
  /** Implicit hosts this batch left without any record set, deleted by it: fqdn → zone. */
  readonly removedHosts: ReadonlyMap<string, string>;
}

/**
 * The current state of every zone and host the change log names after a position, read in one
 * consistent transaction: what a reader that had applied everything up to that position needs to
 * catch up. Only touched names are read, whatever the size of the store.
 */
export interface ChangeDelta {
  /** The log position this delta brings its reader to: pass it as `after` next time. */
  readonly seq: number;
  /** Touched zones as they are now. */
  readonly zones: readonly Zone[];
  /** The names among `zones` created (or created again) after the position. */
  readonly createdZones: readonly string[];
  /** Touched zones that no longer exist. */
  readonly removedZones: readonly string[];
  /** Touched hosts as they are now, sorted by fqdn, with their sets. */
  readonly hosts: readonly Host[];
  readonly rrsets: readonly (StoredRRSet & { readonly fqdn: string })[];
  /** Touched hosts that no longer exist, with the zone they were in (hosts of a removed zone may be left out). */
  readonly removedHosts: readonly { readonly fqdn: string; readonly zone: string }[];
}

/** Whether the store can take changes now, as its own checks last saw it (no I/O to ask). */
export interface StoreHealth {
  readonly writable: boolean;
  /** Why not: a store_* catalogue code and a message for the operator. Undefined when writable. */
  readonly problem?: { readonly code: ErrorCode; readonly message: string };
}

export interface Snapshot {
  readonly zones: readonly Zone[];
  readonly hosts: readonly Host[];
  readonly rrsets: readonly (StoredRRSet & { readonly fqdn: string })[];
}

/**
 * A zone mirrored to an external DNS provider. `settings` are kept as the user gave them: an `X_file`
 * key stays a file reference (read when the delivery worker builds the provider), never the secret.
 */
export interface MirrorTarget {
  /** ^[a-z0-9][a-z0-9_-]{0,62}$ (checked by the mirror service). */
  readonly id: string;
  readonly zone: string;
  /** A provider type name (providers/registry.ts). */
  readonly provider: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}

/** One change waiting for delivery to one mirror. `rrset: null` deletes the set at the provider. */
export interface OutboxEntry {
  /** Increasing across the whole outbox: a later change to anything has a larger seq. */
  readonly seq: number;
  readonly mirror: string;
  readonly fqdn: string;
  readonly type: RecordType;
  readonly rrset: { readonly ttl: number; readonly values: readonly string[] } | null;
  readonly createdAt: number;
}

export interface MirrorFailure {
  /** Catalogue code of the failure (provider_unavailable, network_error, config_invalid, …). */
  readonly code: string;
  /** Never holds a secret (provider errors are clipped and free of credentials). */
  readonly message: string;
  readonly at: number;
  /** When the worker may try this mirror again. */
  readonly nextTryAt: number;
}

/** Delivery state of one mirror, as the CLI and API show it. */
export interface MirrorStatus {
  readonly id: string;
  readonly zone: string;
  readonly provider: string;
  /** Outbox rows waiting. */
  readonly pending: number;
  readonly oldestPendingAt: number | undefined;
  readonly lastSuccessAt: number | undefined;
  /** Outbox rows settled by a successful delivery (rows coalesced into a newer value count too). */
  readonly delivered: number;
  /** Outbox rows settled without a write because the provider cannot hold them (see the worker). */
  readonly skipped: number;
  /** Failed delivery attempts since the last success. */
  readonly attempts: number;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: number } | undefined;
  readonly nextTryAt: number | undefined;
  /** Which node delivers it (MirrorStore.claimMirror), until when; it may have expired. */
  readonly lease: MirrorLease | undefined;
}

export interface MirrorLease {
  readonly owner: string;
  readonly until: number;
}

/** An admin-console user. Only the scrypt hash of the password is kept (services/auth/passwords.ts). */
export interface UserRecord {
  /** Canonical user name (services/auth/users.ts checks it). */
  readonly name: string;
  readonly passwordHash: string;
  readonly role: "admin";
  readonly createdAt: number;
  readonly passwordChangedAt: number;
}

/** A signed-in browser session. The cookie value is never stored, only its hash. */
export interface SessionRecord {
  /** Lowercase hex SHA-256 of the cookie value. */
  readonly idHash: string;
  readonly user: string;
  /** Sent back by the page in X-CSRF-Token on every change. */
  readonly csrfToken: string;
  readonly createdAt: number;
  /** Last time the session was used (refreshed at most about once a minute). */
  readonly lastSeenAt: number;
  /** Absolute end of the session; never moves. */
  readonly expiresAt: number;
}

/**
 * Where sessions live. The Store implements it (sessions die with their user); the agent's page uses
 * the memory implementation in services/auth/memory-session-store.ts.
 */
/** A host flagged for the admin (update abuse, services/limits/abuse-flags.ts). Dies with its host. */
export interface HostFlag {
  readonly fqdn: string;
  readonly flaggedAt: number;
  /** Why, for people (≤ 200 characters). */
  readonly reason: string;
}

/**
 * One rate-limit bucket (GCRA, core/rate.ts): `tat` is the time (ms since the epoch) at which the
 * bucket is full again. `key` names the counted thing and the rate, e.g. "host:a.example.com|300/86400000".
 */
export interface LimitBucket {
  readonly key: string;
  readonly tat: number;
}

/** What one process consumed from a bucket since it last saved it (services/limits/buckets.ts). */
export interface LimitBucketChange {
  readonly key: string;
  /** Time added to the bucket by this process since its last save (≥ 0). */
  readonly consumedMs: number;
  /** The bucket's tat as this process sees it now. */
  readonly tat: number;
}

/**
 * An admin user's TOTP second factor (services/auth/second-factor.ts). Pending until enabled (the
 * user confirmed a code); only an enabled factor is asked for at sign-in.
 */
export interface TotpFactor {
  readonly user: string;
  /** The shared secret, base32 (RFC 4648, no padding), stored as given like TSIG secrets: codes need it. */
  readonly secret: string;
  readonly enabled: boolean;
  /** The last time step (Unix seconds / 30) a code was accepted for; a code is never accepted twice. */
  readonly lastStep: number | undefined;
  readonly createdAt: number;
  readonly enabledAt: number | undefined;
  readonly recoveryCodes: readonly RecoveryCode[];
}

export interface RecoveryCode {
  /** Lowercase hex SHA-256 of the code (services/auth/recovery-codes.ts); the code itself is never stored. */
  readonly hash: string;
  readonly usedAt: number | undefined;
}

/** The step between a right password and a right code: no session exists yet. */
export interface LoginChallenge {
  /** Lowercase hex SHA-256 of the challenge cookie's value. */
  readonly idHash: string;
  readonly user: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * A trusted OpenID Connect issuer and the claims its tokens must carry (issue 18, keyless updates;
 * services/oidc/, docs/protocols/oidc.md): a JWT signed by `issuer` for `audience`, whose claims meet
 * every condition, may change what `names` and `types` cover, as a token with that scope could.
 */
export interface TrustRule {
  /** Chosen by the operator: lowercase letters, digits, `-` and `_`, 1 to 63 characters. */
  readonly id: string;
  /** The issuer URL, compared exactly with the token's `iss` and the discovery document's `issuer`. */
  readonly issuer: string;
  /** The token's `aud` must be (or contain) this. */
  readonly audience: string;
  /** JWS algorithms accepted (asymmetric only: never `none`, never HS*). */
  readonly algorithms: readonly string[];
  /** Every condition must hold; `value` may hold `*` (any run of characters). */
  readonly claims: readonly { readonly claim: string; readonly value: string }[];
  readonly names: readonly NameScope[];
  readonly types: readonly RecordType[];
  readonly createdAt: number;
}
