// 0013_pools: the health-checked pools (sqlite/pools.ts, columns in sql/pool-schema.ts): their specs
// and overrides, each node's state of each member, the transitions log, per-minute probe roll-ups,
// the agents' heartbeats and the publisher's lease. Everything of a pool goes with it (ON DELETE
// CASCADE: the connection runs with foreign_keys on). Keys lead with the pool, as every read asks for
// one pool's rows; the roll-ups' key (pool, minute, …) is the order listRollups reads; transitions are
// pruned by id order and roll-ups by minute (the index). PostgreSQL's migration of this name makes the
// same tables, and wakes the other nodes on changes of pools and overrides.

import { sql, type Kysely, type Migration } from "kysely";

export const pools: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("pools")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("spec_json", "text", (c) => c.notNull())
      .addColumn("created_at", "integer", (c) => c.notNull())
      .addColumn("updated_at", "integer", (c) => c.notNull())
      .execute();
    const pool = (t: string) =>
      db.schema
        .createTable(t)
        .addColumn("pool", "text", (c) => c.notNull().references("pools.name").onDelete("cascade"));

    await pool("pool_overrides")
      .addColumn("member", "text", (c) => c.notNull())
      .addColumn("override", "text", (c) => c.notNull())
      .addColumn("at", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("pool_overrides_pk", ["pool", "member"])
      .execute();

    await pool("pool_member_health")
      .addColumn("member", "text", (c) => c.notNull())
      .addColumn("node", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("streak", "integer", (c) => c.notNull())
      .addColumn("rtt_ms", "real")
      .addColumn("last_reason", "text")
      .addColumn("last_probe_at", "integer")
      .addColumn("since", "integer", (c) => c.notNull())
      .addColumn("observed_at", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("pool_member_health_pk", ["pool", "member", "node"])
      .execute();

    // AUTOINCREMENT: an id is never reused, even after the newest rows were pruned or their pool deleted.
    await db.schema
      .createTable("pool_transitions")
      .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      .addColumn("at", "integer", (c) => c.notNull())
      .addColumn("pool", "text", (c) => c.notNull().references("pools.name").onDelete("cascade"))
      .addColumn("member", "text", (c) => c.notNull())
      .addColumn("node", "text", (c) => c.notNull())
      .addColumn("from_state", "text", (c) => c.notNull())
      .addColumn("to_state", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("rtt_ms", "real")
      .execute();
    await db.schema
      .createIndex("pool_transitions_pool")
      .on("pool_transitions")
      .columns(["pool", "id"])
      .execute();

    await pool("pool_rollups")
      .addColumn("minute", "integer", (c) => c.notNull())
      .addColumn("member", "text", (c) => c.notNull())
      .addColumn("node", "text", (c) => c.notNull())
      .addColumn("ok", "integer", (c) => c.notNull())
      .addColumn("fail", "integer", (c) => c.notNull())
      .addColumn("rtt_min", "real")
      .addColumn("rtt_max", "real")
      .addColumn("rtt_sum", "real", (c) => c.notNull())
      .addPrimaryKeyConstraint("pool_rollups_pk", ["pool", "minute", "member", "node"])
      .execute();
    await db.schema.createIndex("pool_rollups_minute").on("pool_rollups").column("minute").execute();

    await db.schema
      .createTable("heartbeats")
      .addColumn("fqdn", "text", (c) => c.primaryKey())
      .addColumn("at", "integer", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("pool_publisher")
      .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn("lease_owner", "text", (c) => c.notNull())
      .addColumn("lease_until", "integer", (c) => c.notNull())
      .execute();
  },
};
