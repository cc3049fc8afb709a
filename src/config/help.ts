// `beacon serve --help-config`: every setting with its environment variable and default.

import { CONFIG_FILE_ENV, SETTINGS } from "./settings.js";

export function formatConfigHelp(): string {
  const rows = SETTINGS.map((s) => [s.key, s.env, s.defaultText === "" ? "(empty)" : s.defaultText]);
  const header = ["setting", "environment", "default"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [
    line(header),
    ...rows.map(line),
    "",
    `The YAML file is named by --config or ${CONFIG_FILE_ENV}; environment overrides the file, flags override both.`,
    "Lists are comma-separated in the environment; booleans accept true/false/1/0/yes/no.",
  ].join("\n");
}
