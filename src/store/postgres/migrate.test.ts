// The PostgreSQL migration runner against a real server: every migration once, in order; a database
// from a newer Beacon or with a gap refused before anything changes; a failing migration leaves the
// schema as it was; two runners at once (two nodes starting) apply each migration once.

import type pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { MigrationRefused } from "../migration-order.js";
import { openPool } from "./connection.js";
import { migrate } from "./migrate.js";
import { openPostgresStore } from "./postgres-store.js";
import { PG_MIGRATIONS } from "./migrations/index.js";
import { startCluster } from "./testing/cluster.js";

const cluster = await startCluster();
const names = Object.keys(PG_MIGRATIONS).sort();
const first = (n: number) => Object.fromEntries(names.slice(0, n).map((k) => [k, PG_MIGRATIONS[k]!]));

describe.skipIf(cluster === undefined)("PostgreSQL migrations", () => {
  let n = 0;
  let url: string;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = openPool(url);
    pools.push(p);
    return p;
  };
  const tables = async () =>
    (
      await pool().query<{ t: string }>(
        "select table_name as t from information_schema.tables where table_schema = 'public' order by 1",
      )
    ).rows.map((r) => r.t);
  const recorded = async () =>
    (await pool().query<{ name: string }>("select name from kysely_migration order by name")).rows.map(
      (r) => r.name,
    );

  beforeEach(async () => {
    url = await cluster!.createDatabase(`migrate_${++n}`);
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("applies every migration once, in name order; a second run applies none", async () => {
    expect(await migrate(pool(), PG_MIGRATIONS)).toEqual(names);
    expect(await migrate(pool(), PG_MIGRATIONS)).toEqual([]);
    expect(await recorded()).toEqual(names);
    expect(await tables()).toEqual(
      expect.arrayContaining(["zones", "hosts", "rrsets", "tokens", "history", "mirrors", "outbox"]),
    );
    expect(await tables()).toEqual(expect.arrayContaining(["tsig_keys", "users", "sessions", "counters"]));
    expect(await tables()).toEqual(expect.arrayContaining(["limit_buckets", "host_flags", "changes"]));
  });

  it("refuses a database written by a newer Beacon, changing nothing", async () => {
    await migrate(pool(), PG_MIGRATIONS);
    const before = await tables();
    const older = first(names.length - 1);
    const refused = migrate(pool(), older);
    await expect(refused).rejects.toBeInstanceOf(MigrationRefused);
    await expect(refused).rejects.toThrow(
      `the database was written by a newer Beacon (it has migration ${names.at(-1)!}, which this version does not know); upgrade Beacon or restore a backup`,
    );
    expect(await tables()).toEqual(before);
    expect(await recorded()).toEqual(names);
  });

  it("0011_change_values: rows logged before it have no values (zoneLog cannot say); any writer's later ones do", async () => {
    await migrate(pool(), first(names.indexOf("0011_change_values")));
    await pool().query(`insert into zones values ('example.com', 5, 60, 'ns', 'hm', 1, 1, 1, 1, '[]', 0);
      insert into hosts (id, fqdn, zone, ttl, description, created_at, implicit)
        values (1, 'a.example.com', 'example.com', null, '', 0, 0);
      insert into rrsets values ('a.example.com', 'A', 60, '["192.0.2.1"]', 0);`);
    await migrate(pool(), PG_MIGRATIONS);
    // Another client writing SQL directly (psql, no Beacon code): the trigger logs the values.
    for (const [value, serial] of [
      ["192.0.2.2", 6],
      ["192.0.2.3", 7],
    ] as const)
      await pool().query(`update rrsets set values_json = '["${value}"]' where fqdn = 'a.example.com';
        update zones set serial = ${serial} where name = 'example.com';`);
    const store = await openPostgresStore(url);
    try {
      expect(await store.zoneLog("example.com", 5, 100)).toBeUndefined();
      expect(await store.zoneLog("example.com", 6, 100)).toMatchObject([
        { kind: "zone", after: { serial: 6, nameservers: [] } },
        {
          kind: "rrset",
          fqdn: "a.example.com",
          before: { type: "A", ttl: 60, values: ["192.0.2.2"] },
          after: { type: "A", ttl: 60, values: ["192.0.2.3"] },
        },
        { kind: "zone", before: { serial: 6 }, after: { serial: 7 } },
      ]);
    } finally {
      await store.close();
    }
  });

  it("refuses a database that skipped a migration", async () => {
    await migrate(pool(), { a: "create table a (x int)", c: "create table c (x int)" });
    await expect(migrate(pool(), { a: "", b: "create table b (x int)", c: "" })).rejects.toThrow(
      "the database skipped migration b; it was not written by this Beacon",
    );
    expect(await tables()).not.toContain("b");
  });

  it("a migration that fails half-way leaves the schema before it; the next run applies it", async () => {
    await migrate(pool(), first(1));
    const failing = {
      ...first(1),
      [names[1]!]:
        "create table half_done (x int); insert into zones (name, serial, ttl, mname, rname, refresh, " +
        "retry, expire, minimum, nameservers_json, created_at) values ('half.example', 1, 60, 'ns', " +
        "'hm', 1, 1, 1, 1, '[]', 0); select 1 / 0",
    };
    await expect(migrate(pool(), failing)).rejects.toThrow(/division by zero/);
    expect(await tables()).not.toContain("half_done");
    expect((await pool().query("select * from zones")).rows).toEqual([]);
    expect(await recorded()).toEqual(names.slice(0, 1));
    expect(await migrate(pool(), PG_MIGRATIONS)).toEqual(names.slice(1));
  });

  it("two runners at once (two nodes starting) apply each migration once", async () => {
    const migrations = {
      "1_slow": "create table counted (x int); select pg_sleep(0.2)",
      "2_count": "insert into counted values (1)",
      "3_count": "insert into counted values (2)",
    };
    const [a, b] = await Promise.all([migrate(pool(), migrations), migrate(pool(), migrations)]);
    expect([...a, ...b].sort()).toEqual(Object.keys(migrations));
    expect((await pool().query("select x from counted order by x")).rows).toEqual([{ x: 1 }, { x: 2 }]);
  });
});
