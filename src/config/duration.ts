// Durations in the agent's and the server's YAML: "500ms", "30s", "5m", "1h", "365d", or a bare
// number of seconds.

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when `input` is not a duration. Never throws. */
export function parseDurationMs(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input * 1_000 : undefined;
  if (typeof input !== "string") return undefined;
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(input.trim());
  if (m === null) return /^\d{1,9}$/.test(input.trim()) ? Number(input.trim()) * 1_000 : undefined;
  return Number(m[1]) * (UNITS[m[2] ?? "s"] ?? 1_000);
}

/** "5m", "30s", "1500ms": the largest unit that divides the value. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
