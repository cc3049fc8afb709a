// `beacon aws-sample import`: moves a deployment of the AWS sample (awslabs/route53-dynamic-dns-with-
// lambda) into Beacon. Reads the sample's DynamoDB table (aws-sample-table.ts) or its first version's
// config.json (aws-sample-config-file.ts), imports each item into the store the server uses
// (services/sample-import.ts) and prints the report: a line per item for people, the report itself
// with --json. Exit status 1 when any item was skipped, so scripts and
// people notice a router that would be locked out. docs/serverless.md says what to do next.

import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import { systemClock, type Clock } from "../../core/clock.js";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import { importSampleItems, type SampleImportReport, type SampleItem } from "../../services/sample-import.js";
import type { ZoneService } from "../../services/zones.js";
import type { Store } from "../../store/ports.js";
import { action } from "../action.js";
import { MAX_CONFIG_BYTES, sampleItemsFromConfigJson } from "../aws-sample-config-file.js";
import { readSampleTable } from "../aws-sample-table.js";
import { withAdmin, type GlobalOptions } from "../context.js";
import { EXIT, printJson, type Io } from "../output.js";

export interface AwsSampleDeps {
  /** Opens the store for the command (withAdmin); tests hand in their own. */
  readonly withStore: <T>(
    opts: GlobalOptions,
    fn: (ctx: { readonly store: Store; readonly zones: ZoneService }) => Promise<T>,
  ) => Promise<T>;
  readonly readTable: typeof readSampleTable;
  readonly clock: Clock;
}

const DEFAULT_DEPS: AwsSampleDeps = { withStore: withAdmin, readTable: readSampleTable, clock: systemClock };

export function registerAwsSample(program: Command, deps: AwsSampleDeps = DEFAULT_DEPS): void {
  const sample = program
    .command("aws-sample")
    .description("move a deployment of the AWS sample (route53-dynamic-dns-with-lambda) into Beacon");

  sample
    .command("import")
    .description(
      "import the sample's DynamoDB table: a host (created if missing) and its sample credential per item",
    )
    .option("--table <name>", "the sample's DynamoDB table (its partition key is hostname)")
    .option("--config-json <file>", "instead of a table: the config.json of the sample's first version (S3)")
    .option("--region <region>", "AWS region of the table (default: AWS_REGION or the AWS config)")
    .option("--endpoint <url>", "DynamoDB endpoint, e.g. DynamoDB Local (default: AWS's)")
    .option("--replace", "replace a host's existing sample credential with the table's")
    .option("--dry-run", "read and check everything, write nothing")
    .option("--json", "print the report as JSON")
    .action(
      action(async (io, opts) => {
        const items = await readItems(io, opts, deps);
        const report = await deps.withStore(opts, ({ store, zones }) =>
          importSampleItems(
            items,
            { replace: opts["replace"] === true, dryRun: opts["dryRun"] === true },
            { store, zones, clock: deps.clock },
          ),
        );
        if (opts["json"] === true) printJson(io, report);
        else printReport(io, report);
        if (report.skipped.length > 0) process.exitCode = EXIT.failure;
      }),
    );
}

function readItems(io: Io, opts: Record<string, unknown>, deps: AwsSampleDeps): Promise<SampleItem[]> {
  const table = opts["table"] as string | undefined;
  const file = opts["configJson"] as string | undefined;
  if ((table === undefined) === (file === undefined))
    throw new BeaconError(
      "bad_request",
      "give either --table <name> (the sample's DynamoDB table) or --config-json <file> (its first version's config.json)",
    );
  if (file !== undefined) return readConfigJson(file);
  return deps.readTable(
    {
      table: table ?? "",
      region: opts["region"] as string | undefined,
      endpoint: opts["endpoint"] as string | undefined,
    },
    (n) => io.err(`read ${n} items so far…`),
  );
}

async function readConfigJson(file: string): Promise<SampleItem[]> {
  try {
    if ((await stat(file)).size > MAX_CONFIG_BYTES)
      throw new BeaconError("parameter_too_large", `${file} is larger than ${MAX_CONFIG_BYTES} bytes`);
    return sampleItemsFromConfigJson(await readFile(file, "utf8"), file);
  } catch (e) {
    if (isBeaconError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new BeaconError("bad_request", `cannot read ${file} (${code})`, { cause: e });
  }
}

function printReport(io: Io, report: SampleImportReport): void {
  const lines: string[] = [];
  for (const i of report.imported) {
    const what = [
      i.hostCreated ? "host created" : "existing host",
      ...(i.replaced ? ["credential replaced"] : []),
      ...i.notes,
    ];
    lines.push(`imported   ${i.fqdn} (${what.join("; ")})`);
  }
  for (const u of report.unchanged) lines.push(`unchanged  ${u.hostname}: ${u.reason}`);
  for (const s of report.skipped) lines.push(`skipped    ${s.hostname}: ${s.reason}`);
  const counts = `${report.imported.length} imported, ${report.unchanged.length} unchanged, ${report.skipped.length} skipped`;
  lines.push(
    "",
    report.dryRun ? `${counts} (dry run: nothing was written)` : counts,
    ...(report.imported.length > 0 && !report.dryRun
      ? [
          "next: point the routers at Beacon's update URL (docs/serverless.md, \"Importing the AWS sample's table\")",
        ]
      : []),
  );
  io.out(lines.join("\n"));
}
