// `beacon backup` and `beacon restore` through the real command tree on a SQLite data directory: the
// summary for people and for scripts, progress on stderr for a database the copy takes several steps
// over, and the refusals: no database here, a PostgreSQL or DynamoDB store (their own tools).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createProgram } from "../program.js";

describe("beacon backup / restore", () => {
  let dir: string;
  let out: string;
  let err: string;

  /** Runs the command; resolves with its exit status (0: success). */
  async function beacon(...argv: string[]): Promise<number> {
    out = "";
    err = "";
    process.exitCode = undefined;
    const o = vi.spyOn(process.stdout, "write").mockImplementation((t) => ((out += String(t)), true));
    const e = vi.spyOn(process.stderr, "write").mockImplementation((t) => ((err += String(t)), true));
    try {
      await createProgram().parseAsync([...argv, "--data-dir", join(dir, "data")], { from: "user" });
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return code;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-backup-cli-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("backs up with progress and a summary, and restores, saying where the old database went", async () => {
    expect(await beacon("migrate")).toBe(0);
    const raw = new BetterSqlite3(join(dir, "data", "beacon.db"));
    raw.exec(
      "create table filler (data blob); with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000) insert into filler select randomblob(4096) from n",
    );
    raw.close();

    expect(await beacon("backup", join(dir, "a.db"))).toBe(0);
    expect(out).toMatch(/^backed up .*beacon\.db to .*a\.db: \d+ bytes, schema 00\d\d_\w+\n$/);
    expect(err).toMatch(/^(beacon: backup [1-9]0% \(\d+ of \d+ pages\)\n){2,}$/);

    expect(await beacon("backup", join(dir, "b.db"), "--json")).toBe(0);
    expect(Object.keys(JSON.parse(out) as object).sort()).toEqual([
      "bytes",
      "durationMs",
      "migration",
      "pages",
      "path",
    ]);

    expect(await beacon("restore", join(dir, "a.db"))).toBe(0);
    expect(out).toMatch(
      /^restored .*a\.db to .*beacon\.db \(schema \w+\)\n {2}the database that was there is now .*beacon\.db\.before-restore-\d{8}T\d{6}Z\n$/,
    );
  });

  it("says where it looked when there is no database", async () => {
    expect(await beacon("backup", join(dir, "a.db"))).toBe(3);
    expect(err).toContain("no Beacon database at");
    expect(err).toContain("--data-dir");
    expect(err).toContain("[store_not_found]");
  });

  it.each([
    ["PostgreSQL", ["--store-postgres-url", "postgres://beacon@127.0.0.1:1/beacon"], "pg_dump -Fc"],
    [
      "DynamoDB",
      ["--store-dynamodb-table", "beacon", "--store-dynamodb-region", "eu-west-1"],
      "point-in-time recovery",
    ],
  ])("refuses a %s store, naming its own tools", async (_store, flags, tool) => {
    for (const command of ["backup", "restore"]) {
      expect(await beacon(command, join(dir, "a.db"), ...flags)).toBe(1);
      expect(err).toContain(tool);
      expect(err).toContain("[not_supported]");
    }
  });
});
