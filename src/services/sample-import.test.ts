// The AWS sample's table imported into a memory store (with the test-only credential store, see
// testing/sample-credentials.ts). Hostile items tried, each asserted in the report: a missing
// hostname, a numeric hostname, a hostname that is no domain name (and one with control characters),
// data missing, a map instead of a string, data that is not JSON, JSON that is not an object (a list,
// null), shared_secret missing / empty / a number / 2 KiB long, unknown extra fields (quiet), a bad
// TTL (noted), duplicates differing in case or a trailing dot (same secret: imported once; different
// secrets: all skipped), a zone apex, a name outside every zone, an item of the 2018 version.

import { beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { importSampleItems, type SampleImportDeps, type SampleItem } from "./sample-import.js";
import { withSampleCredentials } from "./testing/sample-credentials.js";
import { recordingListener } from "./testing/recorders.js";
import { createZoneService } from "./zones.js";

const NOW = 1_700_000_000_000;
const data = (secret: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ route_53_zone_id: "Z123", route_53_record_ttl: 60, shared_secret: secret, ...extra });

describe("importSampleItems", () => {
  let store: ReturnType<typeof withSampleCredentials>;
  let deps: SampleImportDeps;

  beforeEach(async () => {
    store = withSampleCredentials(createMemoryStore());
    const zones = createZoneService({
      store,
      clock: () => NOW,
      listener: recordingListener([]),
    });
    await zones.addZone("example.com");
    deps = { zones, store, clock: () => NOW };
  });

  const run = (items: SampleItem[], opts = { replace: false, dryRun: false }) =>
    importSampleItems(items, opts, deps);

  it("creates the host in its zone with the table's TTL and stores the credential", async () => {
    const report = await run([{ hostname: "home.example.com", data: data("S3cret") }]);
    expect(report).toEqual({
      dryRun: false,
      imported: [
        {
          hostname: "home.example.com",
          fqdn: "home.example.com",
          hostCreated: true,
          replaced: false,
          ttl: 60,
          notes: [],
        },
      ],
      unchanged: [],
      skipped: [],
    });
    const host = await store.getHost("home.example.com");
    expect(host).toMatchObject({ zone: "example.com", ttl: 60 });
    expect(await store.getSampleCredential("home.example.com")).toEqual({
      fqdn: "home.example.com",
      secret: "S3cret",
      hostId: host?.id,
      createdAt: NOW,
      lastUsedAt: undefined,
    });
  });

  it("skips each hostile item with its reason and imports the good ones beside them", async () => {
    const items: SampleItem[] = [
      { hostname: undefined, data: data("x") },
      { hostname: 42, data: data("x") },
      { hostname: "not a name!", data: data("x") },
      { hostname: "bell\u0007.example.com", data: data("x") },
      { hostname: "a.example.com", data: undefined },
      { hostname: "b.example.com", data: { M: {} } },
      { hostname: "c.example.com", data: '{"shared_secret": "x"' },
      { hostname: "d.example.com", data: '["x"]' },
      { hostname: "e.example.com", data: "null" },
      { hostname: "f.example.com", data: JSON.stringify({ route_53_record_ttl: 60 }) },
      { hostname: "g.example.com", data: data("") },
      { hostname: "h.example.com", data: data(12345) },
      { hostname: "i.example.com", data: data("x".repeat(2048)) },
      { hostname: "j.example.org", data: data("x") },
      { hostname: "example.com", data: data("x") },
      { hostname: "old.example.com.", data: undefined, recordType: "AAAA" },
      { hostname: "ok.example.com", data: data("fine", { colour: "blue", route_53_record_type: "A" }) },
    ];
    const report = await run(items);
    expect(report.skipped).toEqual([
      { hostname: "item 1", reason: "no hostname attribute" },
      { hostname: "item 2", reason: "hostname is not a string (a number)" },
      { hostname: "not a name!", reason: "hostname is not a domain name" },
      { hostname: "bell?.example.com", reason: "hostname is not a domain name" },
      { hostname: "a.example.com", reason: "no data attribute" },
      {
        hostname: "b.example.com",
        reason: "data is not a string (a map); the sample keeps a JSON string there",
      },
      { hostname: "c.example.com", reason: "data is not valid JSON" },
      { hostname: "d.example.com", reason: "data is not a JSON object" },
      { hostname: "e.example.com", reason: "data is not a JSON object" },
      { hostname: "f.example.com", reason: "data has no shared_secret" },
      { hostname: "g.example.com", reason: "shared_secret is empty" },
      { hostname: "h.example.com", reason: "shared_secret is not a string (a number)" },
      { hostname: "i.example.com", reason: "shared_secret is longer than 1024 characters" },
      {
        hostname: "old.example.com.",
        reason:
          "an item of the sample's 2018 CloudFormation version (hostname + record_type): its protocol is not supported",
      },
      {
        hostname: "j.example.org",
        reason: "no zone for j.example.org: add it with beacon zone add example.org",
      },
      { hostname: "example.com", reason: "example.com is a zone apex: Beacon updates hosts inside a zone" },
    ]);
    // Unknown extra fields are ignored quietly.
    expect(report.imported).toEqual([expect.objectContaining({ fqdn: "ok.example.com", notes: [] })]);
    expect((await store.listHosts()).map((h) => h.fqdn)).toEqual(["ok.example.com"]);
    expect((await store.listSampleCredentials()).map((c) => c.fqdn)).toEqual(["ok.example.com"]);
  });

  it("notes a TTL it cannot use and lets the new host take its zone's", async () => {
    const report = await run([
      { hostname: "t.example.com", data: data("x", { route_53_record_ttl: "sixty" }) },
      { hostname: "u.example.com", data: JSON.stringify({ shared_secret: "y" }) },
    ]);
    expect(report.imported.map((i) => i.notes)).toEqual([
      ['route_53_record_ttl "sixty" is not a TTL (1–604800): not used', "the new host uses its zone's TTL"],
      ["route_53_record_ttl missing is not a TTL (1–604800): not used", "the new host uses its zone's TTL"],
    ]);
    expect((await store.getHost("t.example.com"))?.ttl).toBeUndefined();
  });

  it("imports duplicates differing in case or trailing dot once when they agree, skips them all when not", async () => {
    const report = await run([
      { hostname: "Home.example.com", data: data("same") },
      { hostname: "home.example.com.", data: data("same") },
      { hostname: "nas.example.com", data: data("one") },
      { hostname: "NAS.example.com.", data: data("two") },
    ]);
    expect(report.imported.map((i) => [i.hostname, i.fqdn])).toEqual([
      ["Home.example.com", "home.example.com"],
    ]);
    expect(report.unchanged).toEqual([
      {
        hostname: "home.example.com.",
        fqdn: "home.example.com",
        reason: 'same host and secret as "Home.example.com"',
      },
    ]);
    const reason =
      'items "nas.example.com", "NAS.example.com." name the same host with different secrets: keep one in the table';
    expect(report.skipped).toEqual([
      { hostname: "nas.example.com", reason },
      { hostname: "NAS.example.com.", reason },
    ]);
    expect(await store.getSampleCredential("nas.example.com")).toBeUndefined();
  });

  it("uses an existing host, noting a different TTL; a second run is unchanged; --replace replaces", async () => {
    await deps.zones.addHost("home.example.com", { ttl: 300 });
    const first = await run([{ hostname: "home.example.com", data: data("old") }]);
    expect(first.imported).toEqual([
      expect.objectContaining({
        hostCreated: false,
        replaced: false,
        notes: ["the table says TTL 60; the existing host keeps TTL 300"],
      }),
    ]);
    expect((await store.getHost("home.example.com"))?.ttl).toBe(300);

    const again = await run([{ hostname: "home.example.com", data: data("old") }]);
    expect(again).toMatchObject({
      imported: [],
      skipped: [],
      unchanged: [{ fqdn: "home.example.com", reason: "already imported with this secret" }],
    });

    const changed = [{ hostname: "home.example.com", data: data("new") }];
    expect((await run(changed)).skipped).toEqual([
      {
        hostname: "home.example.com",
        reason: "home.example.com already has another sample credential: --replace replaces it",
      },
    ]);
    expect((await store.getSampleCredential("home.example.com"))?.secret).toBe("old");
    const replaced = await run(changed, { replace: true, dryRun: false });
    expect(replaced.imported).toEqual([expect.objectContaining({ replaced: true, hostCreated: false })]);
    expect((await store.getSampleCredential("home.example.com"))?.secret).toBe("new");
  });

  it("replaces a credential left by a deleted host of that name without --replace", async () => {
    await run([{ hostname: "home.example.com", data: data("old") }]);
    await store.deleteHost("home.example.com", NOW);
    const report = await run([{ hostname: "home.example.com", data: data("old") }]);
    expect(report.imported).toEqual([expect.objectContaining({ hostCreated: true, replaced: false })]);
    const host = await store.getHost("home.example.com");
    expect((await store.getSampleCredential("home.example.com"))?.hostId).toBe(host?.id);
  });

  it("--dry-run writes nothing and reports what an import would do", async () => {
    await run([{ hostname: "old.example.com", data: data("a") }]);
    const puts = store.credentialPuts();
    const report = await run(
      [
        { hostname: "new.example.com", data: data("b") },
        { hostname: "old.example.com", data: data("c") },
        { hostname: "x.example.net", data: data("d") },
      ],
      { replace: true, dryRun: true },
    );
    expect(report.dryRun).toBe(true);
    expect(report.imported.map((i) => [i.fqdn, i.hostCreated, i.replaced])).toEqual([
      ["new.example.com", true, false],
      ["old.example.com", false, true],
    ]);
    expect(report.skipped.map((s) => s.hostname)).toEqual(["x.example.net"]);
    expect(store.credentialPuts()).toBe(puts);
    expect(await store.getHost("new.example.com")).toBeUndefined();
    expect((await store.getSampleCredential("old.example.com"))?.secret).toBe("a");
  });

  it("a store error on one item skips that item with the error's code and goes on", async () => {
    const failingStore = Object.create(store) as typeof store;
    failingStore.putSampleCredential = (c) =>
      c.fqdn === "bad.example.com"
        ? Promise.reject(new BeaconError("store_unavailable", "the store is down"))
        : store.putSampleCredential(c);
    const failing = { ...deps, store: failingStore };
    const report = await importSampleItems(
      [
        { hostname: "bad.example.com", data: data("a") },
        { hostname: "good.example.com", data: data("b") },
      ],
      { replace: false, dryRun: false },
      failing,
    );
    expect(report.skipped).toEqual([
      { hostname: "bad.example.com", reason: "the store is down [store_unavailable]" },
    ]);
    expect(report.imported.map((i) => i.fqdn)).toEqual(["good.example.com"]);
  });
});
