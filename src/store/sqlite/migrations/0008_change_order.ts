// 0008_change_order: nothing to change in SQLite. PostgreSQL's migration of this name makes the change
// log's order the commit order (postgres/migrations/0008_change_order.ts); SQLite's already is, as its
// write transactions run one at a time (BEGIN IMMEDIATE) and the log's seq is taken inside them. This
// migration exists so both stores' migration name lists stay the same (one schema version for both).

import type { Migration } from "kysely";

export const changeOrder: Migration = {
  up: () => Promise.resolve(),
};
