// @ts-check
// A small rate chart (SVG bars on a fixed time axis, oldest left, "now" at the right edge): counts per
// interval, the peak and the latest rate labelled, every bar carrying a <title> ("12:03:10 · 4
// updates"). A fresh server with one sample shows one thin bar at the right, not one wide block.

import { svg } from "../shared/dom.js";

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
