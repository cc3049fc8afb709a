// Zone mirroring: the mirror targets with their delivery state, and the outbox of changes waiting for
// each. Outbox rows are written in the same transaction as the change they carry (see sqlite-store).

import type { Kysely, Migration } from "kysely";

export const mirrors: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // Deleting a zone deletes its mirrors explicitly (sqlite-store deleteZone), so no cascade here.
    await db.schema
      .createTable("mirrors")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("zone", "text", (c) => c.notNull().references("zones.name"))
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("settings_json", "text", (c) => c.notNull())
      .addColumn("created_at", "integer", (c) => c.notNull())
      .addColumn("last_success_at", "integer")
      .addColumn("delivered", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("skipped", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error_code", "text")
      .addColumn("last_error_message", "text")
      .addColumn("last_error_at", "integer")
      .addColumn("next_try_at", "integer")
      .execute();
    await db.schema.createIndex("mirrors_zone").on("mirrors").columns(["zone", "id"]).execute();

    // seq is AUTOINCREMENT so a seq is never reused, even after the newest rows were acknowledged:
    // the worker acknowledges "every seq of a key up to the delivered one".
    await db.schema
      .createTable("outbox")
      .addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement())
      .addColumn("mirror", "text", (c) => c.notNull().references("mirrors.id").onDelete("cascade"))
      .addColumn("fqdn", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("ttl", "integer")
      /** string[]; null: delete the set */
      .addColumn("values_json", "text")
      .addColumn("created_at", "integer", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("outbox_mirror_seq").on("outbox").columns(["mirror", "seq"]).execute();
  },
};
