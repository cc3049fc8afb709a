// @ts-check
// Shapes shared by the admin views (JSDoc only; nothing here runs). They mirror the admin JSON API
// (docs/admin.md); times are ISO-8601 strings or null.

/**
 * @typedef {{ name: string }} User
 * @typedef {{ user: User, csrfToken: string, expiresAt: string }} SessionAnswer
 *
 * @typedef {object} Ctx what every view receives from the router
 * @property {HTMLElement} view the section this view fills (detached once the person navigates away)
 * @property {User} user the signed-in admin (views other than setup/login)
 * @property {(hash: string) => void} go navigates (hash like "#/hosts")
 * @property {(e: unknown, area: Element) => void} fail shows a failure in `area`, or returns to
 *   sign-in when the session is gone
 * @property {(answer: SessionAnswer) => void} signedIn
 * @property {string | undefined} note a one-time note for the view (why sign-in is shown)
 *
 * @typedef {{ type: string, ttl: number, values: string[], updatedAt: string | null }} RecordView
 * A refused entry (`refused`, outcome = the error code) has the values asked for in newValues; the set
 * kept oldValues. `count` identical entries were folded into it, the last at `lastAt`.
 * @typedef {{ id: number, hostId: number | null, type: string, oldValues: string[] | null,
 *   newValues: string[] | null, at: string, count: number, lastAt: string, outcome: string,
 *   refused: boolean, protocol: string, tokenId: string | null, sourceIp: string | null,
 *   userAgent: string | null }} HistoryEntry
 * @typedef {{ flaggedAt: string, reason: string }} AbuseFlag
 * @typedef {{ fqdn: string, zone: string, ttl: number, description: string | null,
 *   records: RecordView[], lastUpdate: HistoryEntry | null, abuse: AbuseFlag | null }} HostView
 * @typedef {{ mname: string, rname: string, contact: string, refresh: number, retry: number,
 *   expire: number, minimum: number }} SoaView
 * @typedef {{ name: string, serial: number, ttl: number, nameservers: string[], soa: SoaView,
 *   hosts: number, mirrors: number, createdAt: string }} ZoneView
 * @typedef {{ name: string, subtree: boolean }} NameScope
 * @typedef {{ id: string, label: string | null, names: NameScope[], types: string[],
 *   allowedCidrs: string[], createdAt: string, expiresAt: string | null, lastUsedAt: string | null,
 *   revokedAt: string | null, state: "active" | "revoked" | "expired", hostId: number | null,
 *   signing: "ed25519" | "hmac-sha256" | null, requireSignature: boolean }} TokenView
 * @typedef {{ serverUrl: string, curl: string, ddclient: string, inadyn: string, fritzbox: string,
 *   agent: string }} ClientConfigs
 * @typedef {{ name: string, algorithm: string, names: NameScope[], types: string[],
 *   allowedCidrs: string[], createdAt: string }} KeyView
 * @typedef {{ id: string, zone: string, provider: string, pending: number,
 *   oldestPendingAt: string | null, lastSuccessAt: string | null, delivered: number, skipped: number,
 *   attempts: number, lastError: { code: string, message: string, at: string } | null,
 *   nextTryAt: string | null, settings?: Record<string, unknown>,
 *   lease?: { owner: string, until: string } | null }} MirrorView
 * @typedef {{ at: string, count: number }} RatePoint
 * @typedef {{ now: string, intervalSeconds: number, updates: RatePoint[], queries: RatePoint[],
 *   totals: { updates: number, queries: number, zones: number, hosts: number, tokens: number },
 *   version: string, certificate?: CertificateView | null, acme: AcmeLine | null }} Stats *
 * The HTTPS certificate served (only with http.tls.listen; null before one is installed).
 * @typedef {{ origin: string, subject: string, names: string[], notAfter: string }} CertificateView
 * @typedef {{ names: string[], notAfter: string | null, nextCheckAt: string | null,
 *   lastError: string | null, failures: number }} AcmeLine *
 * Pools (docs/pools.md): times are ms since the epoch (ISO strings are accepted too, see pool-status.js).
 * @typedef {number | string} Instant
 * @typedef {"unknown" | "up" | "down"} HealthStatus
 * @typedef {"none" | "forced_up" | "forced_down" | "maintenance"} AdminOverride
 * @typedef {{ id: string, address?: string, host?: string, priority: number, weight: number }} MemberSpec
 * @typedef {{ type: string, port?: number, path?: string, host?: string, expect?: string,
 *   intervalMs: number, timeoutMs: number, rise: number, fall: number, maxAgeMs?: number }} CheckSpec
 * @typedef {{ name: string, type: "A" | "AAAA", steering: string, whenAllDown: string,
 *   fallback: string[], maxAnswers: number, ttlMin: number, ttlMax: number, check: CheckSpec,
 *   members: MemberSpec[] }} PoolSpec
 * @typedef {{ status: HealthStatus, streak: number, rttMs?: number, lastReason?: string,
 *   lastProbeAt?: Instant, since: Instant }} MemberHealth
 * @typedef {{ id: string, addresses: string[], host?: string, priority: number, weight: number,
 *   status: HealthStatus, override: AdminOverride, local?: MemberHealth,
 *   nodes: { node: string, status: HealthStatus, observedAt: Instant }[] }} MemberView
 * @typedef {{ spec: PoolSpec, members: MemberView[], published?: { values: string[], ttl: number },
 *   allDown: boolean, leader?: string, createdAt: Instant, updatedAt: Instant }} PoolView
 * @typedef {{ id: number, at: Instant, pool: string, member: string, node: string, from: string,
 *   to: string, reason: string, rttMs?: number }} Transition
 * @typedef {{ pool: string, member: string, node: string, minute: Instant, ok: number, fail: number,
 *   rttMinMs?: number, rttMaxMs?: number, rttSumMs: number }} Rollup
 */

export {};
