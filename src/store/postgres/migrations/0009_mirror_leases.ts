// 0009_mirror_leases, as SQLite's: which node delivers each mirror (MirrorStore.claimMirror), so of
// several nodes on one database exactly one delivers a mirror's outbox at a time.

import type { PgMigration } from "../migrate.js";

export const mirrorLeases: PgMigration = `
-- Both null when nobody holds the lease; lease_until in ms since the epoch, by the claiming node's clock.
alter table mirrors add column lease_owner text, add column lease_until bigint;
`;
