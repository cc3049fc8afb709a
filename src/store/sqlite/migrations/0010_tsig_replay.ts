// 0010_tsig_replay: the TSIG replay memory (sqlite/replay.ts): each MAC a key's signed UPDATE used, kept
// until its time window is over, so a captured UPDATE replayed after a restart is still refused. Found
// by (key name, MAC); pruned by expiry (the index). PostgreSQL's migration of this name makes the same
// table, shared by every node.

import type { Kysely, Migration } from "kysely";

export const tsigReplay: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("tsig_replay")
      .addColumn("key_name", "text", (c) => c.notNull())
      .addColumn("mac", "text", (c) => c.notNull())
      .addColumn("expires_at", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("tsig_replay_pk", ["key_name", "mac"])
      .execute();
    await db.schema.createIndex("tsig_replay_expires").on("tsig_replay").column("expires_at").execute();
  },
};
