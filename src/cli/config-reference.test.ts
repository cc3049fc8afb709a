import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, test } from "vitest";
import {
  REFERENCES,
  REGENERATE,
  referenceTable,
  regenerateReferences,
  withReferenceTable,
} from "./config-reference.js";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), "utf8");
const prettier = async (text: string, path: string) => {
  const file = fileURLToPath(new URL(path, ROOT));
  return format(text, { ...(await resolveConfig(file)), filepath: file });
};

const regenerated = await regenerateReferences(read, prettier);

describe("generated settings references", () => {
  test.each(regenerated)("$path matches the settings table", ({ path, text }) => {
    expect(read(path), `${path} is stale: run \`${REGENERATE}\` and commit the result`).toBe(text);
  });

  test("one row per setting, with its flag, and | escaped inside cells", () => {
    const agent = REFERENCES.find((r) => r.path === "docs/agent/README.md");
    if (agent === undefined) throw new Error("no agent reference");
    const rows = referenceTable(agent).split("\n");
    expect(rows).toHaveLength(agent.table.settings.length + 2);
    expect(rows.find((r) => r.startsWith("| `log.level` "))).toBe(
      "| `log.level` | `BEACON_AGENT_LOG_LEVEL` | `--log-level` | `info` | Log level: fatal\\|error\\|warn\\|info\\|debug\\|trace\\|silent. |",
    );
  });

  test("a doc without the markers is an error, not a silent no-op", () => {
    const ref = REFERENCES[0];
    if (ref === undefined) throw new Error("no reference");
    expect(() => withReferenceTable(ref, "# no table here\n")).toThrow(/markers .* missing/);
  });
});
