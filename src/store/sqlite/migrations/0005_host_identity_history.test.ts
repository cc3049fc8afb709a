// Upgrading a database written before hosts had ids: existing hosts, host tokens and history are
// given the identity they can be proven to have, and nothing more.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, expect, it } from "vitest";

import { openSqliteStore } from "../sqlite-store.js";
import type { Store } from "../../ports.js";
import { historyFixture, hostFixture } from "../../testing/fixtures.js";
import { silentLog } from "../../../core/log.js";
import { openDatabase } from "../connection.js";
import { MIGRATIONS } from "./index.js";

let dir: string;
let path: string;
let store: Store | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "beacon-0005-"));
  path = join(dir, "beacon.db");
});
afterEach(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A database at 0004 with two hosts (a re-created after an earlier a was deleted), tokens, history. */
async function beforeUpgrade(): Promise<void> {
  const upTo0004 = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name <= "0004~"));
  const { raw } = await openDatabase(path, silentLog, { migrations: upTo0004 });
  raw.exec(`
    insert into zones values ('example.com', 1, 60, 'ns1.example.com', 'hostmaster.example.com',
      3600, 600, 86400, 60, '["ns1.example.com"]', 0);
    insert into hosts values ('a.example.com', 'example.com', null, '', 1000);
    insert into hosts values ('b.example.com', 'example.com', null, '', 10);
    insert into tokens values ('tk_host', 'h1', 'host a.example.com', '[{"name":"a.example.com","subtree":false}]',
      '["A"]', '[]', 0, null, null, null);
    insert into tokens values ('tk_named', 'h2', 'a.example.com', '[{"name":"a.example.com","subtree":false}]',
      '["A"]', '[]', 0, null, null, null);
    insert into tokens values ('tk_wide', 'h3', 'host a.example.com', '[{"name":"a.example.com","subtree":true}]',
      '["A"]', '[]', 0, null, null, null);
  `);
  const entry = raw.prepare(
    `insert into history (fqdn, zone, type, new_values_json, at, outcome, protocol)
     values (?, 'example.com', 'A', ?, ?, 'good', 'dyndns2')`,
  );
  entry.run("a.example.com", '["192.0.2.1"]', 500); // the earlier a.example.com's
  for (let i = 0; i < 4; i++) entry.run("a.example.com", `["192.0.2.${10 + i}"]`, 2000 + i);
  entry.run("b.example.com", '["192.0.2.99"]', 20);
  raw.close();
}

it("gives hosts ids, binds host tokens by label and exact scope, and history by creation time", async () => {
  await beforeUpgrade();
  store = await openSqliteStore({ path });
  const a = await store.getHost("a.example.com");
  const b = await store.getHost("b.example.com");
  expect([a?.id, b?.id, a?.implicit]).toEqual([1, 2, false]);
  // The counter continues after the existing hosts.
  expect((await store.createHost(hostFixture("c.example.com", "example.com"))).id).toBe(3);

  expect((await store.getToken("tk_host"))?.hostId).toBe(1);
  expect((await store.getToken("tk_named"))?.hostId).toBeUndefined();
  expect((await store.getToken("tk_wide"))?.hostId).toBeUndefined();

  const mine = await store.listHistory("a.example.com", { hostId: 1 });
  expect(mine.map((e) => e.at)).toEqual([2003, 2002, 2001, 2000]);
  expect(mine.every((e) => e.count === 1 && e.lastAt === e.at)).toBe(true);
  expect((await store.listHistory("a.example.com")).map((e) => e.hostId)).toEqual([1, 1, 1, 1, undefined]);
  expect((await store.listHistory("b.example.com", { hostId: 2 })).map((e) => e.at)).toEqual([20]);

  // Positions were numbered, so retention by count works on the old entries too.
  await store.commit({
    writes: [],
    history: [historyFixture("a.example.com", { at: 3000 })],
    at: 3000,
    keepPerHost: 2,
  });
  expect((await store.listHistory("a.example.com", { hostId: 1 })).map((e) => e.at)).toEqual([3000, 2003]);
  // Deleting the host revokes the token that was made for it.
  await store.deleteHost("a.example.com", 4000);
  expect((await store.getToken("tk_host"))?.revokedAt).toBe(4000);
  expect((await store.getToken("tk_named"))?.revokedAt).toBeUndefined();
});
