import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { createConfigFile } from "./config-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "beacon-config-file-"));
  dirs.push(dir);
  return dir;
}

describe("createConfigFile", () => {
  test("write replaces the text, keeps the mode, leaves no temp file; writeProblem finds none", async () => {
    const dir = temp();
    const path = join(dir, "agent.yaml");
    writeFileSync(path, "a: 1\n", { mode: 0o640 });
    const file = createConfigFile(path);
    expect(await file.writeProblem()).toBeUndefined();
    await file.write("b: 2\n");
    expect(await file.read()).toBe("b: 2\n");
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["agent.yaml"]);
  });

  test("writeProblem names the directory that cannot take the temporary file", async () => {
    const dir = temp();
    const path = join(dir, "gone", "agent.yaml");
    expect(await createConfigFile(path).writeProblem()).toBe(
      `the agent may not write the directory ${join(dir, "gone")} (ENOENT)`,
    );
  });
});
