// TSIG keys for RFC 2136 UPDATE, with their policy (names, types, source CIDRs) as JSON columns.

import type { Kysely, Migration } from "kysely";

export const tsigKeys: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("tsig_keys")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("algorithm", "text", (c) => c.notNull())
      .addColumn("secret", "text", (c) => c.notNull())
      .addColumn("names_json", "text", (c) => c.notNull())
      .addColumn("types_json", "text", (c) => c.notNull())
      .addColumn("allowed_cidrs_json", "text", (c) => c.notNull())
      .addColumn("created_at", "integer", (c) => c.notNull())
      .execute();
  },
};
