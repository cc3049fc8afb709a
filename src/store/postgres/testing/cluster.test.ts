// The throwaway cluster itself: it answers, keeps databases apart, copies a template, pauses and
// resumes with its data, and is gone (server and dir) after stop().

import { existsSync } from "node:fs";
import { connect } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startCluster, type PgCluster } from "./cluster.js";

const cluster = await startCluster();

describe.skipIf(cluster === undefined)("a throwaway PostgreSQL cluster", () => {
  let c: PgCluster;
  beforeAll(() => {
    c = cluster!;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("answers on 127.0.0.1, with durability off", async () => {
    const rows = await c.query<{ fsync: string; addr: string }>(
      "select current_setting('fsync') as fsync, current_setting('listen_addresses') as addr",
    );
    expect(rows).toEqual([{ fsync: "off", addr: "127.0.0.1" }]);
  });

  it("creates separate databases, and copies of a template", async () => {
    await c.createDatabase("tpl");
    await c.query("create table t (x int)", [], "tpl");
    await c.query("insert into t values (7)", [], "tpl");
    await c.createDatabase("copy", "tpl");
    await c.createDatabase("other");
    expect(await c.query("select x from t", [], "copy")).toEqual([{ x: 7 }]);
    await expect(c.query("select x from t", [], "other")).rejects.toThrow(/does not exist/);
    await expect(c.createDatabase("copy")).rejects.toThrow(/already exists/);
  });

  it("pauses (the port refuses, data kept) and resumes on the same port; each twice is harmless", async () => {
    await c.pause();
    await c.pause();
    await expect(c.query("select 1")).rejects.toThrow(/ECONNREFUSED/);
    await c.resume();
    await c.resume();
    expect(await c.query("select x from t", [], "copy")).toEqual([{ x: 7 }]);
  });

  it("stops the server and removes its dir; a second stop is harmless", async () => {
    const other = (await startCluster())!;
    const dir = (await other.query<{ d: string }>("select current_setting('data_directory') as d"))[0]!.d;
    expect(existsSync(dir)).toBe(true);
    await other.stop();
    await other.stop();
    expect(existsSync(dir)).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(other.port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(false)));
      s.once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
