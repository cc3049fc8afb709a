// Rewrites the generated settings tables of the docs from the built settings tables
// (src/cli/config-reference.ts). Run as `npm run docs:config`, which builds first.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { regenerateReferences } from "../dist/cli/config-reference.js";

const ROOT = new URL("../", import.meta.url);
const file = (path) => fileURLToPath(new URL(path, ROOT));
const docs = await regenerateReferences(
  (path) => readFileSync(file(path), "utf8"),
  async (text, path) => format(text, { ...(await resolveConfig(file(path))), filepath: file(path) }),
);
for (const { path, text } of docs) {
  if (readFileSync(file(path), "utf8") === text) continue;
  writeFileSync(file(path), text);
  console.log(`updated ${path}`);
}
