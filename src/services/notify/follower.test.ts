// The address-change follower over one SQLite file opened twice (two nodes, or a server and the CLI):
// a change through the real update path gives exactly one host.address_changed event with the old
// and new values, whichever handle committed it and however many followers run; a TTL-only change and
// other record types give none; the first run starts at the log's end; a restart resumes at the cursor.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { silentLog } from "../../core/log.js";
import type { UpdateSource } from "../../core/update.js";
import type { Store } from "../../store/ports.js";
import { openSqliteStore } from "../../store/sqlite/sqlite-store.js";
import { T0 } from "../../store/testing/fixtures.js";
import { createUpdateService } from "../apply-update.js";
import { recordingListener } from "../testing/recorders.js";
import { createWriteQueue } from "../write-queue.js";
import { createZoneService } from "../zones.js";
import { ChangeFollower } from "./follower.js";
import { ManualTimers } from "./testing.js";
import { checkWebhook } from "./webhooks.js";

const source: UpdateSource = {
  ip: "81.2.69.142",
  userAgent: "test/1",
  protocol: "api",
  tokenId: "tk_aaaaaaaaaa",
};
const HOST = "home.example.com";

describe("address-change follower", () => {
  let dir: string;
  let server: Store;
  let cli: Store;
  let ids: number;

  const follower = (store: Store, node: string) =>
    new ChangeFollower({
      store,
      node,
      clock: () => T0,
      timers: new ManualTimers(),
      log: silentLog,
      newId: () => `ev-${++ids}`,
    });
  const updater = (store: Store) =>
    createUpdateService({
      store,
      clock: () => T0,
      listener: recordingListener([]),
      log: silentLog,
      allowNonGlobal: false,
      queue: createWriteQueue(),
    });
  const setA = (store: Store, values: string[], ttl?: number) =>
    updater(store).update({
      token: undefined,
      hosts: [HOST],
      sets: { A: { values, ...(ttl === undefined ? {} : { ttl }) } },
      source,
    });
  /** The events queued, as (host, type, old, new). */
  async function queued(): Promise<unknown[]> {
    const rows = await server.dropNotifications(Number.MAX_SAFE_INTEGER, 1000);
    return rows.map((r) => {
      const p = JSON.parse(r.payload) as Record<string, unknown>;
      return [r.kind, p.host, p.zone, p.type, p.old, p.new];
    });
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-follow-"));
    server = await openSqliteStore({ path: join(dir, "beacon.db") });
    cli = await openSqliteStore({ path: join(dir, "beacon.db") });
    ids = 0;
    const zones = createZoneService({ store: server, clock: () => T0, listener: recordingListener([]) });
    await zones.addZone("example.com", { ttl: 120 });
    await zones.addHost(HOST);
    await server.createWebhook(
      checkWebhook(
        {
          id: "a",
          url: "https://hooks.example/a",
          secret: "0123456789abcdef",
          events: ["host.address_changed"],
        },
        T0,
      ),
    );
  });
  afterEach(async () => {
    await server.close();
    await cli.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("turns each committed address change into one event, whoever committed it and however many follow", async () => {
    await setA(server, ["81.2.69.1"]); // before the first run: no event
    const n1 = follower(server, "n1");
    const n2 = follower(cli, "n2");
    await n1.pass();
    expect(await server.notifyCursor()).toBe(await server.changeSeq());
    await setA(server, ["81.2.69.2"]);
    await setA(cli, ["81.2.69.2", "81.2.69.3"]); // another process, as the CLI
    await setA(cli, ["81.2.69.2", "81.2.69.3"], 300); // TTL only: no event
    for (let i = 0; i < 3; i++) {
      await n2.pass(); // not the holder: does nothing
      await n1.pass();
    }
    expect(await queued()).toEqual([
      ["host.address_changed", HOST, "example.com", "A", ["81.2.69.1"], ["81.2.69.2"]],
      ["host.address_changed", HOST, "example.com", "A", ["81.2.69.2"], ["81.2.69.2", "81.2.69.3"]],
    ]);
  });

  it("resumes at the cursor after a restart, and another node takes over once the lease is freed", async () => {
    const n1 = follower(server, "n1");
    await n1.pass();
    await setA(cli, ["81.2.69.7"]);
    await n1.stop(); // frees the lease, without following the change
    const n2 = follower(cli, "n2");
    await n2.pass();
    await n2.pass();
    await n1.pass(); // n2 holds the lease now: nothing twice
    expect(await queued()).toEqual([["host.address_changed", HOST, "example.com", "A", [], ["81.2.69.7"]]]);
  });
});
