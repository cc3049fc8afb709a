// @ts-check
// One detection shown the same way on the status view and in the dry run: the verdict (agreed on an
// address, or why not) and every source's answer with whether it counted and why not.

import { h } from "../shared/dom.js";

/** @typedef {import("./types.js").VerdictView} VerdictView */
/** @typedef {import("./types.js").SourceView} SourceView */

const VERDICT_CLASS = { agreed: "ok", disagreed: "error", insufficient: "warn" };

/** Badge + "2/2 votes" + the address(es); "no detection yet" for null. */
export function verdictLine(/** @type {VerdictView | null} */ v) {
  if (v === null) return h("span", { class: "muted verdict" }, "no detection yet");
  const addresses = v.addresses.length === 0 ? "no address" : v.addresses.join(" vs ");
  return h(
    "span",
    { class: "verdict", "data-verdict": v.status },
    h("span", { class: `badge ${VERDICT_CLASS[v.status] ?? ""}` }, v.status),
    " ",
    h("span", { class: "votes", title: "independent operators agreeing / quorum" }, `${v.votes}/${v.quorum}`),
    " ",
    h("code", { class: "addresses" }, addresses),
  );
}

/** Every source's answer; a table even when empty so the layout does not jump. */
export function sourcesTable(/** @type {VerdictView | null} */ v) {
  const sources = v?.sources ?? [];
  return h(
    "div",
    { class: "table-wrap sources" },
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "source"),
          h("th", { class: "hide-narrow" }, "operator"),
          h("th", {}, "answer"),
          h("th", {}, "counted"),
          h("th", { class: "hide-narrow" }, "detail"),
          h("th", { class: "num" }, "ms"),
        ),
      ),
      h(
        "tbody",
        {},
        sources.length === 0
          ? h("tr", {}, h("td", { colspan: 6, class: "empty" }, "no source asked yet"))
          : sources.map(sourceRow),
      ),
    ),
  );
}

/** A check does not run a source that runs a program: shown as its own state, not as a failure. */
const NOT_RUN = "not_run";

function sourceRow(/** @type {SourceView} */ s) {
  const notRun = s.rejection === NOT_RUN;
  return h(
    "tr",
    { "data-source": s.id, class: s.accepted ? "accepted" : notRun ? "not-run" : "rejected" },
    h("td", {}, h("code", {}, s.id)),
    h("td", { class: "hide-narrow" }, s.operator),
    h("td", {}, s.address === null ? h("span", { class: "muted" }, "—") : h("code", {}, s.address)),
    h(
      "td",
      {},
      s.accepted
        ? h("span", { class: "badge ok" }, "accepted")
        : notRun
          ? h("span", { class: "badge not-run", title: s.detail }, "not run in a check")
          : h("span", { class: "badge error", title: s.rejection ?? "" }, `rejected: ${s.rejection ?? "?"}`),
    ),
    h("td", { class: "hide-narrow detail" }, s.detail),
    h("td", { class: "num" }, String(Math.round(s.elapsedMs))),
  );
}

/** "81.2.69.50, 2001:db8::1" or a muted "none". */
export function addressList(/** @type {readonly string[] | null | undefined} */ list) {
  return list === null || list === undefined || list.length === 0
    ? h("span", { class: "muted" }, "none")
    : h("code", {}, list.join(", "));
}
