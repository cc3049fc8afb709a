// Each port module of the SQLite store passes its port's contract on its own, over one connection
// (db.ts) with only the modules the contract takes: what makes a later adapter (PostgreSQL) several
// small modules checked one by one. The composed store runs every contract in sqlite-store.test.ts.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe } from "vitest";

import { silentLog } from "../../core/log.js";
import { changesContract } from "../testing/changes-contract.js";
import { commitContract } from "../testing/commit-contract.js";
import { historyListContract } from "../testing/history-list-contract.js";
import { hostsContract } from "../testing/hosts-contract.js";
import { keysContract } from "../testing/keys-contract.js";
import { limitsContract } from "../testing/limits-contract.js";
import { mirrorContract } from "../testing/mirror-contract.js";
import { poolsContract } from "../testing/pools-contract.js";
import { notifyContract } from "../testing/notify-contract.js";
import { replayContract } from "../testing/replay-contract.js";
import { sampleCredentialsContract } from "../testing/sample-credentials-contract.js";
import { acmeContract } from "../testing/acme-contract.js";
import { tokensContract } from "../testing/tokens-contract.js";
import { totpContract } from "../testing/totp-contract.js";
import { trustContract } from "../testing/trust-contract.js";
import { usersContract } from "../testing/users-contract.js";
import { zonesContract } from "../testing/zones-contract.js";
import { sqliteChanges } from "./changes.js";
import { openDatabase } from "./connection.js";
import { Db } from "./db.js";
import { sqliteHistory } from "./history.js";
import { sqliteKeys } from "./keys.js";
import { sqliteLimits } from "./limits.js";
import { sqliteMirrors } from "./mirrors.js";
import { sqlitePools } from "./pools.js";
import { sqliteNotify } from "./notify.js";
import { sqliteReplay } from "./replay.js";
import { sqliteSampleCredentials } from "./sample-credentials.js";
import { sqliteTrust } from "./trust.js";
import { sqliteAcme } from "./acme.js";
import { sqliteSessions } from "./sessions.js";
import { sqliteTokens } from "./tokens.js";
import { sqliteTotp } from "./totp.js";
import { sqliteUsers } from "./users.js";
import { sqliteZones } from "./zones.js";

describe("SQLite port modules, each with only the modules its contract takes", () => {
  let dir: string;
  let db: Db;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-sqlite-ports-"));
    const path = join(dir, "beacon.db");
    const { raw, lock } = await openDatabase(path, silentLog);
    db = new Db(raw, path, undefined, lock);
  });
  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const zones = () => ({ ...sqliteZones(db), ...sqliteHistory(db) });
  tokensContract(() => sqliteTokens(db));
  keysContract(() => sqliteKeys(db));
  usersContract(() => ({ ...sqliteUsers(db), ...sqliteSessions(db) }));
  totpContract(() => ({ ...sqliteUsers(db), ...sqliteTotp(db) }));
  zonesContract(zones);
  hostsContract(zones);
  commitContract(zones);
  historyListContract(zones);
  mirrorContract(() => ({ ...sqliteZones(db), ...sqliteMirrors(db) }));
  changesContract(() => ({ ...sqliteZones(db), ...sqliteChanges(db) }));
  limitsContract(() => ({ ...sqliteZones(db), ...sqliteLimits(db) }));
  replayContract(() => sqliteReplay(db));
  poolsContract(() => sqlitePools(db));
  notifyContract(() => ({ ...sqliteZones(db), ...sqliteNotify(db) }));
  sampleCredentialsContract(() => sqliteSampleCredentials(db));
  trustContract(() => sqliteTrust(db));
  acmeContract(() => sqliteAcme(db));
});
