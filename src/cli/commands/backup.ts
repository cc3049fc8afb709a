import { existsSync } from "node:fs";
import type { Command } from "commander";
import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import type { ServerConfig } from "../../config/index.js";
import { backupDatabase } from "../../store/sqlite/backup.js";
import type { CopyProgress } from "../../store/sqlite/backup-copy.js";
import { restoreDatabase } from "../../store/sqlite/restore.js";
import { action } from "../action.js";
import { noDatabaseAt, readConfig } from "../context.js";
import { printJson, type Io } from "../output.js";

/**
 * `beacon backup <file>` and `beacon restore <file>` for the SQLite store (docs/deploy/backup.md).
 * Backup runs beside a serving server and never leaves a partial file; restore refuses while a server
 * holds the database, keeps the old one as `<db>.before-restore-<time>`, and migrates an older copy.
 * PostgreSQL and DynamoDB are backed up by their own tools: both commands say which and exit 1.
 */
export function registerBackup(program: Command): void {
  program
    .command("backup")
    .description("copy the SQLite database to <file>, consistently, even while the server runs")
    .argument("<file>", "where to write the copy (mode 0600; refused if it exists, unless --force)")
    .option("--force", "replace <file> if it exists")
    .option("--json", "print the result as JSON")
    .action(
      action(async (io, opts, file: string) => {
        const path = sqlitePath(readConfig(opts), "back up");
        if (!existsSync(path)) throw noDatabaseAt(path);
        const summary = await backupDatabase(path, file, {
          force: opts["force"] === true,
          clock: systemClock,
          onProgress: progressOn(io),
        });
        if (opts["json"] === true) return printJson(io, summary);
        io.out(`backed up ${path} to ${summary.path}: ${summary.bytes} bytes, schema ${summary.migration}`);
      }),
    );
  program
    .command("restore")
    .description("replace the SQLite database with a backup (stop the server first)")
    .argument("<file>", "a file written by `beacon backup`")
    .option("--json", "print the result as JSON")
    .action(
      action(async (io, opts, file: string) => {
        const summary = await restoreDatabase(sqlitePath(readConfig(opts), "restore"), file, systemClock);
        if (opts["json"] === true) return printJson(io, summary);
        io.out(
          [
            `restored ${summary.from} to ${summary.path} (schema ${summary.migration})`,
            ...summary.applied.map((m) => `  applied ${m}`),
            summary.movedAside === undefined
              ? "  there was no database before"
              : `  the database that was there is now ${summary.movedAside}`,
          ].join("\n"),
        );
      }),
    );
}

/** The SQLite file; PostgreSQL and DynamoDB keep their data where their own tools back it up. */
function sqlitePath(config: ServerConfig, doing: "back up" | "restore"): string {
  const { postgres, dynamodb, sqlitePath } = config.store;
  if (postgres !== undefined)
    throw new BeaconError(
      "not_supported",
      `beacon cannot ${doing} a PostgreSQL store: use PostgreSQL's own tools (pg_dump -Fc, pg_restore), see docs/deploy/backup.md`,
    );
  if (dynamodb !== undefined)
    throw new BeaconError(
      "not_supported",
      `beacon cannot ${doing} a DynamoDB store: turn on point-in-time recovery for the table, see docs/serverless.md`,
    );
  return sqlitePath;
}

/** Progress on stderr, every tenth of the way, for databases the copy takes several steps over. */
function progressOn(io: Io): (p: CopyProgress) => void {
  let shown = 0;
  return ({ totalPages, remainingPages }) => {
    const tenth = Math.floor(((totalPages - remainingPages) * 10) / Math.max(totalPages, 1));
    if (tenth <= shown || remainingPages === 0) return;
    shown = tenth;
    io.err(`beacon: backup ${tenth * 10}% (${totalPages - remainingPages} of ${totalPages} pages)`);
  };
}
