import type { Command } from "commander";
import { normalizeName } from "../../core/names.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";
import { intOption } from "./options.js";

export function registerHistory(program: Command): void {
  program
    .command("history <fqdn>")
    .description("show the update history of a host, newest first")
    .option("--limit <n>", "at most this many entries (default 50)", intOption("--limit"), 50)
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts, fqdn: string) => {
        const name = normalizeName(fqdn);
        const entries = await withAdmin(opts, (ctx) =>
          ctx.store.listHistory(name, { limit: Math.min(opts["limit"] as number, 10_000) }),
        );
        if (opts["json"] === true) return printJson(io, entries);
        const values = (v: readonly string[] | undefined) => (v === undefined ? "-" : v.join(","));
        printTable(
          io,
          ["WHEN", "TYPE", "OUTCOME", "OLD", "NEW", "VIA", "FROM", "AGENT"],
          entries.map((e) => [
            formatTime(e.at),
            e.type,
            e.outcome,
            values(e.oldValues),
            values(e.newValues),
            e.protocol,
            e.sourceIp ?? "-",
            e.userAgent ?? "-",
          ]),
          `no history for ${name}`,
        );
      }),
    );
}
