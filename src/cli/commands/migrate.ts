import { existsSync } from "node:fs";
import type { Command } from "commander";
import { silentLog, type Log } from "../../core/log.js";
import { action } from "../action.js";
import { describeStore, openConfiguredStore, readConfig } from "../context.js";
import { printJson } from "../output.js";

/**
 * `beacon migrate`: creates the database (where none was) or brings its schema up to date, then
 * exits. Besides `serve`, the only command that creates a database; like `serve`, it refuses while a
 * server holds a SQLite database, and each migration commits whole or not at all. On PostgreSQL the
 * database must exist (Beacon creates its tables, not the database); the migrations run under the
 * adapter's advisory lock, so running it while nodes serve is safe. The URL is never printed.
 */
export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("create the database, or bring its schema up to date, without starting the server")
    .option("--json", "print the result as JSON")
    .action(
      action(async (io, opts) => {
        const config = readConfig(opts);
        const postgres = config.store.postgres !== undefined;
        const path = config.store.sqlitePath;
        const created = !postgres && !existsSync(path);
        const applied: string[] = [];
        const log: Log = { ...silentLog, info: (o) => applied.push(...migrationsIn(o)) };
        await (await openConfiguredStore(config, "server", log)).close();
        const where = describeStore(config);
        if (opts["json"] === true)
          return printJson(io, postgres ? { database: where, applied } : { path, created, applied });
        const what = created ? "created" : applied.length > 0 ? "migrated" : "already up to date";
        io.out([`database ${where}: ${what}`, ...applied.map((m) => `  applied ${m}`)].join("\n"));
      }),
    );
}

/** SQLite logs each migration as `migration`, PostgreSQL the run's as `applied`. */
function migrationsIn(o: object): string[] {
  if ("migration" in o && typeof o.migration === "string") return [o.migration];
  if ("applied" in o && Array.isArray(o.applied)) return o.applied.filter((m) => typeof m === "string");
  return [];
}
