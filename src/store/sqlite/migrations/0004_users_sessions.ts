// Admin-console users (scrypt hashes) and their sessions (SHA-256 of the cookie value). A session
// dies with its user (ON DELETE CASCADE; connection.ts turns foreign keys on).

import { sql, type Kysely, type Migration } from "kysely";

export const usersSessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("users")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull().defaultTo(sql`'admin'`))
      .addColumn("created_at", "integer", (c) => c.notNull())
      .addColumn("password_changed_at", "integer", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("sessions")
      .addColumn("id_hash", "text", (c) => c.primaryKey())
      .addColumn("user", "text", (c) => c.notNull().references("users.name").onDelete("cascade"))
      .addColumn("csrf_token", "text", (c) => c.notNull())
      .addColumn("created_at", "integer", (c) => c.notNull())
      .addColumn("last_seen_at", "integer", (c) => c.notNull())
      .addColumn("expires_at", "integer", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("sessions_user").on("sessions").column("user").execute();
  },
};
