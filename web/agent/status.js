// @ts-check
// The status view: every record at a glance (published address, outcome, last update, next check,
// failures), then per record the verdict and every source's answer. Refreshes every 5 s in place:
// the toolbar is never rebuilt, the scroll position is kept and a text selection is not wiped, so
// reading (or copying an address) is not interrupted.

import { api } from "../shared/api.js";
import { ago, h, mount } from "../shared/dom.js";
import { errorText as message } from "./errors.js";
import { addressList, sourcesTable, verdictLine } from "./verdict.js";

/** @typedef {import("./types.js").StatusView} StatusView */
/** @typedef {import("./types.js").RecordView} RecordView */
/** @typedef {import("./types.js").AppContext} AppContext */

export const REFRESH_MS = 5000;
/** After "check now" or a save: quick polls until the records show a run that started after it. */
const FOLLOW_POLLS = 12;
const FOLLOW_MS = 750;

/**
 * Mounts the view into `root`; `stop()` ends the refresh. `followSince` (epoch ms): poll quickly until
 * every record ran after that moment (used right after a save).
 * @param {HTMLElement} root
 * @param {AppContext} ctx
 * @param {number} [followSince]
 */
export function mountStatus(root, ctx, followSince) {
  const info = h("span", { class: "muted small", id: "status-info" });
  const checkNow = ctx.readOnly
    ? h("a", { href: "#setup", id: "read-only" }, "Read-only: set a password to make changes")
    : h("button", { type: "button", class: "primary", id: "check-now" }, "Check now");
  const error = h("div", { id: "status-error" });
  const body = h("div", { id: "status-body" }, h("p", { class: "muted" }, "Loading status…"));
  mount(
    root,
    h(
      "div",
      { class: "row spread toolbar" },
      h("h1", {}, "Status"),
      h("div", { class: "row" }, info, checkNow),
    ),
    error,
    body,
  );

  /** @type {StatusView | undefined} */
  let last;
  let stopped = false;
  let busy = false;
  let loadedAt = 0;

  async function refresh() {
    if (stopped || busy) return;
    busy = true;
    try {
      last = /** @type {StatusView} */ (await api("GET", "/api/status"));
      loadedAt = Date.now();
      mount(error);
      render();
    } catch (e) {
      if (!ctx.handleAuth(e))
        mount(error, h("p", { class: "note error" }, `Status unavailable: ${message(e)}`));
    } finally {
      busy = false;
    }
  }

  function render() {
    if (last === undefined || stopped) return;
    const y = window.scrollY;
    const now = Date.now();
    mount(
      info,
      `agent ${last.version} · every ${last.intervalSeconds} s · refreshed ${ago(new Date(loadedAt).toISOString(), now)}`,
    );
    // Someone selecting text (an address to copy) keeps it: the new data waits for the next tick.
    const sel = document.getSelection();
    if (sel !== null && !sel.isCollapsed && body.contains(sel.anchorNode)) return;
    mount(
      body,
      overview(last.records, now),
      last.records.map((r) => recordCard(r)),
    );
    window.scrollTo(window.scrollX, y);
  }

  /** Polls quickly until every record's last run began at or after `since` (bounded). */
  async function follow(/** @type {number} */ since) {
    for (let i = 0; i < FOLLOW_POLLS && !stopped; i++) {
      await new Promise((r) => setTimeout(r, FOLLOW_MS));
      await refresh();
      const records = last?.records ?? [];
      if (
        records.length > 0 &&
        records.every((r) => r.lastRunAt !== null && Date.parse(r.lastRunAt) >= since)
      ) {
        return;
      }
    }
  }

  if (!ctx.readOnly)
    checkNow.addEventListener("click", () => {
      void (async () => {
        checkNow.setAttribute("disabled", "");
        const since = Date.now() - 1000;
        try {
          await api("POST", "/api/check-now", {});
          await follow(since);
        } catch (e) {
          if (!ctx.handleAuth(e))
            mount(error, h("p", { class: "note error" }, `Check failed: ${message(e)}`));
        } finally {
          checkNow.removeAttribute("disabled");
        }
      })();
    });

  const timer = setInterval(() => {
    if (!document.hidden) void refresh();
  }, REFRESH_MS);
  void refresh().then(() => (followSince === undefined ? undefined : follow(followSince)));

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** One row per record. */
function overview(/** @type {RecordView[]} */ records, /** @type {number} */ now) {
  if (records.length === 0) return h("p", { class: "note" }, "No records configured.");
  return h(
    "div",
    { class: "table-wrap records" },
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "record"),
          h("th", {}, "published"),
          h("th", {}, "outcome"),
          h("th", {}, "last update"),
          h("th", {}, "next check"),
          h("th", { class: "num" }, "failures"),
        ),
      ),
      h(
        "tbody",
        {},
        records.map((r) =>
          h(
            "tr",
            { "data-record": key(r) },
            h(
              "td",
              {},
              h("strong", {}, r.fqdn),
              " ",
              h("span", { class: "badge" }, r.type),
              h("div", { class: "muted small" }, `→ ${r.target}`),
            ),
            h(
              "td",
              { class: "published" },
              addressList(r.published),
              h("div", { class: "muted small" }, r.publishedAt === null ? "" : ago(r.publishedAt, now)),
            ),
            h("td", { class: "outcome" }, outcomeBadge(r), h("div", { class: "small detail" }, r.detail)),
            h("td", {}, ago(r.lastRunAt, now)),
            h("td", {}, r.nextRunAt === null ? "—" : ago(r.nextRunAt, now)),
            h("td", { class: `num ${r.failuresTotal > 0 ? "failing" : ""}` }, String(r.failuresTotal)),
          ),
        ),
      ),
    ),
  );
}

/** The verdict and every source's answer of the record's last detection. */
function recordCard(/** @type {RecordView} */ r) {
  return h(
    "section",
    { class: "card record", "data-record": key(r) },
    h(
      "div",
      { class: "row spread" },
      h("h2", {}, `${r.fqdn} `, h("span", { class: "badge" }, r.type)),
      verdictLine(r.verdict),
    ),
    sourcesTable(r.verdict),
  );
}

function outcomeBadge(/** @type {RecordView} */ r) {
  return h(
    "span",
    { class: `badge ${r.outcome === "pending" ? "" : r.healthy ? "ok" : "error"}` },
    r.outcome,
  );
}

/** Stable id of a record on the page (tests and anchors). */
function key(/** @type {RecordView} */ r) {
  return `${r.fqdn}/${r.type}/${r.target}`;
}
