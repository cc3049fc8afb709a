// @ts-check
// A pool's transitions timeline: every change of a member's state or override, newest first, as an
// ordered list (time, member, old → new state as badges with words, the reason, the node that saw
// it, the RTT when one was measured). Built from elements only: reasons and names from the server
// are text, never markup.

import { h } from "../shared/dom.js";
import { statusBadges, toMs } from "./pool-status.js";
import { fullTime } from "./util.js";

/** @typedef {import("./types.js").Transition} Transition */

/**
 * @param {string} pool the pool's name (for the list's label)
 * @param {Transition[]} transitions any order; shown newest first (ties: higher id first)
 * @returns {HTMLElement}
 */
export function transitionsTimeline(pool, transitions) {
  if (transitions.length === 0) return h("p", { class: "muted" }, "No transitions recorded yet.");
  const sorted = [...transitions].sort((a, b) => toMs(b.at) - toMs(a.at) || b.id - a.id);
  return h(
    "ol",
    { class: "transitions", "aria-label": `Transitions of ${pool}, newest first` },
    sorted.map((t) => {
      const at = toMs(t.at);
      return h(
        "li",
        { class: "transition" },
        h(
          "time",
          { datetime: Number.isFinite(at) ? new Date(at).toISOString() : undefined, class: "small" },
          fullTime(at),
        ),
        h(
          "div",
          {},
          h("strong", { class: "mono member" }, t.member),
          " ",
          statusBadges(t.from),
          " → ",
          statusBadges(t.to),
          " ",
          h("span", { class: "reason" }, t.reason),
          h(
            "div",
            { class: "muted small" },
            `seen by ${t.node}`,
            t.rttMs == null ? "" : ` · RTT ${Math.round(t.rttMs)} ms`,
          ),
        ),
      );
    }),
  );
}
