// Hosts get an identity that outlives their name, and history becomes bounded:
// - hosts.id (never given twice: the `counters` row host_id only grows) and hosts.implicit (created by
//   an RFC 2136 UPDATE; deleted with its last record set);
// - tokens.host_id: the host a token was made for (deleting it revokes the token). Existing tokens
//   made by `beacon host add` or the console (label "host <fqdn>", scoped to exactly that name) are
//   bound to the host of that name now; every other token stays scoped by names only;
// - history.host_id and history.seq (the entry's position in its host's history, for retention by an
//   indexed range), history.count and history.last_at (repeats folded into one row). An existing
//   entry belongs to the host of its name when it was written at or after that host's creation;
//   older ones (from an earlier host of that name) belong to none.
// Only columns are added (never a table rebuilt): rrsets keeps its foreign key to hosts.fqdn.

import { sql, type Kysely, type Migration } from "kysely";

export const hostIdentityHistory: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("hosts").addColumn("id", "integer").execute();
    await db.schema
      .alterTable("hosts")
      .addColumn("implicit", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update hosts set id = rowid`.execute(db);
    await db.schema.createIndex("hosts_id").unique().on("hosts").column("id").execute();
    await db.schema
      .createTable("counters")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("value", "integer", (c) => c.notNull())
      .execute();
    await sql`insert into counters (name, value) select 'host_id', coalesce(max(id), 0) from hosts`.execute(
      db,
    );

    await db.schema.alterTable("tokens").addColumn("host_id", "integer").execute();
    await sql`update tokens set host_id = (select h.id from hosts h
      where tokens.label = 'host ' || h.fqdn
        and tokens.names_json = '[{"name":"' || h.fqdn || '","subtree":false}]')`.execute(db);
    await db.schema.createIndex("tokens_host").on("tokens").column("host_id").execute();

    await db.schema.alterTable("history").addColumn("host_id", "integer").execute();
    await db.schema.alterTable("history").addColumn("seq", "integer").execute();
    await db.schema
      .alterTable("history")
      .addColumn("count", "integer", (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .alterTable("history")
      .addColumn("last_at", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update history set last_at = at, host_id = (select h.id from hosts h
      where h.fqdn = history.fqdn and h.created_at <= history.at)`.execute(db);
    await sql`update history set seq = r.n from (select id, row_number() over
      (partition by host_id order by id) as n from history where host_id is not null) as r
      where r.id = history.id`.execute(db);
    await db.schema.createIndex("history_host_seq").on("history").columns(["host_id", "seq"]).execute();
  },
};
