// @ts-check
// How a pool's state reads in the console (list and pool pages): a member's status and override as
// badges that carry their meaning in text as well as colour ("down", "forced down"), what the pool
// answers now, and the pools' times, which the API gives as ms since the epoch (ISO strings are
// accepted too, so either serialisation shows the same).

import { h } from "../shared/dom.js";
import { badge, when } from "./util.js";

/** @typedef {import("./types.js").PoolView} PoolView */
/** @typedef {import("./types.js").Instant} Instant */

/** The overrides an administrator can set, with the words the console uses for them. */
export const OVERRIDES = /** @type {const} */ ([
  ["none", "None"],
  ["forced_up", "Forced up"],
  ["forced_down", "Forced down"],
  ["maintenance", "Maintenance"],
]);

/** ms since the epoch of a number or an ISO string; NaN when it is neither. */
export function toMs(/** @type {Instant | undefined} */ t) {
  if (typeof t === "number") return t;
  return typeof t === "string" ? Date.parse(t) : NaN;
}

/** when() for pool times: "3 min ago" with the exact time as a tooltip, "never" when absent. */
export function whenMs(/** @type {Instant | undefined} */ t) {
  const ms = toMs(t);
  return when(Number.isFinite(ms) ? new Date(ms).toISOString() : null);
}

/**
 * "up" (green), "down" (red), "unknown" (plain), an override ("forced down", amber); with an override
 * other than none, its badge beside the status.
 */
export function statusBadges(/** @type {string} */ status, /** @type {string} */ override = "none") {
  const main = badge(statusText(status), KINDS[status] ?? "warn");
  if (override === "none") return main;
  return h("span", { class: "status" }, main, " ", badge(statusText(override), "warn"));
}

/** @type {Record<string, "" | "ok" | "error">} */
const KINDS = { up: "ok", down: "error", unknown: "", none: "" };

/** "forced_down" → "forced down"; states and overrides as words. */
export function statusText(/** @type {string} */ s) {
  return s.replaceAll("_", " ");
}

/** Members whose effective status is up, over all members: "2/3 up". */
export function upCount(/** @type {PoolView} */ p) {
  return `${p.members.filter((m) => m.status === "up").length}/${p.members.length} up`;
}

/** What the owner name answers now: "192.0.2.1, 192.0.2.2 · TTL 30 s", or "nothing published". */
export function publishedText(/** @type {PoolView} */ p) {
  if (p.published === undefined || p.published === null) return "nothing published";
  const values = p.published.values.length === 0 ? "no address" : p.published.values.join(", ");
  return `${values} · TTL ${p.published.ttl} s`;
}

/** The all-down warning (what the pool answers then follows its whenAllDown setting), or null. */
export function allDownNote(/** @type {PoolView} */ p) {
  if (!p.allDown) return null;
  return h(
    "p",
    { class: "note warn all-down", role: "status" },
    h("strong", {}, "All members are down."),
    ` The pool answers by its rule for this case (whenAllDown: ${p.spec.whenAllDown}).`,
  );
}
