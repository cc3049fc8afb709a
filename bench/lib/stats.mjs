// Figures of several runs: median, min and max, and how the results table prints them. A figure
// with no runs (a server skipped or failed) is null everywhere, and prints as "—".

/** { median, min, max, n } of the finite numbers in `xs`; null when there are none. */
export function summarize(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

/** A number with `digits` decimals and thousands separators ("12,345.6"); "—" for null/NaN. */
export function num(x, digits = 0) {
  if (typeof x !== "number" || !Number.isFinite(x)) return "—";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)" of a summary; just the median for one run; "—" for null. */
export function fig(s, digits = 0) {
  if (s === null || s === undefined) return "—";
  if (s.n === 1 || s.min === s.max) return num(s.median, digits);
  return `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

/** a / b of two summaries' medians, "1.23×"; "—" when either is missing or b is 0. */
export function ratio(a, b) {
  const x = a?.median;
  const y = b?.median;
  if (typeof x !== "number" || typeof y !== "number" || y === 0) return "—";
  return `${(x / y).toFixed(2)}×`;
}

/** The p-th percentile (0–100, nearest rank) of `xs`; null when empty. */
export function percentile(xs, p) {
  if (xs.length === 0) return null;
  const v = [...xs].sort((a, b) => a - b);
  const rank = Math.min(v.length, Math.max(1, Math.ceil((p / 100) * v.length)));
  return v[rank - 1];
}
