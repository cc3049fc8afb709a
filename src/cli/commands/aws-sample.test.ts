// `beacon aws-sample import` end to end: the sample's table in dynalite (in process, loopback), the
// command parsed from argv, the report on stdout. Until the stores implement SampleCredentialStore
// (the store helper's branch of issue 17), the runs that write credentials use the command with a
// memory store wrapped by the test-only credential store; the run through the real program and its
// SQLite database uses items that are skipped before any credential is read (and checks --help
// lists the command). Asserted: the --json shape, the exit status (1 when any item is skipped),
// --dry-run writes nothing, a second run is unchanged, the lines for people, the first version's
// config.json, and the errors: a missing table, no source or two, a config.json that is a list, a
// missing file.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import { withSampleCredentials } from "../../services/testing/sample-credentials.js";
import { createZoneService } from "../../services/zones.js";
import { readSampleTable } from "../aws-sample-table.js";
import { createProgram } from "../program.js";
import {
  sampleItem,
  startSampleTableServer,
  TEST_CREDENTIALS,
  TEST_REGION,
  type SampleTableServer,
} from "../testing/sample-table.js";
import { registerAwsSample } from "./aws-sample.js";

const NOW = 1_700_000_000_000;

describe("beacon aws-sample import", () => {
  let dynamo: SampleTableServer;
  let out = "";
  let err = "";

  beforeAll(async () => {
    dynamo = await startSampleTableServer();
    await dynamo.createTable("DyndnsStack-dyndnsdb", [
      sampleItem("home.example.com", "SuP3R_5eCR3T"),
      sampleItem("nas.example.com.", "other", 300),
      { hostname: { S: "broken.example.com" }, data: { S: "{not json" } },
      sampleItem("far.example.org", "x"),
    ]);
    await dynamo.createTable("good-only", [sampleItem("home.example.com", "SuP3R_5eCR3T")]);
    vi.stubEnv("AWS_ACCESS_KEY_ID", TEST_CREDENTIALS.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", TEST_CREDENTIALS.secretAccessKey);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await dynamo.close();
  });

  /** Runs argv through `program`; resolves with the exit status. */
  async function run(program: Command, ...argv: string[]): Promise<number> {
    out = "";
    err = "";
    process.exitCode = undefined;
    const o = vi.spyOn(process.stdout, "write").mockImplementation((t) => ((out += String(t)), true));
    const e = vi.spyOn(process.stderr, "write").mockImplementation((t) => ((err += String(t)), true));
    try {
      await program.parseAsync(argv, { from: "user" });
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return code;
  }

  const tableArgs = (table: string) => [
    "aws-sample",
    "import",
    "--table",
    table,
    "--region",
    TEST_REGION,
    "--endpoint",
    dynamo.endpoint,
  ];

  describe("with a memory store", () => {
    let store: ReturnType<typeof withSampleCredentials>;
    let program: Command;

    beforeEach(async () => {
      store = withSampleCredentials(createMemoryStore());
      const zones = createZoneService({
        store,
        clock: () => NOW,
        listener: {
          zoneChanged() {},
          zoneRemoved() {},
          hostChanged() {},
          hostRemoved() {},
          serialChanged() {},
        },
      });
      await zones.addZone("example.com");
      program = new Command("beacon").exitOverride();
      registerAwsSample(program, {
        withStore: (_opts, fn) => fn({ store, zones }),
        readTable: readSampleTable,
        clock: () => NOW,
      });
    });

    it("--json prints the report; exit 1 because items were skipped", async () => {
      expect(await run(program, ...tableArgs("DyndnsStack-dyndnsdb"), "--json")).toBe(1);
      const report = JSON.parse(out) as Record<string, unknown>;
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
          {
            hostname: "nas.example.com.",
            fqdn: "nas.example.com",
            hostCreated: true,
            replaced: false,
            ttl: 300,
            notes: [],
          },
        ],
        unchanged: [],
        skipped: expect.arrayContaining([
          { hostname: "broken.example.com", reason: "data is not valid JSON" },
          {
            hostname: "far.example.org",
            reason: "no zone for far.example.org: add it with beacon zone add example.org",
          },
        ]) as unknown,
      });
      expect((await store.listSampleCredentials()).map((c) => [c.fqdn, c.secret])).toEqual([
        ["home.example.com", "SuP3R_5eCR3T"],
        ["nas.example.com", "other"],
      ]);
      expect((await store.getHost("nas.example.com"))?.ttl).toBe(300);
    });

    it("--dry-run writes nothing; the real run exits 0; a second run is unchanged", async () => {
      expect(await run(program, ...tableArgs("good-only"), "--dry-run")).toBe(0);
      expect(out).toContain("imported   home.example.com (host created)");
      expect(out).toContain("1 imported, 0 unchanged, 0 skipped (dry run: nothing was written)");
      expect(store.credentialPuts()).toBe(0);
      expect(await store.listHosts()).toEqual([]);

      expect(await run(program, ...tableArgs("good-only"))).toBe(0);
      expect(out).toContain("1 imported, 0 unchanged, 0 skipped\nnext: point the routers");
      expect(await run(program, ...tableArgs("good-only"), "--json")).toBe(0);
      expect(JSON.parse(out)).toMatchObject({
        imported: [],
        unchanged: [{ fqdn: "home.example.com", reason: "already imported with this secret" }],
      });
    });

    it("says which table is missing (exit 3), and that it needs one source (exit 2)", async () => {
      expect(await run(program, ...tableArgs("nope"))).toBe(3);
      expect(err).toContain("no table nope (region us-east-1): check --table and --region [not_found]");
      const oneOf = "give either --table <name> (the sample's DynamoDB table) or --config-json <file>";
      expect(await run(program, "aws-sample", "import")).toBe(2);
      expect(err).toContain(oneOf);
      expect(await run(program, ...tableArgs("good-only"), "--config-json", "x.json")).toBe(2);
      expect(err).toContain(oneOf);
    });

    it("--config-json imports the first version's config.json; a bad file is refused", async () => {
      const dir = await mkdtemp(join(tmpdir(), "beacon-aws-sample-v1-"));
      try {
        const file = join(dir, "config.json");
        const entry = (secret: unknown) => ({
          aws_region: "us-west-2",
          route_53_zone_id: "MY_ZONE_ID",
          route_53_record_ttl: 60,
          route_53_record_type: "A",
          shared_secret: secret,
        });
        await writeFile(
          file,
          JSON.stringify({ "host1.example.com.": entry("SHARED_SECRET_1"), "host2.example.com.": entry(7) }),
        );
        expect(await run(program, "aws-sample", "import", "--config-json", file, "--json")).toBe(1);
        expect(JSON.parse(out)).toMatchObject({
          imported: [{ hostname: "host1.example.com.", fqdn: "host1.example.com", ttl: 60 }],
          skipped: [{ hostname: "host2.example.com.", reason: "shared_secret is not a string (a number)" }],
        });
        expect((await store.getSampleCredential("host1.example.com"))?.secret).toBe("SHARED_SECRET_1");

        await writeFile(file, '["not", "a", "map"]');
        expect(await run(program, "aws-sample", "import", "--config-json", file)).toBe(2);
        expect(err).toContain("is not a JSON object of hostnames");
        expect(await run(program, "aws-sample", "import", "--config-json", join(dir, "missing.json"))).toBe(
          2,
        );
        expect(err).toMatch(/cannot read .*missing\.json \(ENOENT\)/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("through the real program and its SQLite database", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "beacon-aws-sample-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("is listed by --help, opens the server's database, and skips items outside every zone", async () => {
      const beacon = (...argv: string[]) => run(createProgram(), ...argv, "--data-dir", dir);
      expect(await beacon("migrate")).toBe(0);
      await expect(beacon("aws-sample", "--help")).rejects.toThrow();
      expect(out).toContain("import [options]");
      expect(await beacon(...tableArgs("DyndnsStack-dyndnsdb"), "--json")).toBe(1);
      const report = JSON.parse(out) as { skipped: { reason: string }[]; imported: unknown[] };
      expect(report.imported).toEqual([]);
      expect(report.skipped.map((s) => s.reason).sort()).toEqual([
        "data is not valid JSON",
        "no zone for far.example.org: add it with beacon zone add example.org",
        "no zone for home.example.com: add it with beacon zone add example.com",
        "no zone for nas.example.com: add it with beacon zone add example.com",
      ]);
    });
  });
});
