// Fresh, migrated databases for tests on a throwaway cluster (cluster.ts): the migrations run once into
// a template database, and each fresh() is a copy of it (CREATE DATABASE … TEMPLATE: a file copy, much
// quicker than migrating again). Databases are not dropped: they go with the cluster.

import { migrate } from "../migrate.js";
import { PG_MIGRATIONS } from "../migrations/index.js";
import { openPool } from "../connection.js";
import type { PgCluster } from "./cluster.js";

export interface Databases {
  /** The URL of a new database holding the full, empty schema. */
  fresh(): Promise<string>;
}

/** Migrates `<prefix>_template` (its connections closed afterwards, as a template requires). */
export async function migratedDatabases(cluster: PgCluster, prefix: string): Promise<Databases> {
  const template = `${prefix}_template`;
  const pool = openPool(await cluster.createDatabase(template), { max: 1 });
  try {
    await migrate(pool, PG_MIGRATIONS);
  } finally {
    await pool.end();
  }
  let n = 0;
  return { fresh: () => cluster.createDatabase(`${prefix}_${++n}`, template) };
}
