// @ts-check
// The agent API's answers as the page reads them (docs/agent/ui.md, src/agent/status.ts). Types only.

/**
 * @typedef {object} SourceView
 * @property {string} id
 * @property {string} operator
 * @property {string | null} address what the source answered (null: no address)
 * @property {boolean} accepted true when it counted as a vote
 * @property {string | null} rejection why it did not count (stable word, e.g. "not_global", "timeout";
 *   "not_run": a check does not run a source that runs a program)
 * @property {string} detail one line for people
 * @property {number} elapsedMs
 */

/**
 * @typedef {object} VerdictView
 * @property {"agreed" | "disagreed" | "insufficient"} status
 * @property {number} votes
 * @property {number} quorum
 * @property {string[]} addresses
 * @property {SourceView[]} sources
 */

/**
 * @typedef {object} RecordView
 * @property {string} fqdn
 * @property {"A" | "AAAA"} type
 * @property {string} target
 * @property {string} outcome
 * @property {boolean} healthy
 * @property {string} detail
 * @property {string[] | null} published
 * @property {string | null} publishedAt
 * @property {string | null} lastRunAt
 * @property {string | null} lastSuccessAt
 * @property {string | null} nextRunAt
 * @property {number} failuresTotal
 * @property {VerdictView | null} verdict
 */

/**
 * @typedef {object} StatusView
 * @property {string} version
 * @property {string | null} configFile
 * @property {number} intervalSeconds
 * @property {RecordView[]} records
 */

/**
 * @typedef {object} ConfigIssue
 * @property {string} path
 * @property {number | null} line 1-based
 * @property {number | null} column 1-based
 * @property {string} message
 */

/**
 * @typedef {object} DryRunRecord
 * @property {string} fqdn
 * @property {"A" | "AAAA"} type
 * @property {string} target
 * @property {string} [outcome] what a real cycle would do now ("would_publish", "unchanged", "disagreed", …)
 * @property {VerdictView | null} verdict
 * @property {string[] | null} wouldPublish
 * @property {string[] | null} current
 * @property {string} detail
 */

/**
 * A notifier of the checked configuration: a check never notifies.
 * @typedef {object} NotifierCheck
 * @property {string} id
 * @property {string} type
 * @property {"not_run"} state
 * @property {string} detail
 */

/**
 * @typedef {object} CheckResult
 * @property {boolean} ok
 * @property {ConfigIssue[]} issues
 * @property {{ records: DryRunRecord[], notifiers?: NotifierCheck[] } | null} dryRun
 * @property {string[]} [restartRequired] settings that differ from the running agent's and apply only
 *   after a restart
 */

/**
 * @typedef {object} SaveResult
 * @property {number} records
 * @property {boolean} [applied] false: saved, but the running agent could not apply it (see detail)
 * @property {string} [detail]
 * @property {string[]} [restartRequired]
 */

/**
 * @typedef {object} ConfigView
 * @property {string | null} file
 * @property {string} yaml
 * @property {boolean} writable
 * @property {string} hash sha256 hex of yaml, sent back as expectedHash
 */

/**
 * Whether the page can set its own password (only while the agent has none).
 * @typedef {{ possible: true, file: string } | { possible: false, detail: string }} SetupView
 */

/**
 * GET /api/session. `setup` is present only while the agent has no password (loopback, read-only).
 * @typedef {object} SessionView
 * @property {boolean} authenticated
 * @property {boolean} [passwordRequired]
 * @property {string} [csrfToken]
 * @property {string | null} [expiresAt]
 * @property {SetupView} [setup]
 */

/**
 * A sign-in or setup answer.
 * @typedef {{ csrfToken: string, expiresAt: string | null }} SignedIn
 */

/**
 * What every view gets from the app: where to go when the session is gone, how to switch views.
 * @typedef {object} AppContext
 * @property {boolean} readOnly no password yet: views show, but offer nothing that changes or runs
 * @property {(e: unknown) => boolean} handleAuth true when `e` meant "signed out" and the app took over
 * @property {(view: "status" | "config", followSince?: number) => void} go followSince: after a save, poll
 *   the status quickly until every record ran after that moment
 * @property {(message: string, kind?: "ok" | "error" | "warn" | "") => void} notify page-wide note ("" clears)
 */

export {};
