import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { silentLog } from "../../core/log.js";
import { openDatabase } from "./connection.js";
import { Db } from "./db.js";
import { commit } from "./update-path.js";

// The commit semantics are checked through the store contract suite (sqlite-store.test.ts), which runs
// this same function; these cases are its own rules, inside a write transaction as zones.ts runs it.
describe("the commit", () => {
  let dir: string;
  let opened: Awaited<ReturnType<typeof openDatabase>>;
  let db: Db;
  const rows = (sql: string) => opened.raw.prepare(sql).all();
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-update-path-"));
    opened = await openDatabase(join(dir, "beacon.db"), silentLog);
    db = new Db(opened.raw, "beacon.db");
    opened.raw
      .exec(`insert into zones values ('example.com', 7, 60, 'ns1.example.com', 'hostmaster.example.com',
      3600, 600, 86400, 60, '["ns1.example.com"]', 0)`);
    opened.raw.exec(`insert into hosts (id, fqdn, zone, ttl, description, created_at)
      values (1, 'home.example.com', 'example.com', null, '', 0)`);
  });
  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("commits sets, history and the serial together", async () => {
    const result = await db.write("commit", () =>
      commit(db, {
        writes: [{ fqdn: "home.example.com", type: "A", rrset: { ttl: 60, values: ["81.2.69.1"] } }],
        history: [
          {
            fqdn: "home.example.com",
            type: "A",
            oldValues: undefined,
            newValues: ["81.2.69.1"],
            at: 5,
            outcome: "good",
            protocol: "dyndns2",
            tokenId: undefined,
            sourceIp: "192.0.2.1",
            userAgent: undefined,
          },
        ],
        at: 5,
      }),
    );
    expect(result.serials).toEqual(new Map([["example.com", 8]]));
    expect(rows("select type, values_json from rrsets")).toEqual([
      { type: "A", values_json: '["81.2.69.1"]' },
    ]);
    expect(rows("select serial from zones")).toEqual([{ serial: 8 }]);
    expect(opened.raw.prepare("select zone, outcome from history").all()).toEqual([
      { zone: "example.com", outcome: "good" },
    ]);
  });

  it("rolls everything back when a write names a host that does not exist (bad input: unknown host)", async () => {
    await expect(
      db.write("commit", () =>
        commit(db, {
          writes: [
            { fqdn: "home.example.com", type: "A", rrset: { ttl: 60, values: ["81.2.69.1"] } },
            { fqdn: "nobody.example.com", type: "A", rrset: { ttl: 60, values: ["81.2.69.2"] } },
          ],
          history: [],
          at: 5,
        }),
      ),
    ).rejects.toMatchObject({ code: "host_not_found" });
    expect(rows("select * from rrsets")).toEqual([]);
    expect(rows("select serial from zones")).toEqual([{ serial: 7 }]);
    expect(opened.raw.inTransaction).toBe(false);
  });
});
