// The floors of src/: a folder may import only folders on lower floors (and itself), so every import
// points down and no two folders import each other. docs/architecture.md explains each floor; this
// table is the rule, enforced by the `beacon/floors` lint rule below on every file of src/ except
// tests (*.test.ts), which may wire anything. A new top-level folder must be placed here first.

import { dirname, relative, resolve, sep } from "node:path";

/** Bottom to top; folders on one floor may not import each other. */
export const FLOORS = [
  ["core"],
  ["net", "store", "config"],
  ["observability", "dns"],
  ["providers"],
  ["services"],
  ["http"],
  ["agent"],
  ["cli", "lambda"],
];

const floorOf = new Map(FLOORS.flatMap((folders, i) => folders.map((f) => [f, i])));
const SRC = resolve(import.meta.dirname, "..", "src");

/** The top-level folder of src/ that `path` is in, or undefined outside src/. */
function folderOf(path) {
  const rel = relative(SRC, path);
  if (rel.startsWith("..") || rel === "") return undefined;
  return rel.split(sep)[0];
}

const floorsRule = {
  meta: {
    type: "problem",
    docs: { description: "imports in src/ point down the floors (eslint/floors.js)" },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = folderOf(file);
    if (from === undefined || file.endsWith(".test.ts")) return {};
    const check = (node, spec) => {
      if (typeof spec !== "string" || !spec.startsWith(".")) return;
      const to = folderOf(resolve(dirname(file), spec));
      if (to === undefined || to === from) return;
      const a = floorOf.get(from);
      const b = floorOf.get(to);
      if (a === undefined || b === undefined) {
        context.report({
          node,
          message: `src/${a === undefined ? from : to} has no floor in eslint/floors.js`,
        });
      } else if (b >= a) {
        context.report({
          node,
          message: `src/${from} (floor ${a}) may not import src/${to} (floor ${b}): imports point down (docs/architecture.md)`,
        });
      }
    };
    const fromSource = (node) => check(node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => check(node, node.source.type === "Literal" ? node.source.value : undefined),
    };
  },
};

export const floorsPlugin = { rules: { floors: floorsRule } };
