// The rule every store's migration runner applies before it changes anything (sqlite/migrate.ts,
// postgres/migrate.ts): the migrations a database recorded as applied must be exactly the first ones
// this program knows, in name order. A database that ran a migration we do not know was written by a
// newer Beacon; one that skipped a migration was not written by Beacon at all. Both are refused with
// MigrationRefused (its message says what to do), never migrated.

export class MigrationRefused extends Error {
  override readonly name = "MigrationRefused";
}

/** Throws MigrationRefused unless `done` (recorded, in name order) is a prefix of `names` (sorted). */
export function refuseUnknown(done: readonly string[], names: readonly string[]): void {
  const unknown = done.filter((n) => !names.includes(n));
  if (unknown.length > 0)
    throw new MigrationRefused(
      `the database was written by a newer Beacon (it has migration ${unknown.join(", ")}, which this version does not know); upgrade Beacon or restore a backup`,
    );
  const gap = done.findIndex((n, i) => names[i] !== n);
  if (gap >= 0)
    throw new MigrationRefused(
      `the database skipped migration ${names[gap]}; it was not written by this Beacon`,
    );
}
