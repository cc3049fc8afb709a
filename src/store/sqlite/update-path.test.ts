import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { silentLog } from "../../core/log.js";
import { openDatabase } from "./connection.js";
import { UpdatePath } from "./update-path.js";

// The commit semantics are checked through the store contract suite (sqlite-store.test.ts), which
// runs on this path whenever no Kysely transaction is open; these cases are the path's own rules.
describe("the raw update path", () => {
  let dir: string;
  let opened: Awaited<ReturnType<typeof openDatabase>>;
  let path: UpdatePath;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-update-path-"));
    opened = await openDatabase(join(dir, "beacon.db"), silentLog);
    path = new UpdatePath(opened.raw);
    opened.raw
      .exec(`insert into zones values ('example.com', 7, 60, 'ns1.example.com', 'hostmaster.example.com',
      3600, 600, 86400, 60, '["ns1.example.com"]', 0)`);
    opened.raw.exec(`insert into hosts (id, fqdn, zone, ttl, description, created_at)
      values (1, 'home.example.com', 'example.com', null, '', 0)`);
  });
  afterEach(async () => {
    await opened.db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it("is not usable while a transaction is open on the connection, nor once it is closed", () => {
    expect(path.usable()).toBe(true);
    opened.raw.exec("begin");
    expect(path.usable()).toBe(false);
    opened.raw.exec("commit");
    expect(path.usable()).toBe(true);
  });

  it("commits sets, history and the serial together, and reads them back", () => {
    const result = path.commit({
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
    });
    expect(result.serials).toEqual(new Map([["example.com", 8]]));
    expect(path.rrsets("home.example.com")).toMatchObject([{ type: "A", values_json: '["81.2.69.1"]' }]);
    expect(path.zone("example.com")?.serial).toBe(8);
    expect(opened.raw.prepare("select zone, outcome from history").all()).toEqual([
      { zone: "example.com", outcome: "good" },
    ]);
  });

  it("rolls everything back when a write names a host that does not exist (bad input: unknown host)", () => {
    let thrown: unknown;
    try {
      path.commit({
        writes: [
          { fqdn: "home.example.com", type: "A", rrset: { ttl: 60, values: ["81.2.69.1"] } },
          { fqdn: "nobody.example.com", type: "A", rrset: { ttl: 60, values: ["81.2.69.2"] } },
        ],
        history: [],
        at: 5,
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: "host_not_found" });
    expect(path.rrsets("home.example.com")).toEqual([]);
    expect(path.zone("example.com")?.serial).toBe(7);
    expect(path.usable()).toBe(true);
  });
});
