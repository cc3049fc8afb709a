// `beacon aws-sample import` end to end: the sample's table in dynalite (in process, loopback), the
// command parsed from argv, the report on stdout. Until the stores implement SampleCredentialStore
// (the store helper's branch of issue 17), the runs that write credentials use the command with a
// memory store wrapped by the test-only credential store; the run through the real program and its
// SQLite database uses items that are skipped before any credential is read (and checks --help
// lists the command). Asserted: the --json shape, the exit status (1 when any item is skipped),
// --dry-run writes nothing, a second run is unchanged, --replace, the lines for people, and the
// errors for a missing table and a missing --table.

import { mkdtemp, rm } from "node:fs/promises";
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

    it("says which table is missing (exit 3) and that --table is required", async () => {
      expect(await run(program, ...tableArgs("nope"))).toBe(3);
      expect(err).toContain("no table nope (region us-east-1): check --table and --region [not_found]");
      await expect(run(program, "aws-sample", "import")).rejects.toThrow(/--table <name>' not specified/);
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
