// The PostgreSQL Db wrapper against a real server: rows carry numbers where SQLite's do (int8, count,
// numeric), on the store's pool only; a write commits whole or not at all; every failure is a store_*
// BeaconError with the driver error as cause, naming the database without its password.

import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { BeaconError } from "../../core/errors.js";
import { describeUrl, openPool } from "./connection.js";
import { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { startCluster } from "./testing/cluster.js";

const cluster = await startCluster();

async function failure(p: Promise<unknown>): Promise<BeaconError> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof BeaconError)) throw new Error(`expected a BeaconError, got ${String(e)}`);
  return e;
}

describe.skipIf(cluster === undefined)("PostgreSQL Db", () => {
  let n = 0;
  let url: string;
  let db: Db;
  beforeEach(async () => {
    url = await cluster!.createDatabase(`db_${++n}`);
    db = new Db(openPool(url), describeUrl(url));
    await db.write("setup", (sql) => sql.run("create table t (k text primary key, v bigint not null)"));
  });
  afterEach(async () => {
    await db.close();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("reads bigint, count(*) and numeric as numbers; pg's global parsers are untouched", async () => {
    await db.write("insert", (sql) => sql.run("insert into t values ('a', $1)", 1_733_000_000_123));
    const row = await db.read("read", (sql) =>
      sql.get<{ v: unknown; n: unknown; s: unknown }>(
        "select v, (select count(*) from t) as n, sum(v) as s from t group by v",
      ),
    );
    expect(row).toEqual({ v: 1_733_000_000_123, n: 1, s: 1_733_000_000_123 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const plain = (await client.query<{ n: unknown }>("select count(*) as n from t")).rows[0];
    await client.end();
    expect(plain).toEqual({ n: "1" });
  });

  it("binds a list as one array parameter, however long", async () => {
    await db.write("insert", (sql) =>
      sql.run("insert into t select 'k' || i, i from generate_series(1, 3) i"),
    );
    const keys = ["k1", "k3", ...Array.from({ length: 20_000 }, (_, i) => `absent${i}`)];
    const rows = await db.read("read", (sql) =>
      sql.all<{ k: string }>("select k from t where k = any($1) order by k", keys),
    );
    expect(rows).toEqual([{ k: "k1" }, { k: "k3" }]);
  });

  it("rolls a write back whole when it throws, and passes a BeaconError through", async () => {
    const thrown = new BeaconError("zone_not_found", "no such zone");
    const e = await failure(
      db.write("two inserts", async (sql) => {
        await sql.run("insert into t values ('a', 1)");
        throw thrown;
      }),
    );
    expect(e).toBe(thrown);
    expect(await db.read("count", (sql) => sql.get<{ n: number }>("select count(*) as n from t"))).toEqual({
      n: 0,
    });
  });

  it("turns a driver failure into store_unavailable with the driver error as cause", async () => {
    await db.write("insert", (sql) => sql.run("insert into t values ('a', 1)"));
    const e = await failure(db.write("insert again", (sql) => sql.run("insert into t values ('a', 2)")));
    expect(e.code).toBe("store_unavailable");
    expect(e.message).toMatch(
      /^PostgreSQL database postgres:\/\/postgres@127\.0\.0\.1:\d+\/db_\d+: insert again failed: duplicate key/,
    );
    expect(isUniqueViolation(e.cause)).toBe(true);
    // The connection that failed is usable again (its transaction was rolled back).
    expect(await db.read("count", (sql) => sql.get<{ n: number }>("select count(*) as n from t"))).toEqual({
      n: 1,
    });
  });

  it("fails with store_unavailable, without the password, when the server cannot be reached", async () => {
    const secret = "s3cr'et\"pw";
    const gone = `postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:1/nowhere`;
    const unreachable = new Db(openPool(gone), describeUrl(gone));
    const e = await failure(unreachable.read("getZone", (sql) => sql.get("select 1")));
    await unreachable.close();
    expect(e.code).toBe("store_unavailable");
    expect(e.message).toContain("getZone failed");
    expect(e.message).not.toContain("s3cr");
    expect(e.cause).toBeInstanceOf(Error);
  });

  it("a session ended by the server between two statements fails that write (nothing committed), never the process", async () => {
    const e = await failure(
      db.write("insert", async (sql) => {
        await sql.run("insert into t values ('lost', 1)");
        const me = await sql.get<{ pid: number }>("select pg_backend_pid() as pid");
        // From outside, while this transaction holds its connection idle: an unhandled 'error' event
        // on that client would end the test process here.
        await cluster!.query("select pg_terminate_backend($1)", [me!.pid]);
        await new Promise((r) => setTimeout(r, 100));
        return sql.run("insert into t values ('after', 2)");
      }),
    );
    expect(e.code).toBe("store_unavailable");
    expect(await db.read("count", (sql) => sql.get<{ n: number }>("select count(*) as n from t"))).toEqual({
      n: 0,
    });
  });

  it("is writable while open; after close (idempotent) every call fails with store_unavailable", async () => {
    expect(db.health()).toEqual({ writable: true });
    await db.close();
    await db.close();
    expect(db.health()).toMatchObject({ writable: false, problem: { code: "store_unavailable" } });
    expect((await failure(db.read("read", (sql) => sql.get("select 1")))).code).toBe("store_unavailable");
    expect((await failure(db.write("write", (sql) => sql.run("select 1")))).code).toBe("store_unavailable");
  });
});
