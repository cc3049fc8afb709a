// The pages' files on disk: web/ beside dist/ (an npm install ships both) or beside src/ (tests).

import { readFile } from "node:fs/promises";
import type { AssetReader } from "../http/pages/assets.js";

const WEB_ROOT = new URL("../../web/", import.meta.url);

/** Reads web/<path>; undefined when absent. Paths come from assetPath (no traversal possible). */
export const webAssets: AssetReader = async (path) => {
  try {
    return await readFile(new URL(path, WEB_ROOT));
  } catch {
    return undefined;
  }
};
