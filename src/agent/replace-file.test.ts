// replaceFile: the new content whole, the mode asked for whatever the umask, and no temp file left
// when it fails. Hostile cases: the path is a directory (rename fails), the directory is missing.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { replaceFile } from "./replace-file.js";

describe("replaceFile", () => {
  it("replaces the content and sets the mode, whatever the umask", () => {
    const dir = mkdtempSync(join(tmpdir(), "beacon-replace-"));
    const path = join(dir, "agent.yaml");
    writeFileSync(path, "old\n", { mode: 0o600 });
    const umask = process.umask(0o077);
    try {
      replaceFile(path, "new\n", 0o640);
    } finally {
      process.umask(umask);
    }
    expect(readFileSync(path, "utf8")).toBe("new\n");
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["agent.yaml"]);
  });

  it("throws and leaves no temp file when the rename fails", () => {
    const dir = mkdtempSync(join(tmpdir(), "beacon-replace-"));
    mkdirSync(join(dir, "taken"));
    expect(() => replaceFile(join(dir, "taken"), "x", 0o600)).toThrow();
    expect(readdirSync(dir)).toEqual(["taken"]);
  });

  it("throws when the directory is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "beacon-replace-"));
    expect(() => replaceFile(join(dir, "nowhere", "state.json"), "x", 0o600)).toThrow(
      expect.objectContaining({ code: "ENOENT" }) as Error,
    );
  });
});
