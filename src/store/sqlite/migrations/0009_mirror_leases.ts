// 0009_mirror_leases: which node delivers each mirror (MirrorStore.claimMirror). A lease is an owner
// (a node's id) and the time it ends; both null when nobody holds it. Several processes on one SQLite
// file (serve and a CLI) never deliver concurrently either.

import type { Kysely, Migration } from "kysely";

export const mirrorLeases: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("mirrors").addColumn("lease_owner", "text").execute();
    await db.schema.alterTable("mirrors").addColumn("lease_until", "integer").execute();
  },
};
