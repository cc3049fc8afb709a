// The first schema. Migrations are append-only: never edit one that has shipped; add the next file
// and list it in migrations/index.ts.

import type { Kysely, Migration } from "kysely";

export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("zones")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("serial", "integer", (c) => c.notNull())
      .addColumn("ttl", "integer", (c) => c.notNull())
      .addColumn("mname", "text", (c) => c.notNull())
      .addColumn("rname", "text", (c) => c.notNull())
      .addColumn("refresh", "integer", (c) => c.notNull())
      .addColumn("retry", "integer", (c) => c.notNull())
      .addColumn("expire", "integer", (c) => c.notNull())
      .addColumn("minimum", "integer", (c) => c.notNull())
      .addColumn("nameservers_json", "text", (c) => c.notNull())
      .addColumn("created_at", "integer", (c) => c.notNull())
      .execute();

    // No ON DELETE CASCADE from zones: removing a zone with hosts must be an explicit choice.
    await db.schema
      .createTable("hosts")
      .addColumn("fqdn", "text", (c) => c.primaryKey())
      .addColumn("zone", "text", (c) => c.notNull().references("zones.name"))
      .addColumn("ttl", "integer")
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("created_at", "integer", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("hosts_zone").on("hosts").columns(["zone", "fqdn"]).execute();

    await db.schema
      .createTable("rrsets")
      .addColumn("fqdn", "text", (c) => c.notNull().references("hosts.fqdn").onDelete("cascade"))
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("ttl", "integer", (c) => c.notNull())
      .addColumn("values_json", "text", (c) => c.notNull())
      .addColumn("updated_at", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("rrsets_pk", ["fqdn", "type"])
      .execute();

    await db.schema
      .createTable("tokens")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("secret_hash", "text", (c) => c.notNull())
      .addColumn("label", "text", (c) => c.notNull())
      .addColumn("names_json", "text", (c) => c.notNull())
      .addColumn("types_json", "text", (c) => c.notNull())
      .addColumn("allowed_cidrs_json", "text", (c) => c.notNull())
      .addColumn("created_at", "integer", (c) => c.notNull())
      .addColumn("expires_at", "integer")
      .addColumn("last_used_at", "integer")
      .addColumn("revoked_at", "integer")
      .execute();

    // History outlives its host (deleteHost keeps it), so no foreign key to hosts.
    await db.schema
      .createTable("history")
      .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      .addColumn("fqdn", "text", (c) => c.notNull())
      .addColumn("zone", "text")
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("old_values_json", "text")
      .addColumn("new_values_json", "text")
      .addColumn("at", "integer", (c) => c.notNull())
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("protocol", "text", (c) => c.notNull())
      .addColumn("token_id", "text")
      .addColumn("source_ip", "text")
      .addColumn("user_agent", "text")
      .execute();
    await db.schema.createIndex("history_fqdn_id").on("history").columns(["fqdn", "id"]).execute();
    await db.schema.createIndex("history_zone").on("history").column("zone").execute();
  },
};
