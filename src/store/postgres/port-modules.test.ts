// Each port module of the PostgreSQL store passes its port's contract on its own, against a real
// server (a throwaway cluster, testing/cluster.ts), over one Db with only the modules the contract
// takes — as sqlite/port-modules.test.ts does for SQLite. Every test gets a fresh copy of a migrated
// template database.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

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
import { trustContract } from "../testing/trust-contract.js";
import { tokenFixture } from "../testing/fixtures.js";
import { totpContract } from "../testing/totp-contract.js";
import { usersContract } from "../testing/users-contract.js";
import { zonesContract } from "../testing/zones-contract.js";
import { pgChanges } from "./changes.js";
import { pgHistory } from "./history.js";
import { pgLimits } from "./limits.js";
import { pgMirrors } from "./mirrors.js";
import { pgPools } from "./pools.js";
import { pgNotify } from "./notify.js";
import { pgReplay } from "./replay.js";
import { pgSampleCredentials } from "./sample-credentials.js";
import { pgTrust } from "./trust.js";
import { pgAcme } from "./acme.js";
import { pgZones } from "./zones.js";
import { describeUrl, openPool } from "./connection.js";
import { Db } from "./db.js";
import { pgKeys } from "./keys.js";
import { pgSessions } from "./sessions.js";
import { startCluster } from "./testing/cluster.js";
import { migratedDatabases, type Databases } from "./testing/databases.js";
import { pgTokens } from "./tokens.js";
import { pgTotp } from "./totp.js";
import { pgUsers } from "./users.js";

const cluster = await startCluster();

describe.skipIf(cluster === undefined)(
  "PostgreSQL port modules, each with only the modules its contract takes",
  () => {
    let databases: Databases;
    let db: Db;
    beforeAll(async () => {
      databases = await migratedDatabases(cluster!, "ports");
    });
    beforeEach(async () => {
      const url = await databases.fresh();
      db = new Db(openPool(url), describeUrl(url));
    });
    afterEach(async () => {
      await db.close();
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    tokensContract(() => pgTokens(db));
    keysContract(() => pgKeys(db));
    usersContract(() => ({ ...pgUsers(db), ...pgSessions(db) }));
    totpContract(() => ({ ...pgUsers(db), ...pgTotp(db) }));
    const zones = () => ({ ...pgZones(db), ...pgHistory(db) });
    zonesContract(zones);
    hostsContract(zones);
    commitContract(zones);
    historyListContract(zones);
    mirrorContract(() => ({ ...pgZones(db), ...pgMirrors(db) }));
    changesContract(() => ({ ...pgZones(db), ...pgChanges(db) }));
    limitsContract(() => ({ ...pgZones(db), ...pgLimits(db) }));
    replayContract(() => pgReplay(db));
    poolsContract(() => pgPools(db));
    notifyContract(() => ({ ...pgZones(db), ...pgNotify(db) }));
    sampleCredentialsContract(() => pgSampleCredentials(db));
    trustContract(() => pgTrust(db));
    acmeContract(() => pgAcme(db));

    describe("bad input", () => {
      it("stores and finds a secret hash with quotes, backslashes and a NUL-free oddity verbatim", async () => {
        const tokens = pgTokens(db);
        const odd = `it's "quoted" \\ and $1 -- not a comment; drop table tokens`;
        await tokens.createToken(tokenFixture("tk_odd", { secretHash: odd }));
        expect((await tokens.findTokenBySecretHash(odd))?.id).toBe("tk_odd");
        expect(await tokens.findTokenBySecretHash(`it's`)).toBeUndefined();
        expect(await tokens.listTokens()).toHaveLength(1);
      });

      it("revokes, touches and deletes ids that are not there without error", async () => {
        expect(await pgTokens(db).revokeToken("tk_absent", 1)).toBe(false);
        await pgTokens(db).touchToken("tk_absent", 1);
        expect(await pgKeys(db).deleteTsigKey("absent.")).toBe(false);
        expect(await pgUsers(db).deleteUser("absent")).toBe(false);
        expect(await pgSessions(db).deleteSession("absent")).toBe(false);
      });

      it("lets only one of many concurrent first users in", async () => {
        const users = pgUsers(db);
        const user = (name: string) => ({
          name,
          passwordHash: "h",
          role: "admin" as const,
          createdAt: 1,
          passwordChangedAt: 1,
        });
        const results = await Promise.all(
          ["a", "b", "c", "d", "e"].map((n) => users.createFirstUser(user(n))),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await users.countUsers()).toBe(1);
      });
    });
  },
);
