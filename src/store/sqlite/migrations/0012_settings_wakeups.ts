// 0012_settings_wakeups: nothing to change in SQLite. PostgreSQL's migration of this name makes changes
// to TSIG keys, mirrors and host flags wake the other nodes (postgres/migrations/0012_settings_wakeups.ts);
// a server on SQLite notices every other process's commit by the database's data version. This
// migration exists so both stores' migration name lists stay the same (one schema version for both).

import type { Migration } from "kysely";

export const settingsWakeups: Migration = {
  up: () => Promise.resolve(),
};
