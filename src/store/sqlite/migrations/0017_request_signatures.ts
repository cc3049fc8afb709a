// 0017_request_signatures: a token's request-signing key and whether it must sign
// (docs/protocols/signed-requests.md). sign_alg is "ed25519" (sign_key: the public key as SPKI PEM)
// or "hmac-sha256" (sign_key: the secret as base64, kept as given: HMAC needs it); both null: no key.
// require_signature is 0 or 1. The nonces of signed requests need no table of their own: they are
// remembered in tsig_replay (0010) under the key name "sig:<token id>", which no TSIG key name can
// be (its presentation form escapes ":").

import { sql, type Kysely, type Migration } from "kysely";

export const requestSignatures: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table tokens add column sign_alg text`.execute(db);
    await sql`alter table tokens add column sign_key text`.execute(db);
    await sql`alter table tokens add column require_signature integer not null default 0`.execute(db);
  },
};
