// Every migration, in order, by name. Append-only: names sort in the order they must run, and a
// shipped migration is never edited or removed (migrate.ts refuses a database that ran one we lack).

import type { Migration } from "kysely";

import { initial } from "./0001_initial.js";
import { mirrors } from "./0002_mirrors.js";
import { tsigKeys } from "./0003_tsig_keys.js";
import { usersSessions } from "./0004_users_sessions.js";
import { hostIdentityHistory } from "./0005_host_identity_history.js";
import { limits } from "./0006_limits.js";
import { changeLog } from "./0007_change_log.js";
import { changeOrder } from "./0008_change_order.js";
import { mirrorLeases } from "./0009_mirror_leases.js";
import { tsigReplay } from "./0010_tsig_replay.js";
import { changeValues } from "./0011_change_values.js";
import { settingsWakeups } from "./0012_settings_wakeups.js";
import { pools } from "./0013_pools.js";
import { webhooks } from "./0014_webhooks.js";
import { sampleCredentials } from "./0015_sample_credentials.js";
import { acme } from "./0016_acme.js";
import { oidcTrust } from "./0018_oidc_trust.js";
import { totp } from "./0019_totp.js";
import { requestSignatures } from "./0017_request_signatures.js";

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_initial": initial,
  "0002_mirrors": mirrors,
  "0003_tsig_keys": tsigKeys,
  "0004_users_sessions": usersSessions,
  "0005_host_identity_history": hostIdentityHistory,
  "0006_limits": limits,
  "0007_change_log": changeLog,
  "0008_change_order": changeOrder,
  "0009_mirror_leases": mirrorLeases,
  "0010_tsig_replay": tsigReplay,
  "0011_change_values": changeValues,
  "0012_settings_wakeups": settingsWakeups,
  "0013_pools": pools,
  "0014_webhooks": webhooks,
  "0015_sample_credentials": sampleCredentials,
  "0016_acme": acme,
  "0017_request_signatures": requestSignatures,
  "0018_oidc_trust": oidcTrust,
  "0019_totp": totp,
};
