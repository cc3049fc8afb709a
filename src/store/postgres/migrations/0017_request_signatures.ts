// 0017_request_signatures, as SQLite's (sqlite/migrations/0017_request_signatures.ts): a token's
// request-signing key and whether it must sign. Nonces are remembered in tsig_replay (0010).

import type { PgMigration } from "../migrate.js";

export const requestSignatures: PgMigration = `
alter table tokens add column sign_alg text;      -- "ed25519" | "hmac-sha256" | null
alter table tokens add column sign_key text;      -- SPKI PEM (ed25519) or base64 secret (hmac-sha256)
alter table tokens add column require_signature integer not null default 0;
`;
