// 0010_tsig_replay: the TSIG replay memory every node shares (postgres/replay.ts), as SQLite's
// migration of this name: each MAC a key's signed UPDATE used, kept until its time window is over, so
// a captured UPDATE replayed to another node is refused there too. Found by (key name, MAC); pruned by
// expiry (the index).

import type { PgMigration } from "../migrate.js";

export const tsigReplay: PgMigration = `
create table tsig_replay (
  key_name text not null,
  mac text not null,
  expires_at bigint not null,
  primary key (key_name, mac)
);
create index tsig_replay_expires on tsig_replay (expires_at);
`;
