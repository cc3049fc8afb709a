// Test helpers: a SQLite store in a fresh temporary directory, and a database's schema as SQLite
// keeps it.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import BetterSqlite3 from "better-sqlite3";

import type { StoreFixture } from "../../testing/contract.js";
import { openSqliteStore } from "../sqlite-store.js";

/** A new store in its own temporary directory; `cleanup` closes it and removes the directory. */
export async function openTempStore(): Promise<StoreFixture> {
  const dir = await mkdtemp(join(tmpdir(), "beacon-sqlite-"));
  const store = await openSqliteStore({ path: join(dir, "beacon.db") });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The schema (tables, indexes, triggers, by name) and the migrations recorded, read-only. */
export function schemaOf(path: string): { schema: unknown[]; recorded: string[] } {
  const raw = new BetterSqlite3(path, { readonly: true });
  try {
    const schema = raw
      .prepare("select type, name, sql from sqlite_schema where name not like 'sqlite_%' order by name")
      .all();
    const recorded = (
      raw.prepare("select name from kysely_migration order by name").all() as { name: string }[]
    ).map((r) => r.name);
    return { schema, recorded };
  } finally {
    raw.close();
  }
}
