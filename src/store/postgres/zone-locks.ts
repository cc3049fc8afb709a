// Taking zones for writing: every PostgreSQL transaction that changes a zone's content or serial first
// locks the zone rows it will touch, in one statement, in name order (`order by name for update`
// locks rows in the order it returns them). Two commits from any nodes therefore wait for each other
// on the first zone they share and never hold one lock while waiting for another in the opposite order:
// no deadlock, and one writer at a time per zone. Under the lock the serial read is the latest
// committed one, so serials increase whichever node writes.

import type { Sql } from "./db.js";

/** Locks the zones named (absent ones are skipped) and resolves with their current serials. */
export function lockZones(sql: Sql, names: Iterable<string>): Promise<Map<string, number>> {
  return lock(sql, "name = any($1)", names);
}

/**
 * Locks the zones of the hosts named (absent hosts are skipped), as lockZones, in one statement: the
 * hosts are read before the locks are taken, so a caller reads them again under the locks.
 */
export function lockZonesOfHosts(sql: Sql, fqdns: Iterable<string>): Promise<Map<string, number>> {
  return lock(sql, "name in (select zone from hosts where fqdn = any($1))", fqdns);
}

async function lock(sql: Sql, where: string, names: Iterable<string>): Promise<Map<string, number>> {
  const rows = await sql.all<{ name: string; serial: number }>(
    `select name, serial from zones where ${where} order by name for update`,
    [...new Set(names)],
  );
  return new Map(rows.map((r) => [r.name, r.serial]));
}
