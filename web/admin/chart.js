// @ts-check
// A small rate chart (SVG bars on a fixed time axis, oldest left, "now" at the right edge): counts per
// interval, the peak and the latest rate labelled, every bar carrying a <title> ("12:03:10 · 4
// updates"). A fresh server with one sample shows one thin bar at the right, not one wide block.
// Also a pool member's RTT chart (average line, min-max band, success share per minute), from the
// probe roll-ups merged over nodes (perMinute).

import { svg } from "../shared/dom.js";
import { toMs } from "./pool-status.js";

/**
 * @param {object} o
 * @param {string} o.title e.g. "Updates"
 * @param {{ at: string, count: number }[]} o.points oldest first
 * @param {number} o.intervalSeconds
 * @param {number} o.now ms since the epoch (the server's time of the sample)
 * @param {number} o.width px
 * @param {number} [o.windowSeconds] the span the axis shows (default one hour)
 * @returns {SVGSVGElement}
 */
export function rateChart({ title, points, intervalSeconds, now, width, windowSeconds = 3600 }) {
  const W = Math.max(260, Math.round(width));
  const H = 120;
  const top = 18;
  const bottom = 18;
  const plotH = H - top - bottom;
  const step = Math.max(1, intervalSeconds) * 1000;
  const span = windowSeconds * 1000;
  const start = now - span;
  const barW = Math.max(1, (W * step) / span);
  const peak = Math.max(0, ...points.map((p) => p.count));
  const total = points.reduce((s, p) => s + p.count, 0);
  const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const perMin = (/** @type {number} */ n) => (n * 60) / Math.max(1, intervalSeconds);
  const last = points.at(-1);
  const lastRate = last === undefined ? undefined : perMin(last.count);
  const root = /** @type {SVGSVGElement} */ (
    svg(
      "svg",
      {
        class: "rate-chart",
        width: W,
        height: H,
        viewBox: `0 0 ${W} ${H}`,
        role: "img",
        "aria-label": `${title} per ${intervalSeconds} s over the last ${Math.round(windowSeconds / 60)} min`,
      },
      svg(
        "title",
        {},
        `${title}: ${total} in the last ${Math.round(windowSeconds / 60)} min, peak ${peak} per ${intervalSeconds} s`,
      ),
      svg("line", { class: "rc-base", x1: 0, x2: W, y1: top + plotH, y2: top + plotH }),
      svg("text", { class: "rc-peak", x: 2, y: 12 }, `peak ${peak} / ${intervalSeconds} s`),
      svg(
        "text",
        { class: "rc-now", x: W - 2, y: 12, "text-anchor": "end" },
        lastRate === undefined ? "no data yet" : `now ${lastRate.toFixed(lastRate < 10 ? 1 : 0)} / min`,
      ),
      svg("text", { class: "rc-axis", x: 2, y: H - 4 }, `${Math.round(windowSeconds / 60)} min ago`),
      svg("text", { class: "rc-axis", x: W - 2, y: H - 4, "text-anchor": "end" }, "now"),
    )
  );
  for (const p of points) {
    const at = Date.parse(p.at);
    if (!Number.isFinite(at) || at <= start || at > now + step) continue;
    // A sample at `at` counts the interval ending then: its bar ends there.
    const x = Math.min(W - barW, Math.max(0, ((at - step - start) / span) * W));
    const bh = peak === 0 ? 0 : (p.count / peak) * plotH;
    const gap = barW > 3 ? 0.5 : 0;
    root.append(
      svg(
        "g",
        { class: "rc-bar" },
        svg("title", {}, `${time.format(at)} · ${p.count} ${title.toLowerCase()}`),
        svg("rect", { class: "rc-hit", x, y: top, width: barW, height: plotH }),
        svg("rect", { x: x + gap, y: top + plotH - bh, width: Math.max(1, barW - 2 * gap), height: bh }),
      ),
    );
  }
  return root;
}

/**
 * One member's probe roll-ups merged over the nodes that probed it, minute by minute (oldest first):
 * successes and failures added, the RTT average over every node's successful probes, min and max
 * over all of them. A number that is missing, negative or not finite counts as absent.
 * @param {import("./types.js").Rollup[]} rollups one member's, any order, any nodes
 * @returns {RttPoint[]}
 * @typedef {{ minute: number, ok: number, fail: number, avg?: number, min?: number, max?: number }} RttPoint
 */
export function perMinute(rollups) {
  /** @type {Map<number, { minute: number, ok: number, fail: number, sum: number, min: number, max: number }>} */
  const byMinute = new Map();
  for (const r of rollups) {
    const minute = toMs(r.minute);
    if (!Number.isFinite(minute)) continue;
    const m = byMinute.get(minute) ?? { minute, ok: 0, fail: 0, sum: 0, min: Infinity, max: -Infinity };
    m.ok += count(r.ok);
    m.fail += count(r.fail);
    m.sum += count(r.rttSumMs);
    m.min = Math.min(m.min, count(r.rttMinMs, Infinity));
    m.max = Math.max(m.max, count(r.rttMaxMs, -Infinity));
    byMinute.set(minute, m);
  }
  return [...byMinute.values()]
    .sort((a, b) => a.minute - b.minute)
    .map((m) =>
      m.ok === 0
        ? { minute: m.minute, ok: 0, fail: m.fail }
        : {
            minute: m.minute,
            ok: m.ok,
            fail: m.fail,
            avg: m.sum / m.ok,
            min: Number.isFinite(m.min) ? m.min : m.sum / m.ok,
            max: Number.isFinite(m.max) ? m.max : m.sum / m.ok,
          },
    );
}

/**
 * A member's RTT over time (SVG, oldest left, "now" at the right edge): the average per minute as a
 * line (broken where a minute had no successful probe), the min-max range as a band behind it, and
 * below it a strip with the share of successful probes per minute (green part ok, red part failed).
 * Every minute carries a <title> ("12:03 · 58 of 60 ok · avg 12 ms, 10 ms–20 ms").
 * @param {object} o
 * @param {string} o.member the member's id (for the labels)
 * @param {RttPoint[]} o.points from perMinute, oldest first
 * @param {number} o.now ms since the epoch
 * @param {number} o.width px
 * @param {number} [o.windowMs] the span the axis shows (default 24 hours)
 * @returns {SVGSVGElement}
 */
export function rttChart({ member, points, now, width, windowMs = 24 * 3600_000 }) {
  const W = Math.max(260, Math.round(width));
  const H = 130;
  const top = 18;
  const plotH = 62;
  const stripY = top + plotH + 6;
  const stripH = 14;
  const start = now - windowMs;
  const shown = points.filter((p) => p.minute + 60_000 > start && p.minute <= now);
  const peak = Math.max(1, ...shown.map((p) => p.max ?? 0));
  const x = (/** @type {number} */ t) => Math.min(W, Math.max(0, ((t - start) / windowMs) * W));
  const y = (/** @type {number} */ ms) => top + plotH - (ms / peak) * plotH;
  const barW = Math.max(1, (W * 60_000) / windowMs);
  const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const last = shown.findLast((p) => p.avg !== undefined);
  const hours = Math.round(windowMs / 3600_000);
  const root = /** @type {SVGSVGElement} */ (
    svg(
      "svg",
      {
        class: "rtt-chart",
        width: W,
        height: H,
        viewBox: `0 0 ${W} ${H}`,
        role: "img",
        "aria-label": `Round-trip time and probe success of ${member} over the last ${hours} h`,
      },
      svg("title", {}, `${member}: ${shown.length} minutes with probes, highest RTT ${fmtMs(peak)}`),
      svg("line", { class: "rc-base", x1: 0, x2: W, y1: top + plotH, y2: top + plotH }),
      svg("text", { class: "rc-peak", x: 2, y: 12 }, `${member} · max ${fmtMs(peak)}`),
      svg(
        "text",
        { class: "rc-now", x: W - 2, y: 12, "text-anchor": "end" },
        last?.avg === undefined ? "no successful probe" : `last avg ${fmtMs(last.avg)}`,
      ),
      svg("text", { class: "rc-axis", x: 2, y: H - 4 }, `${hours} h ago`),
      svg("text", { class: "rc-axis", x: W - 2, y: H - 4, "text-anchor": "end" }, "now"),
    )
  );
  /** @type {[number, number][][]} */
  const runs = [];
  /** @type {[number, number][]} */
  let run = [];
  for (const p of shown) {
    const x0 = x(p.minute);
    const total = p.ok + p.fail;
    const okH = total === 0 ? 0 : (p.ok / total) * stripH;
    const range =
      p.avg === undefined
        ? "no successful probe"
        : `avg ${fmtMs(p.avg)}, ${fmtMs(p.min ?? p.avg)}–${fmtMs(p.max ?? p.avg)}`;
    const g = svg(
      "g",
      { class: "rt-minute" },
      svg("title", {}, `${time.format(p.minute)} · ${p.ok} of ${total} ok · ${range}`),
      svg("rect", { class: "rt-fail", x: x0, y: stripY, width: barW, height: stripH - okH }),
      svg("rect", { class: "rt-ok", x: x0, y: stripY + stripH - okH, width: barW, height: okH }),
    );
    if (p.avg !== undefined && p.min !== undefined && p.max !== undefined) {
      const bandH = Math.max(1, y(p.min) - y(p.max));
      g.prepend(svg("rect", { class: "rt-band", x: x0, y: y(p.max), width: barW, height: bandH }));
      run.push([x0 + barW / 2, y(p.avg)]);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
    root.append(g);
  }
  if (run.length > 0) runs.push(run);
  for (const r of runs) {
    // A lone minute is a dot: a line needs a neighbour to join.
    const [first] = r;
    if (r.length === 1 && first !== undefined) {
      root.append(svg("circle", { class: "rt-dot", cx: first[0], cy: first[1], r: 2 }));
    } else {
      const pts = r.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ");
      root.append(svg("polyline", { class: "rt-avg", points: pts }));
    }
  }
  return root;
}

/** A roll-up's number, or `absent` when it is missing, negative or not finite (a hostile answer). */
function count(/** @type {unknown} */ n, absent = 0) {
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : absent;
}

/** 12.3 ms, 850 ms, 1.2 s. */
function fmtMs(/** @type {number} */ ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}
