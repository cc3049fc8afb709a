import { existsSync } from "node:fs";
import type { Command } from "commander";
import { silentLog, type Log } from "../../core/log.js";
import { action } from "../action.js";
import { openServerStore, readConfig } from "../context.js";
import { printJson } from "../output.js";

/**
 * `beacon migrate`: creates the database (where none was) or brings its schema up to date, then
 * exits. Besides `serve`, the only command that creates a database; like `serve`, it refuses while a
 * server holds the database, and each migration commits whole or not at all.
 */
export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("create the database, or bring its schema up to date, without starting the server")
    .option("--json", "print the result as JSON")
    .action(
      action(async (io, opts) => {
        const path = readConfig(opts).store.sqlitePath;
        const created = !existsSync(path);
        const applied: string[] = [];
        const log: Log = {
          ...silentLog,
          info: (o) => {
            if ("migration" in o && typeof o.migration === "string") applied.push(o.migration);
          },
        };
        await (await openServerStore(path, log)).close();
        if (opts["json"] === true) return printJson(io, { path, created, applied });
        const what = created ? "created" : applied.length > 0 ? "migrated" : "already up to date";
        io.out([`database ${path}: ${what}`, ...applied.map((m) => `  applied ${m}`)].join("\n"));
      }),
    );
}
