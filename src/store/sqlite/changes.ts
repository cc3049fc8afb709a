// Reading and pruning the change log (migrations/0007_change_log.ts). Each function runs inside the
// caller's transaction, so a delta's rows and the state it reads are one consistent view.

import { sql, type Kysely, type Transaction } from "kysely";

import { assembleDelta, touchedBy, zonesToRead } from "../change-log.js";
import type { ChangeDelta } from "../types.js";
import { hostFromRow, rrsetFromRow, zoneFromRow } from "./rows.js";
import type { Database } from "./schema.js";

/** Keys per IN (…) list, well under SQLite's bound-parameter limit. */
const CHUNK = 500;

/** The newest position ever given (kept by AUTOINCREMENT even when the rows are pruned), and the oldest kept. */
async function bounds(db: Kysely<Database>): Promise<{ last: number; first: number }> {
  const { rows } = await sql<{ last: number | null; first: number | null }>`
    select (select seq from sqlite_sequence where name = 'changes') as last,
           (select min(seq) from changes) as first`.execute(db);
  const last = rows[0]?.last ?? 0;
  return { last, first: rows[0]?.first ?? last + 1 };
}

export async function changeSeq(db: Kysely<Database>): Promise<number> {
  return (await bounds(db)).last;
}

export async function changesSince(
  trx: Transaction<Database>,
  after: number,
  limit: number,
): Promise<ChangeDelta | undefined> {
  const { last, first } = await bounds(trx);
  if (after > last || after < first - 1 || last - after > limit) return undefined;
  const rows = await trx
    .selectFrom("changes")
    .select(["zone", "fqdn", "op"])
    .where("seq", ">", after)
    .orderBy("seq")
    .execute();
  const touched = touchedBy(rows);
  const hosts = (
    await inChunks([...touched.hosts.keys()], (part) =>
      trx.selectFrom("hosts").selectAll().where("fqdn", "in", part).execute(),
    )
  ).map(hostFromRow);
  const rrsets = await inChunks(
    hosts.map((h) => h.fqdn),
    (part) => trx.selectFrom("rrsets").selectAll().where("fqdn", "in", part).execute(),
  );
  const zoneNames = zonesToRead(touched, hosts);
  const zones = await inChunks([...zoneNames], (part) =>
    trx.selectFrom("zones").selectAll().where("name", "in", part).execute(),
  );
  return assembleDelta({
    seq: last,
    touched,
    hosts,
    rrsets: rrsets.map((r) => ({ fqdn: r.fqdn, ...rrsetFromRow(r) })),
    zoneNames,
    zones: zones.map(zoneFromRow),
  });
}

export async function pruneChanges(trx: Transaction<Database>, keep: number, limit: number): Promise<number> {
  const { last, first } = await bounds(trx);
  const upTo = Math.min(last - Math.max(1, keep), first - 1 + Math.max(0, limit));
  if (upTo < first) return 0;
  const r = await trx.deleteFrom("changes").where("seq", "<=", upTo).executeTakeFirst();
  return Number(r.numDeletedRows);
}

async function inChunks<K, R>(keys: readonly K[], read: (part: K[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) out.push(...(await read(keys.slice(i, i + CHUNK))));
  return out;
}
