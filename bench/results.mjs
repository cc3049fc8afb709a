// Writes one named section of bench/RESULTS.md, replacing that section's previous figures and
// leaving the rest of the file (other benchmarks, hand-written notes) as it is.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS = join(dirname(fileURLToPath(import.meta.url)), "RESULTS.md");

/** `name` is the section's marker id ("dns", "agent"); `lines` its Markdown body. Returns the path. */
export function writeSection(name, lines) {
  const begin = `<!-- bench:${name} begin -->`;
  const end = `<!-- bench:${name} end -->`;
  const section = [begin, ...lines, end].join("\n");
  let text;
  try {
    text = readFileSync(RESULTS, "utf8");
  } catch {
    text =
      "# Benchmark results\n\nFigures measured on the project's 2-core machine. Each section names the command that produced it.\n";
  }
  text = text.includes(begin)
    ? text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), section)
    : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS, text);
  return RESULTS;
}
