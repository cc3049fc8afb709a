// Log lines for a person at a terminal: pino's JSON line in, one compact line out
// ("14:02:07 INFO  beacon ready http=127.0.0.1:8245 …"), an error's stack on the lines below. Our
// own small destination rather than pino-pretty: one function, no dependency, no worker thread.

/** Where formatted lines go (pino.destination(2) or any stream). */
export interface LineSink {
  write(text: string): unknown;
}

const LEVELS: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO ",
  40: "WARN ",
  50: "ERROR",
  60: "FATAL",
};

/** Keys every line has or that say nothing to a person. */
const HIDDEN = new Set(["level", "time", "msg", "app", "pid", "hostname"]);

/** A pino destination that writes `formatLine` of each JSON line to `sink`. */
export function prettyDestination(sink: LineSink): { write(line: string): void } {
  return { write: (line) => void sink.write(formatLine(line)) };
}

/** One JSON log line → "HH:MM:SS LEVEL message key=value …\n". A line that is not JSON passes through. */
export function formatLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== "object" || v === null || Array.isArray(v)) return line;
    entry = v as Record<string, unknown>;
  } catch {
    return line;
  }
  const time =
    typeof entry["time"] === "number" ? new Date(entry["time"]).toTimeString().slice(0, 8) : "--:--:--";
  const level = (typeof entry["level"] === "number" ? LEVELS[entry["level"]] : undefined) ?? "     ";
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${k === "err" ? errorText(v) : valueText(v)}`);
  const head = [time, level, text(entry["msg"]), ...fields].filter((p) => p !== "").join(" ");
  return `${head}\n${stackOf(entry)}`;
}

function text(v: unknown): string {
  return typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v);
}

/** Bare when it reads unambiguously, JSON otherwise (quotes show where a string with spaces ends). */
function valueText(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]*$/.test(v) && v !== "" ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

function errorText(v: unknown): string {
  const message = typeof v === "object" && v !== null ? (v as { message?: unknown }).message : v;
  return valueText(typeof message === "string" ? message : v);
}

function stackOf(entry: Record<string, unknown>): string {
  const err = entry["err"];
  const stack = typeof err === "object" && err !== null ? (err as { stack?: unknown }).stack : undefined;
  if (typeof stack !== "string") return "";
  return `${stack
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\n`;
}
