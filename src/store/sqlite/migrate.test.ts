import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { sql, type Migration } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { silentLog } from "../../core/log.js";
import { openDatabase } from "./connection.js";
import { createChangeTriggers, dropChangeTriggers } from "./migrations/0011_change_values.js";
import { MIGRATIONS } from "./migrations/index.js";
import { schemaOf } from "./testing/temp-store.js";
import { openSqliteStore } from "./sqlite-store.js";

const names = Object.keys(MIGRATIONS).sort();
const first = (n: number) => Object.fromEntries(names.slice(0, n).map((k) => [k, MIGRATIONS[k]!]));

/** Creates a table, then fails: what a disk filling up half-way through a migration looks like. */
const halfWay: Migration = {
  async up(db) {
    await db.schema.createTable("half_done").addColumn("x", "integer").execute();
    await sql`insert into zones (name, serial, ttl, mname, rname, refresh, retry, expire, minimum, nameservers_json, created_at)
      values ('half.example', 1, 60, 'ns', 'hm', 1, 1, 1, 1, '[]', 0)`.execute(db);
    throw new Error("database or disk is full (simulated)");
  },
};

describe("migrations", () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-migrate-"));
    path = join(dir, "beacon.db");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens (migrating) and closes; the connection must come out with foreign keys on again. */
  async function openWith(migrations: Readonly<Record<string, Migration>>): Promise<void> {
    const { raw } = await openDatabase(path, silentLog, { migrations });
    expect(raw.pragma("foreign_keys", { simple: true })).toBe(1);
    raw.close();
  }

  it.each([1, 2, names.length - 1])(
    "a migration that fails half-way after %i applied leaves exactly the schema before it, and the next start succeeds",
    async (applied) => {
      await openWith(first(applied));
      const before = schemaOf(path);
      expect(before.recorded).toEqual(names.slice(0, applied));

      const failing = { ...first(applied), [names[applied]!]: halfWay };
      await expect(openWith(failing)).rejects.toMatchObject({
        code: "store_unavailable",
        message: expect.stringContaining("database or disk is full (simulated)") as unknown,
      });
      expect(schemaOf(path)).toEqual(before);

      await openWith(MIGRATIONS);
      const after = schemaOf(path);
      expect(after.recorded).toEqual(names);
      const fresh = join(dir, "fresh.db");
      const { raw } = await openDatabase(fresh, silentLog);
      raw.close();
      expect(after.schema).toEqual(schemaOf(fresh).schema);
    },
  );

  it("commits each migration on its own: the ones before a failing one stay applied", async () => {
    await openWith(first(1));
    const failing = { ...first(3), [names[3]!]: halfWay };
    await expect(openWith(failing)).rejects.toMatchObject({ code: "store_unavailable" });
    expect(schemaOf(path).recorded).toEqual(names.slice(0, 3));
  });

  it("refuses a migration that leaves a dangling foreign key, whole", async () => {
    await openWith(first(names.length));
    const before = schemaOf(path);
    const dangling: Migration = {
      async up(db) {
        await sql`insert into hosts (fqdn, zone, ttl, description, created_at) values ('x.nowhere', 'nowhere', null, '', 0)`.execute(
          db,
        );
      },
    };
    await expect(openWith({ ...MIGRATIONS, "9000_dangling": dangling })).rejects.toMatchObject({
      message: expect.stringContaining("dangling reference") as unknown,
    });
    expect(schemaOf(path)).toEqual(before);
    const raw = new BetterSqlite3(path, { readonly: true });
    expect(raw.prepare("select count(*) as n from hosts").get()).toEqual({ n: 0 });
    raw.close();
  });

  it("lets a migration rebuild a table that others reference without cascading into them", async () => {
    await openWith(MIGRATIONS);
    const raw = new BetterSqlite3(path);
    raw.exec(`insert into zones values ('example.com', 1, 60, 'ns', 'hm', 1, 1, 1, 1, '[]', 0);
      insert into hosts (fqdn, zone, ttl, description, created_at) values ('a.example.com', 'example.com', null, '', 0);
      insert into rrsets values ('a.example.com', 'A', 60, '["192.0.2.1"]', 0);`);
    raw.close();
    // The 12-step ALTER: the rrsets of a rebuilt hosts table must survive (DROP TABLE with foreign
    // keys on would delete them through ON DELETE CASCADE).
    const rebuild: Migration = {
      async up(db) {
        await dropChangeTriggers(db);
        await sql`create table hosts_new (fqdn text primary key, zone text not null references zones(name), ttl integer, description text not null, created_at integer not null)`.execute(
          db,
        );
        await sql`insert into hosts_new select fqdn, zone, ttl, description, created_at from hosts`.execute(
          db,
        );
        await sql`drop table hosts`.execute(db);
        await sql`alter table hosts_new rename to hosts`.execute(db);
        await createChangeTriggers(db);
      },
    };
    await openWith({ ...MIGRATIONS, "9000_rebuild": rebuild });
    const after = new BetterSqlite3(path, { readonly: true });
    expect(after.prepare("select fqdn, type from rrsets").all()).toEqual([
      { fqdn: "a.example.com", type: "A" },
    ]);
    after.close();
  });

  it("0011_change_values: zoneLog cannot say across rows logged before it, nor across a cascade's zoneless set rows; a raw SQL writer's changes carry their values", async () => {
    await openWith(first(names.indexOf("0011_change_values")));
    const raw = new BetterSqlite3(path);
    raw.exec(`insert into zones values ('example.com', 5, 60, 'ns', 'hm', 1, 1, 1, 1, '[]', 0);
      insert into hosts (id, fqdn, zone, ttl, description, created_at) values (1, 'a.example.com', 'example.com', null, '', 0);
      insert into rrsets values ('a.example.com', 'A', 60, '["192.0.2.1"]', 0);`);
    raw.close();
    await openWith(MIGRATIONS);
    // Another process writing SQL directly (no Beacon code): the triggers log the values.
    const other = new BetterSqlite3(path);
    for (const [value, serial] of [
      ["192.0.2.2", 6],
      ["192.0.2.3", 7],
    ] as const)
      other.exec(`update rrsets set values_json = '["${value}"]' where fqdn = 'a.example.com';
        update zones set serial = ${serial} where name = 'example.com';`);
    other.close();
    const store = await openSqliteStore({ path });
    try {
      expect(await store.zoneLog("example.com", 5, 100)).toBeUndefined();
      expect(await store.zoneLog("example.com", 6, 100)).toMatchObject([
        { kind: "zone", after: { serial: 6 } },
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
    // A host deleted with its sets by cascade (no Beacon path does this): the set's row has no zone,
    // so the log cannot say for the serials before it.
    const cascade = new BetterSqlite3(path);
    cascade.pragma("foreign_keys = on");
    cascade.exec(`delete from hosts where fqdn = 'a.example.com';
      update zones set serial = 8 where name = 'example.com';`);
    expect(
      cascade.prepare("select zone, type from changes where fqdn = 'a.example.com' and op = 'delete'").all(),
    ).toEqual([
      { zone: null, type: "A" },
      { zone: "example.com", type: null },
    ]);
    cascade.close();
    const reopened = await openSqliteStore({ path });
    try {
      expect(await reopened.zoneLog("example.com", 7, 100)).toBeUndefined();
      expect(await reopened.zoneLog("example.com", 8, 100)).toHaveLength(1);
    } finally {
      await reopened.close();
    }
  });

  it("refuses a database that recorded an unknown migration or skipped one, changing nothing", async () => {
    await openWith(first(2));
    const raw = new BetterSqlite3(path);
    raw.prepare("insert into kysely_migration values (?, ?)").run("9999_future", "x");
    raw.close();
    const before = schemaOf(path);
    await expect(openWith(MIGRATIONS)).rejects.toMatchObject({
      message: expect.stringContaining("newer Beacon") as unknown,
    });
    expect(schemaOf(path)).toEqual(before);

    const gap = join(dir, "gap.db");
    path = gap;
    await openWith(first(1));
    const g = new BetterSqlite3(gap);
    g.prepare("insert into kysely_migration values (?, ?)").run(names[2], "x");
    g.close();
    await expect(openWith(MIGRATIONS)).rejects.toMatchObject({
      message: expect.stringContaining(`skipped migration ${names[1]}`) as unknown,
    });
  });
});
