// The settings tables of docs/configuration.md and docs/agent/README.md, generated from the settings
// tables so the documented names, flags and defaults cannot drift from what the program accepts.
// `npm run docs:config` rewrites them; src/cli/config-reference.test.ts fails while they are stale.

import { AGENT_TABLE } from "../agent/config/settings.js";
import { SERVER_TABLE } from "../config/settings.js";
import type { Setting, SettingsTable } from "../config/table.js";

/** How to rewrite the generated parts; named in the docs and in the test's failure. */
export const REGENERATE = "npm run docs:config";

const BEGIN = `<!-- generated from the settings table by \`${REGENERATE}\`: edit src/config, not this table -->`;
const END = "<!-- end of generated settings table -->";

interface Column {
  readonly header: string;
  readonly cell: (s: Setting) => string;
}

export interface Reference {
  /** Relative to the repository root. */
  readonly path: string;
  readonly table: SettingsTable;
  readonly columns: readonly Column[];
}

const code = (s: string) => `\`${s}\``;
const setting: Column = { header: "setting", cell: (s) => code(s.key) };
const env: Column = { header: "environment variable", cell: (s) => code(s.env) };
const flag: Column = { header: "flag", cell: (s) => code(s.flag) };
const fallback: Column = {
  header: "default",
  cell: (s) =>
    s.defaultText === "" ? "(empty)" : s.defaultText.startsWith("(") ? s.defaultText : code(s.defaultText),
};
const meaning: Column = { header: "meaning", cell: (s) => s.help };

export const REFERENCES: readonly Reference[] = [
  // The server's settings have a section each below the table, so the table stays narrow.
  { path: "docs/configuration.md", table: SERVER_TABLE, columns: [setting, env, flag, fallback] },
  { path: "docs/agent/README.md", table: AGENT_TABLE, columns: [setting, env, flag, fallback, meaning] },
];

/** The markdown table of `ref` (unaligned: the formatter aligns it). */
export function referenceTable(ref: Reference): string {
  const row = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  return [
    row(ref.columns.map((c) => c.header)),
    row(ref.columns.map(() => "---")),
    ...ref.table.settings.map((s) => row(ref.columns.map((c) => c.cell(s)))),
  ].join("\n");
}

/** `doc` with the text between its markers replaced by `ref`'s table. Throws when a marker is missing. */
export function withReferenceTable(ref: Reference, doc: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin)
    throw new Error(`${ref.path}: the markers of the generated table are missing`);
  return `${doc.slice(0, begin + BEGIN.length)}\n\n${referenceTable(ref)}\n\n${doc.slice(end)}`;
}

/**
 * Every reference doc as it should be: read with `read` (path relative to the repository root),
 * regenerated, and passed through `format` (the project's formatter, injected: it is a dev tool).
 */
export async function regenerateReferences(
  read: (path: string) => string,
  format: (text: string, path: string) => Promise<string>,
): Promise<{ path: string; text: string }[]> {
  return Promise.all(
    REFERENCES.map(async (ref) => ({
      path: ref.path,
      text: await format(withReferenceTable(ref, read(ref.path)), ref.path),
    })),
  );
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
