// Test helpers for backup and restore: a migrated database holding `rows` rows of 4 KiB filler (a
// server's data, as far as a copy cares), and how many rows a copy holds.

import BetterSqlite3 from "better-sqlite3";
import type { Migration } from "kysely";

import { silentLog } from "../../../core/log.js";
import { openDatabase } from "../connection.js";

export async function makeDatabase(
  path: string,
  rows: number,
  migrations?: Readonly<Record<string, Migration>>,
): Promise<void> {
  const { raw } = await openDatabase(path, silentLog, migrations === undefined ? {} : { migrations });
  raw.exec("create table filler (id integer primary key, data blob not null)");
  const insert = raw.prepare("insert into filler (data) values (randomblob(4096))");
  raw.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run();
  })();
  raw.close();
}

export function fillerCount(path: string): number {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.prepare("select count(*) from filler").pluck().get() as number;
  } finally {
    db.close();
  }
}
