import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { Log } from "../core/log.js";
import { createStateFile, stateKey, type RecordMemory } from "./state-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "beacon-state-"));
  dirs.push(d);
  return d;
}

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (_o: object, m?: string) => lines.push(`${level}: ${m ?? ""}`);
  return { lines, debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") };
}

const entry: RecordMemory = {
  published: { values: ["192.0.2.1"], at: 1_700_000_000_000 },
  fatal: { code: "badauth", detail: "bad password", fingerprint: "abc", at: 5 },
  notBefore: 42,
};

describe("state file", () => {
  test("round trip through a new directory; no temp file left behind", () => {
    const dir = join(tmp(), "nested", "data");
    const path = join(dir, "agent-state.json");
    const key = stateKey("home.example.com", "A", "home");
    const log = recordingLog();
    expect(createStateFile(path, log).save(new Map([[key, entry]]))).toBe(true);
    expect(createStateFile(path, log).load()).toEqual(new Map([[key, entry]]));
    expect(readdirSync(dir)).toEqual(["agent-state.json"]);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ version: 1 });
    expect(log.lines).toEqual([]);
  });

  test("a missing file is an empty memory without a warning", () => {
    const log = recordingLog();
    expect(createStateFile(join(tmp(), "none.json"), log).load().size).toBe(0);
    expect(log.lines).toEqual([]);
  });

  test.each([
    ["not JSON", "{ this is not json"],
    ["wrong version", '{"version": 2, "records": {}}'],
    ["records not a mapping", '{"version": 1, "records": []}'],
    ["empty file", ""],
  ])("a corrupt file (%s) is an empty memory with a warning, and is rewritten on save", (_name, text) => {
    const path = join(tmp(), "state.json");
    writeFileSync(path, text);
    const log = recordingLog();
    const store = createStateFile(path, log);
    expect(store.load().size).toBe(0);
    expect(log.lines).toEqual([
      "warn: the agent state file is corrupt; starting with no memory (it will be rewritten)",
    ]);
    expect(store.save(new Map([["k", entry]]))).toBe(true);
    expect(store.load().get("k")).toEqual(entry);
  });

  test("a malformed entry is dropped, the others kept", () => {
    const path = join(tmp(), "state.json");
    writeFileSync(
      path,
      JSON.stringify({ version: 1, records: { good: entry, bad: { published: { values: "1.2.3.4" } } } }),
    );
    const log = recordingLog();
    const loaded = createStateFile(path, log).load();
    expect([...loaded.keys()]).toEqual(["good"]);
    expect(log.lines).toEqual(["warn: ignoring a malformed entry in the agent state file"]);
  });

  test("an unwritable location is logged and reported, never thrown", () => {
    const dir = tmp();
    const blocker = join(dir, "file");
    writeFileSync(blocker, "x");
    const log = recordingLog();
    expect(createStateFile(join(blocker, "state.json"), log).save(new Map([["k", entry]]))).toBe(false);
    expect(log.lines).toEqual(["error: cannot write the agent state file"]);
  });
});
