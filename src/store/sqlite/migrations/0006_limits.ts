// Authentication by index and update limits:
// - tokens are found by the SHA-256 of their secret (unique: a 192-bit random secret never repeats),
//   so checking a credential reads one row however many tokens exist;
// - rate-limit buckets that must outlive a restart (services/limits/buckets.ts);
// - host flags for the admin (update abuse); a flag dies with its host.

import type { Kysely, Migration } from "kysely";

export const limits: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex("tokens_secret_hash").on("tokens").column("secret_hash").unique().execute();
    await db.schema
      .createTable("limit_buckets")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("tat", "integer", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("host_flags")
      .addColumn("fqdn", "text", (c) => c.primaryKey().references("hosts.fqdn").onDelete("cascade"))
      .addColumn("flagged_at", "integer", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .execute();
  },
};
