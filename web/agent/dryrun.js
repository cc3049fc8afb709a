// @ts-check
// What "Check" answered: the validation issues (each one a button that moves the caret to its
// line:column) or, for a valid file, the dry run per record: the verdict with the NEW sources and
// what would be published. Nothing here was published or saved.

import { h } from "../shared/dom.js";
import { addressList, sourcesTable, verdictLine } from "./verdict.js";

/** @typedef {import("./types.js").CheckResult} CheckResult */
/** @typedef {import("./types.js").ConfigIssue} ConfigIssue */
/** @typedef {import("./types.js").DryRunRecord} DryRunRecord */
/** @typedef {import("./types.js").NotifierCheck} NotifierCheck */

/**
 * @param {ConfigIssue[]} issues
 * @param {(issue: ConfigIssue) => void} onPick
 */
export function issuesList(issues, onPick) {
  return h(
    "div",
    { class: "note error issues", id: "config-issues" },
    h("p", {}, issues.length === 1 ? "1 problem:" : `${issues.length} problems:`),
    h(
      "ul",
      {},
      issues.map((i) =>
        h(
          "li",
          {},
          i.line === null
            ? h("span", { class: "where" }, "(file)")
            : h(
                "button",
                { type: "button", class: "link where", "data-line": i.line, onclick: () => onPick(i) },
                i.column === null ? `line ${i.line}` : `line ${i.line}:${i.column}`,
              ),
          " ",
          i.path === "" ? null : h("code", {}, i.path),
          " ",
          i.message,
        ),
      ),
    ),
  );
}

/** The dry run of a valid file. */
export function dryRunView(
  /** @type {DryRunRecord[]} */ records,
  /** @type {string[]} */ restartRequired = [],
  /** @type {NotifierCheck[]} */ notifiers = [],
) {
  return h(
    "div",
    { id: "dry-run", class: "stack" },
    h("p", { class: "note ok" }, "Valid. Dry run with these settings (nothing was published or saved):"),
    restartRequired.length === 0
      ? null
      : h(
          "p",
          { class: "note warn", id: "restart-required" },
          "These settings take effect only after the agent restarts: ",
          h("code", {}, restartRequired.join(", ")),
        ),
    records.length === 0
      ? h("p", { class: "muted" }, "No records.")
      : records.map((r) =>
          h(
            "section",
            { class: "card record", "data-record": `${r.fqdn}/${r.type}/${r.target}` },
            h(
              "div",
              { class: "row spread" },
              h(
                "h3",
                {},
                `${r.fqdn} `,
                h("span", { class: "badge" }, r.type),
                h("span", { class: "muted small" }, ` → ${r.target}`),
              ),
              verdictLine(r.verdict),
            ),
            plan(r),
            r.detail === "" ? null : h("p", { class: "muted small" }, r.detail),
            sourcesTable(r.verdict),
          ),
        ),
    notifiers.length === 0
      ? null
      : h(
          "section",
          { class: "card", id: "dry-run-notifiers" },
          h("h3", {}, "Notifications"),
          h(
            "ul",
            {},
            notifiers.map((n) =>
              h(
                "li",
                { "data-notifier": n.id },
                h("code", {}, n.id),
                ` (${n.type}) `,
                h("span", { class: "badge not-run", title: n.detail }, "not run in a check"),
              ),
            ),
          ),
        ),
  );
}

/** "now X · would publish Y", or why nothing would be sent. */
function plan(/** @type {DryRunRecord} */ r) {
  const unchanged = r.wouldPublish === null && (r.outcome === "unchanged" || r.outcome === "verified");
  return h(
    "p",
    { class: "plan" },
    "now ",
    addressList(r.current),
    " · would publish ",
    h("span", { class: "would-publish" }, addressList(r.wouldPublish)),
    unchanged || sameAs(r.current, r.wouldPublish)
      ? h("span", { class: "muted" }, " (no change)")
      : r.outcome === undefined || r.wouldPublish !== null
        ? null
        : h("span", { class: "muted" }, ` (${r.outcome})`),
  );
}

/** @param {string[] | null} a @param {string[] | null} b */
function sameAs(a, b) {
  if (a === null || b === null) return false;
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
