// @ts-check
// The address history picture: one lane per record type, a coloured band per address set over time
// (the same value always gets the same colour), a tick at every accepted update, a red mark at every
// refused one (never a change of band: the set kept its value), and the current value continuing
// into a "now" column so it is readable even when it was set a second ago. Every band, tick and mark
// has a <title> (hover / screen readers) with the time, what was asked, repeats ("×N, last at …"),
// the client address and the user agent. Built from SVG elements only (no markup strings, no inline style).
// Readable with one entry or five hundred: labels appear only where they fit, ticks stay 1-2 px wide.

import { svg } from "../shared/dom.js";
import { changeText, fullTime, repeatText } from "./util.js";

/** @typedef {import("./types.js").HistoryEntry} HistoryEntry */

const LANE_H = 34;
const TOP = 6;
const AXIS_H = 24;
const LEFT = 56;
const RIGHT = 8;
const CHAR_W = 7.3;
const COLOURS = 10;
const TYPE_ORDER = ["A", "AAAA", "TXT"];

/**
 * @typedef {{ type: string, values: string[], from: number, to: number | "now", by: HistoryEntry | undefined }} Band
 * @typedef {{ type: string, bands: Band[], ticks: HistoryEntry[], failures: HistoryEntry[] }} Lane
 */

const key = (/** @type {readonly string[]} */ values) => values.join(", ");

/**
 * Turns entries into lanes. Pure (exported for tests and for the table's summary).
 * @param {HistoryEntry[]} entries any order
 * @param {Record<string, string[]>} current the record sets now (type → values), for sets whose
 *   history was pruned
 * @returns {Lane[]} ordered A, AAAA, TXT, then other types alphabetically
 */
export function lanes(entries, current) {
  const types = new Set([...entries.map((e) => e.type), ...Object.keys(current)]);
  const order = [...types].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return order.map((type) => {
    const mine = entries
      .filter((e) => e.type === type)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
    /** @type {Band[]} */
    const bands = [];
    /** @type {Band | undefined} */
    let open;
    const ticks = [];
    const failures = [];
    for (const e of mine) {
      const at = Date.parse(e.at);
      if (e.refused) {
        failures.push(e);
        continue;
      }
      ticks.push(e);
      if (open === undefined && bands.length === 0 && e.oldValues !== null && e.oldValues.length > 0) {
        open = { type, values: e.oldValues, from: -Infinity, to: "now", by: undefined };
        bands.push(open);
      }
      const next = e.newValues === null || e.newValues.length === 0 ? undefined : e.newValues;
      if (open !== undefined && next !== undefined && key(open.values) === key(next)) continue;
      if (open !== undefined) open.to = at;
      open = next === undefined ? undefined : { type, values: next, from: at, to: "now", by: e };
      if (open !== undefined) bands.push(open);
    }
    const now = current[type];
    if (open === undefined && now !== undefined && now.length > 0) {
      bands.push({
        type,
        values: now,
        from: bands.length === 0 ? -Infinity : Infinity,
        to: "now",
        by: undefined,
      });
    }
    return { type, bands, ticks, failures };
  });
}

function rank(/** @type {string} */ type) {
  const i = TYPE_ORDER.indexOf(type);
  return i < 0 ? TYPE_ORDER.length : i;
}

/** One line per fact, for <title>. */
function entryText(/** @type {HistoryEntry} */ e) {
  return [
    `${fullTime(e.at)} · ${e.type} · ${e.outcome}`,
    repeatText(e),
    changeText(e),
    `client ${e.sourceIp ?? "unknown"} via ${e.protocol}`,
    `user agent ${e.userAgent ?? "none"}`,
  ]
    .filter((line) => line !== "")
    .join("\n");
}

/** Text that fits `width` px, shortened with "…", or "" when nothing useful fits. */
function fit(/** @type {string} */ text, /** @type {number} */ width) {
  const room = Math.floor((width - 8) / CHAR_W);
  if (room >= text.length) return text;
  return room >= 6 ? `${text.slice(0, room - 1)}…` : "";
}

/** Axis labels: seconds within minutes, times of day within a day or two, dates beyond. */
function axisFormat(/** @type {number} */ span) {
  if (span < 15 * 60_000) {
    return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  return span < 36 * 3600_000
    ? new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" })
    : new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
}

/**
 * @param {object} o
 * @param {string} o.fqdn
 * @param {HistoryEntry[]} o.entries
 * @param {Record<string, string[]>} o.current
 * @param {number} o.width px (the container's width)
 * @param {number} [o.now] ms since the epoch
 * @returns {SVGSVGElement}
 */
export function timeline({ fqdn, entries, current, width, now: clockNow = Date.now() }) {
  const all = lanes(entries, current);
  if (all.length === 0) {
    return /** @type {SVGSVGElement} */ (
      svg(
        "svg",
        {
          class: "timeline",
          width: 320,
          height: 28,
          role: "img",
          "aria-label": `Address history of ${fqdn}`,
        },
        svg("title", {}, `Address history of ${fqdn}`),
        svg("text", { class: "tl-empty", x: 0, y: 18 }, "No updates recorded yet."),
      )
    );
  }
  const W = Math.max(320, Math.round(width));
  const H = TOP + all.length * LANE_H + AXIS_H;
  const times = entries.map((e) => Date.parse(e.at)).filter((t) => Number.isFinite(t));
  // The browser's clock may lag the server's: "now" is never before the latest change.
  const now = Math.max(clockNow, ...times);
  const earliest = times.length === 0 ? now - 3600_000 : Math.min(...times);
  // At least 20 s are shown, so a change made a second ago is not stretched over the whole width.
  const start = Math.min(earliest, now - 20_000);
  const t0 = start - (now - start) * 0.04;
  // The "now" column: room for an IPv4 label on wide screens, less on a phone.
  const plotW = W - LEFT - RIGHT - Math.min(140, Math.round(W * 0.3));
  const nowX = LEFT + plotW;
  const x = (/** @type {number} */ t) =>
    t === -Infinity ? LEFT : t === Infinity ? nowX : LEFT + ((Math.min(t, now) - t0) / (now - t0)) * plotW;

  /** @type {Map<string, number>} */
  const colour = new Map();
  const colourOf = (/** @type {string[]} */ v) => {
    const k = key(v);
    if (!colour.has(k)) colour.set(k, colour.size % COLOURS);
    return colour.get(k) ?? 0;
  };

  const summary = all.map((l) => {
    const last = l.bands.at(-1);
    const cur = last !== undefined && last.to === "now" ? key(last.values) : "none";
    return `${l.type}: now ${cur}; ${l.ticks.length} update${l.ticks.length === 1 ? "" : "s"}, ${l.failures.length} refused`;
  });

  const root = /** @type {SVGSVGElement} */ (
    svg(
      "svg",
      {
        class: "timeline",
        width: W,
        height: H,
        viewBox: `0 0 ${W} ${H}`,
        role: "img",
        "aria-label": `Address history of ${fqdn}`,
      },
      svg("title", {}, `Address history of ${fqdn}`),
      svg("desc", {}, entries.length === 0 ? "No updates recorded yet." : summary.join(". ")),
    )
  );

  all.forEach((lane, i) => {
    const y = TOP + i * LANE_H;
    const g = svg("g", { class: "tl-lane" });
    g.append(
      svg("rect", { class: "tl-track", x: LEFT, y: y + 7, width: W - LEFT - RIGHT, height: 20, rx: 3 }),
      svg("text", { class: "tl-type", x: LEFT - 8, y: y + 21, "text-anchor": "end" }, lane.type),
    );
    for (const b of lane.bands) {
      const x0 = x(b.from);
      const x1 = b.to === "now" ? W - RIGHT : x(b.to);
      const w = Math.max(2, x1 - x0);
      const text = key(b.values);
      const until = b.to === "now" ? "now" : fullTime(b.to);
      const since =
        b.from === -Infinity || b.from === Infinity ? "before the recorded history" : fullTime(b.from);
      const by =
        b.by === undefined
          ? ""
          : `\nset by ${b.by.sourceIp ?? "unknown client"} via ${b.by.protocol}\nuser agent ${b.by.userAgent ?? "none"}`;
      const band = svg(
        "g",
        { class: `tl-band tl-c${colourOf(b.values)}` },
        svg("title", {}, `${lane.type} ${text}\nfrom ${since} until ${until}${by}`),
        svg("rect", { x: x0, y: y + 7, width: w, height: 20, rx: 2 }),
      );
      const label = fit(text, w);
      if (label !== "") band.append(svg("text", { class: "tl-label", x: x0 + 4, y: y + 21 }, label));
      g.append(band);
    }
    for (const e of lane.ticks) {
      const tx = x(Date.parse(e.at));
      g.append(
        svg(
          "g",
          { class: `tl-tick${e.outcome === "nochg" ? " tl-nochg" : ""}` },
          svg("title", {}, entryText(e)),
          svg("rect", { class: "tl-hit", x: tx - 3, y, width: 6, height: 7 }),
          svg("line", { x1: tx, x2: tx, y1: y, y2: y + 7 }),
        ),
      );
    }
    for (const e of lane.failures) {
      const fx = x(Date.parse(e.at));
      g.append(
        svg(
          "g",
          { class: "tl-fail" },
          svg("title", {}, `refused: ${entryText(e)}`),
          svg("path", { d: `M${fx - 4},${y + 31} L${fx + 4},${y + 31} L${fx},${y + 25} Z` }),
        ),
      );
    }
    root.append(g);
  });

  const axisY = TOP + all.length * LANE_H + 4;
  const fmt = axisFormat(now - t0);
  const axis = svg("g", { class: "tl-axis" }, svg("line", { x1: LEFT, x2: W - RIGHT, y1: axisY, y2: axisY }));
  const steps = Math.max(1, Math.min(5, Math.floor(plotW / 110)));
  for (let s = 0; s < steps; s++) {
    const t = t0 + ((now - t0) * s) / steps;
    const ax = x(t);
    axis.append(
      svg("line", { x1: ax, x2: ax, y1: axisY, y2: axisY + 4 }),
      svg("text", { x: ax, y: axisY + 16, "text-anchor": s === 0 ? "start" : "middle" }, fmt.format(t)),
    );
  }
  axis.append(
    svg("line", { class: "tl-now", x1: nowX, x2: nowX, y1: TOP, y2: axisY + 4 }),
    svg("text", { x: nowX + 4, y: axisY + 16 }, "now"),
  );
  root.append(axis);
  return root;
}
