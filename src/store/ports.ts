// The store's ports, one per aggregate (everything Beacon persists), each with its contract suite in
// testing/: a consumer takes only the ports it uses (the update service ZoneStore, the token service
// TokenStore, …). An adapter (sqlite/, the embedded default; memory/, for tests; later postgres/)
// implements them all as `Store`, the composite src/cli opens, and passes runStoreContract. Records
// are in types.ts.
//
// Contracts shared by every implementation:
// - Names are canonical (see core/names.ts); callers normalise before calling.
// - Every method that changes data is atomic: it either fully happens or not at all, and it resolves
//   only after the change is durable (for SQLite: the transaction has committed with synchronous=FULL).
// - Expected conflicts throw BeaconError with a catalogue code (zone_exists, host_exists, token_exists,
//   zone_not_found, zone_not_empty, mirror_exists, mirror_not_found, user_exists, user_not_found);
//   driver failures throw BeaconError("store_unavailable") with the driver error as cause.
// - Returned objects are fresh copies; mutating them does not change the store.
// - Timestamps are milliseconds since the Unix epoch.

import type { AdminOverride, HealthTransition, MemberHealth, PoolSpec, ProbeRollup } from "../core/pools.js";
import type { Zone } from "../core/zones.js";
import type { AcmeStore } from "./acme.js";
import type { ZoneLogEntry } from "./change-log.js";
import type {
  ChangeBatch,
  ChangeDelta,
  CommitResult,
  Host,
  HostFlag,
  LimitBucket,
  LimitBucketChange,
  MirrorFailure,
  MirrorStatus,
  MirrorTarget,
  NewHost,
  OutboxEntry,
  SampleCredential,
  TrustRule,
  SessionRecord,
  SigningKey,
  Snapshot,
  StoredHistoryEntry,
  StoredRRSet,
  StoreHealth,
  TokenRecord,
  TsigKeyRecord,
  UserRecord,
  TotpFactor,
  LoginChallenge,
  ZoneUpdate,
} from "./types.js";

/** Zones, their hosts and record sets: what DNS serves. `commit` is the update path. */
export interface ZoneStore {
  createZone(zone: Omit<Zone, "serial"> & { serial?: number }): Promise<Zone>;
  getZone(name: string): Promise<Zone | undefined>;
  listZones(): Promise<Zone[]>;
  /**
   * Sets the TTL and SOA fields `change` gives, in one transaction; when any value differs from the
   * stored one the serial advances once (secondaries then transfer the new SOA). Resolves with the zone
   * as stored now; zone_not_found if it does not exist. Values are validated by the caller.
   */
  updateZone(name: string, change: ZoneUpdate): Promise<Zone>;
  /**
   * Deletes the zone. With `cascade` also its hosts (revoking their tokens, as deleteHost, and dropping
   * their flags), rrsets and history; otherwise zone_not_empty if it has hosts. Resolves false if absent.
   */
  deleteZone(name: string, opts?: { cascade?: boolean }): Promise<boolean>;

  // Hosts
  /**
   * zone_not_found if `host.zone` does not exist; host_exists if the fqdn is taken. Advances the zone
   * serial. Resolves with the stored host, with its new id (larger than any id given before).
   */
  createHost(host: NewHost): Promise<Host>;
  getHost(fqdn: string): Promise<Host | undefined>;
  /** Sorted by fqdn. */
  listHosts(zone?: string): Promise<Host[]>;
  /**
   * Deletes the host, its rrsets and its flag (history stays); revokes (at `at`) the tokens made for it
   * (hostId); advances the zone serial; queues a delete of each of its sets for every mirror of its
   * zone, created at `at` (default: now). Resolves false if absent.
   */
  deleteHost(fqdn: string, at?: number): Promise<boolean>;

  // Record sets
  /** The host's sets, sorted by type. Empty if none or no such host. */
  getRRSets(fqdn: string): Promise<StoredRRSet[]>;
  /**
   * Applies every write and appends every history entry in one transaction. Each zone with at least
   * one write gets its serial advanced exactly once. Writes for hosts that do not exist fail the whole
   * batch with host_not_found.
   *
   * History: an entry is written for the host that has its name now (hostId). An entry that is not a
   * change (outcome other than "good" and "deleted": nochg or a refusal) and equals that host's latest
   * entry of the same type in everything but the time (values, outcome, protocol, token, source, user
   * agent), written less than HISTORY_FOLD_WINDOW_MS before it, is folded into it: count + 1, lastAt =
   * its time; no new row. Then `keepPerHost` applies.
   *
   * An implicit host that has no record set left after the writes, one of which deleted one of its
   * sets, is deleted in the same transaction, as deleteHost does (its history stays).
   */
  commit(batch: ChangeBatch): Promise<CommitResult>;

  /** Everything the DNS index needs, read in one consistent transaction. */
  snapshot(): Promise<Snapshot>;
}

/** Update tokens (dyndns2 and JSON credentials). */
export interface TokenStore {
  /** token_exists if the id or the secret hash is taken. */
  createToken(token: TokenRecord): Promise<void>;
  getToken(id: string): Promise<TokenRecord | undefined>;
  /**
   * The token (revoked and expired ones included) whose secretHash is `secretHash`; secret hashes are
   * unique. One indexed read, whatever the number of tokens: authentication relies on it.
   */
  findTokenBySecretHash(secretHash: string): Promise<TokenRecord | undefined>;
  /** Sorted by createdAt then id; includes revoked tokens. */
  listTokens(): Promise<TokenRecord[]>;
  /** Marks the token revoked at `at`. Resolves false if absent or already revoked. */
  revokeToken(id: string, at: number): Promise<boolean>;
  /** Best effort: records the last use. */
  touchToken(id: string, at: number): Promise<void>;
  /**
   * Sets the token's request-signing key (undefined: none) and its require-signature flag, both at
   * once (docs/protocols/signed-requests.md). Resolves false if the token is absent.
   */
  setTokenSigning(id: string, key: SigningKey | undefined, requireSignature: boolean): Promise<boolean>;
}

/** TSIG keys (RFC 2136 UPDATE). */
export interface KeyStore {
  /** key_exists if the name is taken. */
  createTsigKey(key: TsigKeyRecord): Promise<void>;
  /** Sorted by name. */
  listTsigKeys(): Promise<TsigKeyRecord[]>;
  /** Resolves false if absent. */
  deleteTsigKey(name: string): Promise<boolean>;
}

/** The update history (written by ZoneStore.commit). */
export interface HistoryStore {
  /**
   * Newest first; at most `limit` (default 100) entries with id < `before` when given. With `hostId`
   * only the entries of that host; without it every entry written under the name, whichever host
   * (or none) had it then.
   */
  listHistory(
    fqdn: string,
    opts?: { limit?: number; before?: number; hostId?: number },
  ): Promise<StoredHistoryEntry[]>;
  /**
   * Deletes the entries whose lastAt is before `olderThan` among the `limit` oldest entries (by id),
   * and resolves with the number deleted: bounded work, for a periodic sweep.
   */
  pruneHistory(olderThan: number, limit: number): Promise<number>;
}

/**
 * Mirrors and their outbox. commit() and deleteHost() append one outbox row per changed set and per
 * mirror of the set's zone, in their own transaction: a change that did not commit leaves no row.
 * Deleting a zone (even an empty one) deletes its mirrors with their outbox and state.
 */
export interface MirrorStore {
  /** zone_not_found if the zone does not exist; mirror_exists if the id is taken. */
  createMirror(mirror: MirrorTarget): Promise<MirrorTarget>;
  getMirror(id: string): Promise<MirrorTarget | undefined>;
  /** Sorted by id; only the zone's mirrors when `zone` is given. */
  listMirrors(zone?: string): Promise<MirrorTarget[]>;
  /** Deletes the mirror with its outbox rows and delivery state. Resolves false if absent. */
  deleteMirror(id: string): Promise<boolean>;
  /**
   * Appends one upsert row for every set the mirror's zone holds now, in one transaction, and resolves
   * with the number of rows. mirror_not_found if absent.
   */
  enqueueResync(mirror: string, at: number): Promise<number>;
  /** The mirror's oldest `limit` rows, by seq. Empty for an absent mirror. */
  pendingOutbox(mirror: string, limit: number): Promise<OutboxEntry[]>;
  /**
   * The mirror's delivery lease: one owner (a node, see services/mirror/worker.ts) delivers a mirror
   * at a time. Taken when free, expired (until <= now) or already `owner`'s, and then held by `owner`
   * until now + leaseMs (a renewal extends it). Resolves false, changing nothing, when another owner
   * holds it unexpired, or the mirror is absent. `now` is the caller's clock: nodes' clocks must agree
   * to well within a lease.
   */
  claimMirror(mirror: string, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Frees the lease if `owner` holds it (expired or not), so another node may take it at once. */
  releaseMirror(mirror: string, owner: string): Promise<void>;
  /**
   * Removes the mirror's rows with these seqs. "delivered" (the default) records a success at `at`:
   * lastSuccessAt, `delivered` grows by the rows removed, attempts, lastError and nextTryAt are
   * cleared. "skipped" only adds the rows removed to `skipped`. Seqs that are not (or no longer) the
   * mirror's are ignored. With `owner`, fenced: it changes nothing unless `owner` holds the lease
   * (even expired: nobody took it over). Resolves whether it took effect (false for an absent mirror).
   */
  ackOutbox(
    mirror: string,
    seqs: readonly number[],
    at: number,
    outcome?: "delivered" | "skipped",
    owner?: string,
  ): Promise<boolean>;
  /**
   * Records a failed attempt: attempts + 1, lastError, nextTryAt. Fenced by `owner` as ackOutbox;
   * resolves whether it took effect (false for an absent mirror).
   */
  failMirror(mirror: string, failure: MirrorFailure, owner?: string): Promise<boolean>;
  /** Every mirror's delivery state, sorted by id. */
  mirrorStatus(): Promise<MirrorStatus[]>;
}

/**
 * The change log. Every change to a zone, a host or a record set appends to it in the same
 * transaction (SQLite: triggers, so every writer does, in any process), under an increasing
 * position that is never reused. Zone serials, SOA fields, NS, hosts and sets are all covered.
 */
export interface ChangeFeed {
  /**
   * A number that changes when another process (another connection) committed a change, so a
   * running server can notice CLI edits. Implementations without other writers return a constant.
   */
  externalVersion(): Promise<number>;

  /** The newest position (0: nothing logged yet). Read it before a snapshot to follow on from there. */
  changeSeq(): Promise<number>;
  /**
   * What changed after position `after`. Undefined when the log cannot say: it was pruned past
   * `after`, `after` is ahead of it (another database), or more than `limit` changes follow `after`;
   * read a snapshot then.
   */
  changesSince(after: number, limit: number): Promise<ChangeDelta | undefined>;
  /**
   * Drops the oldest log entries so that at most `keep` (≥ 1) remain, removing at most `limit` per
   * call; resolves with the number removed.
   */
  pruneChanges(keep: number, limit: number): Promise<number>;
  /**
   * The durable IXFR journal: zone `zone`'s log entries (zone rows and its sets' rows, oldest first)
   * from the newest change that gave the zone serial `serial` (that entry first) to the newest, at
   * most `limit` after it. Undefined when the log cannot say: no kept entry gave the zone that serial
   * (never had it, pruned past it, or logged before 0011_change_values), more than `limit` entries
   * follow, or an entry in that range has no zone (a set deleted by cascade after its host).
   */
  zoneLog(zone: string, serial: number, limit: number): Promise<ZoneLogEntry[] | undefined>;
  /**
   * Optional: only stores whose other writers can push a wake-up implement it (PostgreSQL: LISTEN on
   * a dedicated connection); the others are polled. Calls `wake` when another writer may have
   * committed a change, and once after every (re)connect of its listening connection, after it
   * listens: wake-ups sent while it was away are lost, so the caller must then catch up by reading
   * (changesSince from its position), and anything committed later wakes it again. `settings` is true
   * when more than the zones may have changed — TSIG keys, mirrors, host flags, which the caller keeps
   * in memory and must read again — and after every (re)connect; false for zone data alone. Wake-ups may come
   * in bursts or when nothing is new: `wake` must be cheap and idempotent (e.g. start the catch-up
   * unless one runs, and run it once more after). Reconnects with a capped backoff until stopped;
   * never throws. Returns the stop; closing the store stops it too.
   */
  onExternalChange?(wake: (settings: boolean) => void): () => void;
  /**
   * Optional (the catalog zone, dns.transfer.catalog, needs it): every zone's name and creation time,
   * with the position of the newest log row that created or deleted a zone, read in one consistent
   * view, so the same position always comes with the same list. When pruning removed every such row,
   * the oldest position kept minus one (every change of the list is older): never less than before.
   */
  zoneList?(): Promise<ZoneList>;
}

/** See ChangeFeed.zoneList. */
export interface ZoneList {
  readonly seq: number;
  readonly zones: readonly Pick<Zone, "name" | "createdAt">[];
}

export interface SessionStore {
  /** With the Store: user_not_found if the user does not exist. */
  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  /** Sets lastSeenAt; ignored for an absent session. */
  touchSession(idHash: string, at: number): Promise<void>;
  /** Resolves false if absent. */
  deleteSession(idHash: string): Promise<boolean>;
  /** Deletes every session of the user except `exceptIdHash`; resolves with the number deleted. */
  deleteUserSessions(user: string, exceptIdHash?: string): Promise<number>;
  /** Deletes sessions with expiresAt <= now or lastSeenAt <= lastSeenBefore; resolves with the number deleted. */
  pruneSessions(now: number, lastSeenBefore: number): Promise<number>;
}

export interface UserStore {
  /** user_exists if the name is taken. */
  createUser(user: UserRecord): Promise<void>;
  /** Creates the user only when no user exists at all, atomically; resolves false otherwise. */
  createFirstUser(user: UserRecord): Promise<boolean>;
  getUser(name: string): Promise<UserRecord | undefined>;
  /** Sorted by name. */
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  /** Sets the hash and passwordChangedAt. Resolves false if absent. */
  setUserPassword(name: string, passwordHash: string, at: number): Promise<boolean>;
  /** Deletes the user and all of their sessions. Resolves false if absent. */
  deleteUser(name: string): Promise<boolean>;
}

/**
 * Where rate-limit state that must outlive a restart lives (long windows, abuse flags), shaped so
 * several server nodes can share it: saving adds each node's consumption instead of overwriting.
 */
export interface LimitStore {
  /** Every saved bucket with tat > now, sorted by key. */
  loadLimitBuckets(now: number): Promise<LimitBucket[]>;
  /**
   * In one transaction, for each change: saved tat = max(saved tat + consumedMs, change.tat) (a
   * missing bucket counts as saved tat = change.tat - consumedMs, i.e. the result is change.tat); then
   * every bucket with tat <= now is deleted. Resolves with the saved buckets of the keys given that
   * remain (tat > now), sorted by key.
   */
  saveLimitBuckets(changes: readonly LimitBucketChange[], now: number): Promise<LimitBucket[]>;
  /** Deletes these buckets (absent keys are ignored). */
  deleteLimitBuckets(keys: readonly string[]): Promise<void>;
  /** Flags the host. Resolves false (and changes nothing) if the host is absent or already flagged. */
  flagHost(flag: HostFlag): Promise<boolean>;
  /** Resolves false if the host was not flagged. */
  clearHostFlag(fqdn: string): Promise<boolean>;
  /** Sorted by fqdn. */
  listHostFlags(): Promise<HostFlag[]>;
}

/**
 * The TSIG replay memory every node on the store shares (dns/tsig/replay.ts keeps the node's own copy in
 * front of it): a signed message's MAC, per key, until its time window is over. Key names are at most
 * 1,024 characters and MACs 1 to 512 bytes; anything else is refused with `bad_request` (tsig-replay.ts).
 */
export interface ReplayStore {
  /**
   * Records `mac` for `keyName` until `expiresAt` (seconds since the epoch) and resolves true when it
   * was not recorded yet or its entry had expired (expiresAt < now); false when it is recorded and not
   * expired (a replay). Of several nodes claiming the same MAC at once exactly one gets true.
   */
  claimTsigMac(keyName: string, mac: Uint8Array, expiresAt: number, now: number): Promise<boolean>;
  /** Deletes at most `limit` (a whole number ≥ 1) entries with expiresAt < now; resolves with how many. */
  pruneTsigMacs(now: number, limit: number): Promise<number>;
}

/**
 * Health-checked pools (core/pools.ts, services/health/): their definitions and overrides, each node's
 * view of every member (which is also that node's observation for the quorum of several nodes), the
 * transitions log, per-minute probe roll-ups, agents' heartbeats, and the publisher's lease. A pool's
 * name is its owner fqdn. On PostgreSQL, changes to pools and overrides wake the other nodes as
 * settings (ChangeFeed.onExternalChange(wake(true))); on SQLite they change externalVersion.
 */
export interface PoolStore {
  /**
   * Creates the pool, or replaces its spec (keeping its overrides of members that still exist and
   * dropping the others, and every node's state of members that no longer exist). Resolves whether
   * it was created. The spec is validated by the caller.
   */
  putPool(spec: PoolSpec, at: number): Promise<{ readonly created: boolean }>;
  getPool(name: string): Promise<StoredPool | undefined>;
  /** Sorted by name. */
  listPools(): Promise<StoredPool[]>;
  /** Deletes the pool with its overrides, states, transitions and roll-ups. Resolves false if absent. */
  deletePool(name: string): Promise<boolean>;
  /**
   * Sets (or with "none" clears) a member's override. Resolves false, changing nothing, when the pool
   * or the member does not exist (true when "none" clears an override the member did not have).
   */
  setOverride(pool: string, member: string, override: AdminOverride, at: number): Promise<boolean>;

  /**
   * Upserts `node`'s state of each member given (keyed by node, pool, member), with `at` as the time it
   * was observed; members of pools that no longer exist are ignored. One transaction. Of several states
   * given for one member, the last is kept.
   */
  saveMemberHealth(node: string, states: readonly MemberHealth[], at: number): Promise<void>;
  /** Every node's saved state (of `pool`, or of every pool), sorted by pool, member, node. */
  listMemberHealth(pool?: string): Promise<NodeMemberHealth[]>;

  /** Appends transitions (append-only; one transaction). Transitions of absent pools are ignored. */
  appendTransitions(transitions: readonly HealthTransition[]): Promise<void>;
  /**
   * Newest first (by id); at most `limit` (a whole number ≥ 0) with id < `before` when given; only
   * `member`'s when given.
   */
  listTransitions(
    pool: string,
    opts: { readonly limit: number; readonly before?: number; readonly member?: string },
  ): Promise<StoredTransition[]>;

  /**
   * Adds roll-ups: a row with the same (pool, member, node, minute) as a saved one is merged into it
   * (ok, fail and rttSumMs added, min and max combined, absent while no probe of the minute succeeded);
   * so are rows given twice in one call. Rows of absent pools are ignored. One transaction.
   */
  addRollups(rows: readonly ProbeRollup[]): Promise<void>;
  /** The pool's roll-ups with minute >= `since`, sorted by minute, member, node. */
  listRollups(pool: string, since: number): Promise<ProbeRollup[]>;
  /**
   * Deletes transitions with at < `transitionsBefore` and roll-ups with minute < `rollupsBefore`, at most
   * `limit` (a whole number ≥ 1) rows of each, oldest first; resolves with the number deleted (bounded
   * work, for a periodic sweep).
   */
  pruneHealth(transitionsBefore: number, rollupsBefore: number, limit: number): Promise<number>;

  /** Records a heartbeat for the host (a later `at` replaces an earlier one; an earlier one is ignored). */
  recordHeartbeat(fqdn: string, at: number): Promise<void>;
  /** The newest heartbeat of each host that has one, in fqdn order. */
  listHeartbeats(): Promise<ReadonlyMap<string, number>>;

  /**
   * The pools' publisher lease (one node evaluates the quorum, publishes the chosen sets and sends the
   * notifications at a time), with the semantics of MirrorStore.claimMirror for one fixed resource.
   */
  claimPublisher(owner: string, now: number, leaseMs: number): Promise<boolean>;
  releasePublisher(owner: string): Promise<void>;
}

/** A pool as stored: its spec, the members' overrides (members without one are absent), times. */
export interface StoredPool {
  readonly spec: PoolSpec;
  readonly overrides: Readonly<Record<string, AdminOverride>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One node's state of a member, with when that node saved it. */
export interface NodeMemberHealth extends MemberHealth {
  readonly node: string;
  readonly observedAt: number;
}

export interface StoredTransition extends HealthTransition {
  readonly id: number;
}

/**
 * Webhooks (services/notify/): their definitions, their durable outbox (one row per event and webhook,
 * removed once delivered or dropped), and the change-log follower that turns A/AAAA changes into
 * events. Delivery: only a webhook's oldest row can be claimed, by one owner (a node) at a time, so
 * each webhook gets its events one at a time and in order while the others go on. On PostgreSQL,
 * changes to webhooks wake the other nodes as settings (ChangeFeed.onExternalChange(wake(true))).
 */
export interface NotifyStore {
  /** webhook_exists if the id is taken. The record is validated by the caller. */
  createWebhook(hook: WebhookRecord): Promise<void>;
  getWebhook(id: string): Promise<WebhookRecord | undefined>;
  /** Sorted by id. */
  listWebhooks(): Promise<WebhookRecord[]>;
  /** Deletes the webhook with its outbox rows. Resolves false if absent. */
  deleteWebhook(id: string): Promise<boolean>;
  /** Resolves false if absent. A disabled webhook gets no new rows and its rows are not claimed. */
  setWebhookEnabled(id: string, enabled: boolean): Promise<boolean>;

  /**
   * One transaction: for each event, a row for every enabled webhook whose events list its kind or
   * "*" (an event with `webhook`: for that webhook only, whatever its events, if it exists and is
   * enabled), created and first due at `at`. Resolves with the number of rows.
   */
  enqueueNotifications(events: readonly NewNotification[], at: number): Promise<number>;
  /**
   * Claims up to `limit` rows, each the oldest row of an enabled webhook, due (nextTryAt <= now) and
   * not claimed by another owner unexpired (claimedUntil > now), for `owner` until now + leaseMs.
   * Oldest first. Of several owners claiming at once, each row goes to one.
   */
  claimNotifications(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<PendingNotification[]>;
  /** Removes the row (delivered, or given up) if `owner` holds its claim. Resolves whether it did. */
  ackNotification(seq: number, owner: string): Promise<boolean>;
  /**
   * A failed attempt, if `owner` holds the claim: attempts + 1, lastError, nextTryAt; the claim is
   * released. Resolves whether it took effect.
   */
  failNotification(seq: number, owner: string, error: string, nextTryAt: number): Promise<boolean>;
  /** Deletes at most `limit` rows created before `createdBefore`; resolves with them (seq order). */
  dropNotifications(createdBefore: number, limit: number): Promise<PendingNotification[]>;
  /** The number of rows waiting. */
  notificationQueue(): Promise<number>;

  /** The follower's lease, with the semantics of MirrorStore.claimMirror for one fixed resource. */
  claimNotifyFollower(owner: string, now: number, leaseMs: number): Promise<boolean>;
  releaseNotifyFollower(owner: string): Promise<void>;
  /** The change-log position turned into events so far; null before the follower first ran. */
  notifyCursor(): Promise<number | null>;
  /**
   * The change log's A and AAAA rows after position `after`, oldest first, at most `limit`, with `to`:
   * the position they cover (the last row's when `limit` were returned, else the newest logged), read
   * in one consistent view. Rows logged before 0011_change_values carry no values and are left out.
   */
  addressChanges(
    after: number,
    limit: number,
  ): Promise<{ readonly to: number; readonly changes: AddressChange[] }>;
  /**
   * One transaction: if `owner` holds the follower's lease (even expired: nobody took it over) and the
   * cursor is `from`, enqueues `events` (as enqueueNotifications) and sets the cursor to `to`.
   * Resolves whether it did; false changes nothing.
   */
  followChanges(
    owner: string,
    from: number | null,
    to: number,
    events: readonly NewNotification[],
    at: number,
  ): Promise<boolean>;
}

/** A webhook as stored. The secret is only for signing: listings shown to people redact it. */
export interface WebhookRecord {
  readonly id: string;
  /** http: or https: */
  readonly url: string;
  readonly secret: string;
  /** Event kinds it receives; "*": every kind. */
  readonly events: readonly string[];
  /** The body template (services/notify/template.ts); null: the default JSON body. */
  readonly template: string | null;
  readonly createdAt: number;
  readonly enabled: boolean;
}

/** An event to enqueue: its id (X-Beacon-Delivery, the same on every retry), kind and fields as JSON. */
export interface NewNotification {
  readonly id: string;
  readonly kind: string;
  /** A JSON object: the event's fields. */
  readonly payload: string;
  /** For this webhook only (a test event). */
  readonly webhook?: string;
}

/** An outbox row. */
export interface PendingNotification {
  readonly seq: number;
  readonly webhook: string;
  readonly id: string;
  readonly kind: string;
  readonly payload: string;
  readonly createdAt: number;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** An A or AAAA set's change, from the change log: values before and after (empty: no set). */
export interface AddressChange {
  readonly seq: number;
  readonly zone: string | null;
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** When the change was logged. */
  readonly at: number;
}

/** The store as a whole: whether it can take writes, and closing it. */
export interface StoreLifecycle {
  /** Whether changes can be written now (see StoreHealth). */
  health(): StoreHealth;

  close(): Promise<void>;
}

/**
 * History with the hosts it belongs to: what reading a host's history takes (services/history.ts), so
 * what every consumer that reads history through it passes on (the token API and the admin routes).
 */
export type HostHistoryStore = Pick<ZoneStore, "getHost"> & HistoryStore;

/**
 * Credentials of the AWS sample's protocol, one per host (SampleCredential). The store does not tie
 * them to the host's life: the caller checks hostId against the host of that name at use.
 */
export interface SampleCredentialStore {
  /** Creates the host's credential or replaces the one it had. */
  putSampleCredential(credential: SampleCredential): Promise<void>;
  getSampleCredential(fqdn: string): Promise<SampleCredential | undefined>;
  /** Sorted by fqdn. */
  listSampleCredentials(): Promise<SampleCredential[]>;
  /** Resolves false if absent. */
  deleteSampleCredential(fqdn: string): Promise<boolean>;
  /** Best effort: records the last use; ignored for an absent credential. */
  touchSampleCredential(fqdn: string, at: number): Promise<void>;
}

/**
 * Admin users' TOTP second factor and the sign-in challenges between password and code (issue 18,
 * services/auth/second-factor.ts). Both die with their user. Atomic claims keep several nodes honest.
 */
export interface TotpStore {
  /** Creates or replaces the user's factor with its recovery codes; user_not_found if no such user. */
  putTotp(factor: TotpFactor): Promise<void>;
  getTotp(user: string): Promise<TotpFactor | undefined>;
  /** Sorted by user. */
  listTotp(): Promise<TotpFactor[]>;
  /** Deletes the factor and its recovery codes. Resolves false if absent. */
  deleteTotp(user: string): Promise<boolean>;
  /** Atomically sets lastStep to `step` when it is unset or smaller; resolves false otherwise or if absent. */
  claimTotpStep(user: string, step: number): Promise<boolean>;
  /** Atomically marks the user's unused recovery code with this hash used; resolves false otherwise. */
  useRecoveryCode(user: string, hash: string, at: number): Promise<boolean>;
  /** user_not_found if no such user. */
  createLoginChallenge(challenge: LoginChallenge): Promise<void>;
  getLoginChallenge(idHash: string): Promise<LoginChallenge | undefined>;
  /** Resolves false if absent (so only one caller can finish a challenge). */
  deleteLoginChallenge(idHash: string): Promise<boolean>;
  /** Deletes challenges with expiresAt <= now; resolves with the number deleted. */
  pruneLoginChallenges(now: number): Promise<number>;
}

/** Trusted OIDC issuers and their claim rules (TrustRule), keyed by id. */
export interface TrustStore {
  /** Rejects with trust_exists when a rule has this id. */
  createTrustRule(rule: TrustRule): Promise<void>;
  getTrustRule(id: string): Promise<TrustRule | undefined>;
  /** Sorted by id. */
  listTrustRules(): Promise<TrustRule[]>;
  /** Resolves false if absent. */
  deleteTrustRule(id: string): Promise<boolean>;
}

/** Every port: what an adapter implements and src/cli opens. Consumers take the ports they use. */
export interface Store
  extends
    ZoneStore,
    TokenStore,
    KeyStore,
    HistoryStore,
    MirrorStore,
    ChangeFeed,
    SessionStore,
    UserStore,
    LimitStore,
    ReplayStore,
    PoolStore,
    NotifyStore,
    SampleCredentialStore,
    TotpStore,
    TrustStore,
    AcmeStore,
    StoreLifecycle {}
