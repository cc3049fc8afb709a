// Turning schema failures into ConfigIssues, and the order issues are reported in; shared by every
// configuration pipeline so the server and the agent word and order their errors alike.

import type { core } from "zod";
import { formatPath, type ConfigIssue, type ConfigSource } from "./errors.js";
import { closest } from "./suggest.js";

/** Where the value at `path` came from; `at: "key"` points at the key rather than the value. */
export type Locate = (path: readonly PropertyKey[], at?: "key" | "value") => ConfigSource;

/**
 * One ConfigIssue per zod issue, except one per key for unknown keys, with a "did you mean" drawn
 * from `keysAt(section path)`. Only the file can carry unknown keys: env and flags are looked up by
 * setting first.
 */
export function schemaIssues(
  iss: core.$ZodIssue,
  keysAt: (path: readonly PropertyKey[]) => readonly string[],
  locate: Locate,
): ConfigIssue[] {
  if (iss.code === "unrecognized_keys") {
    return iss.keys.map((key) => {
      const path = [...iss.path, key];
      const near = closest(key, keysAt(iss.path));
      return {
        setting: formatPath(path),
        source: locate(path, "key"),
        message: near === undefined ? "unknown setting" : `unknown setting (did you mean "${near}"?)`,
      };
    });
  }
  return [{ setting: formatPath(iss.path), source: locate(iss.path), message: iss.message }];
}

/** File issues first in file order (the layer read first), then environment, then flags. Stable. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const rank = (i: ConfigIssue) => ({ file: 0, default: 0, env: 1, flag: 2 })[i.source.kind];
  const pos = (i: ConfigIssue) =>
    i.source.kind === "file" ? (i.source.line ?? 0) * 1e6 + (i.source.column ?? 0) : 0;
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || pos(a.issue) - pos(b.issue) || a.n - b.n)
    .map((x) => x.issue);
}
