// @ts-check
// Small view helpers shared by the admin views: page headers, tables, times, scopes.

import { ago, h } from "../shared/dom.js";
import { confirmButton } from "../shared/forms.js";

/** @typedef {import("../shared/dom.js").Child} Child */

/** The view's title (focusable, so navigation can move focus to it) with optional actions beside it. */
export function header(/** @type {string} */ title, /** @type {Child[]} */ ...actions) {
  return h(
    "div",
    { class: "row spread page-head" },
    h("h1", { tabindex: -1 }, title),
    h("div", { class: "row" }, actions),
  );
}

/**
 * A table in a scrolling wrapper; `empty` is shown in a single row when there are no rows.
 * @param {string} caption for screen readers
 * @param {(string | [string, string])[]} heads column titles, or [title, class]
 * @param {HTMLTableRowElement[]} rows
 * @param {string} empty
 */
export function table(caption, heads, rows, empty) {
  const body =
    rows.length === 0
      ? h("tbody", {}, h("tr", {}, h("td", { class: "empty", colspan: heads.length }, empty)))
      : h("tbody", {}, rows);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "sr-only" }, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          heads.map((t) =>
            typeof t === "string"
              ? h("th", { scope: "col" }, t)
              : h("th", { scope: "col", class: t[1] }, t[0]),
          ),
        ),
      ),
      body,
    ),
  );
}

/** "3 min ago" with the exact time as a tooltip; "never" for null. */
export function when(/** @type {string | null | undefined} */ iso) {
  if (iso === null || iso === undefined) return h("span", { class: "muted" }, "never");
  return h("time", { datetime: iso, title: fullTime(iso) }, ago(iso));
}

/** Local date and time to the second, for tooltips and tables. */
export function fullTime(/** @type {string | number} */ t) {
  const d = new Date(t);
  return Number.isNaN(d.getTime())
    ? String(t)
    : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** "home.dyn.example", "dyn.example and below". */
export function scopeText(/** @type {import("./types.js").NameScope[]} */ names) {
  return names.map((n) => (n.subtree ? `${n.name} and below` : n.name)).join(", ");
}

/** A state badge: ok / warn / error colouring by meaning. */
export function badge(/** @type {string} */ text, /** @type {"" | "ok" | "warn" | "error"} */ kind = "") {
  return h("span", { class: `badge ${kind}`.trim() }, text);
}

/** The outcome of a history entry as a badge: good/nochg/deleted, anything else is a refusal code. */
export function outcomeBadge(/** @type {string} */ outcome) {
  if (outcome === "good") return badge("updated", "ok");
  if (outcome === "nochg") return badge("no change");
  if (outcome === "deleted") return badge("deleted", "warn");
  return badge(`refused: ${outcome}`, "error");
}

/** What an entry did to the set: "old → new", or for a refused one what was asked and what stayed. */
export function changeText(/** @type {import("./types.js").HistoryEntry} */ e) {
  const values = (/** @type {string[] | null} */ v) => (v === null || v.length === 0 ? "—" : v.join(", "));
  if (!e.refused) return `${values(e.oldValues)} → ${values(e.newValues)}`;
  const asked = e.newValues === null ? "a deletion" : values(e.newValues);
  return `asked ${asked}, not applied; kept ${values(e.oldValues)}`;
}

/** "×N, last at <time>" for an entry standing for N identical ones; "" for one. */
export function repeatText(/** @type {import("./types.js").HistoryEntry} */ e) {
  return e.count > 1 ? `×${e.count}, last at ${fullTime(e.lastAt)}` : "";
}

/** "#/hosts/<fqdn>" with the name encoded. */
export function hostLink(/** @type {string} */ fqdn) {
  return h("a", { href: `#/hosts/${encodeURIComponent(fqdn)}` }, fqdn);
}

/**
 * Rotate revokes the working token in the same step (its client stops updating until it gets the new
 * secret), so it asks first, like Revoke: the first click arms it, the second acts.
 */
export function rotateButton(/** @type {() => void} */ action) {
  return confirmButton("Rotate", action, "Really rotate? The old token stops working");
}
