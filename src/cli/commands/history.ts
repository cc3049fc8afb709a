import type { Command } from "commander";
import { BeaconError } from "../../core/errors.js";
import { normalizeName } from "../../core/names.js";
import { isRefused } from "../../services/history-entry.js";
import type { StoredHistoryEntry } from "../../store/types.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";
import { intOption } from "./options.js";

export function registerHistory(program: Command): void {
  program
    .command("history <fqdn>")
    .description("show the update history of a host, newest first")
    .option("--limit <n>", "at most this many entries (default 50)", intOption("--limit"), 50)
    .option("--all", "also what deleted hosts of that name left (works when no host has the name now)")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts, fqdn: string) => {
        const name = normalizeName(fqdn);
        const limit = Math.min(opts["limit"] as number, 10_000);
        const entries = await withAdmin(opts, async (ctx) => {
          if (opts["all"] === true) return ctx.store.listHistory(name, { limit });
          const host = await ctx.store.getHost(name);
          if (host === undefined) {
            throw new BeaconError(
              "host_not_found",
              `no host "${name}" (what deleted hosts of that name left: beacon history --all ${name})`,
            );
          }
          return ctx.store.listHistory(name, { limit, hostId: host.id });
        });
        if (opts["json"] === true)
          return printJson(
            io,
            entries.map((e) => ({ ...e, refused: isRefused(e.outcome) })),
          );
        printTable(
          io,
          ["WHEN", "TYPE", "OUTCOME", "OLD", "NEW", "VIA", "FROM", "AGENT"],
          entries.map((e) => [
            when(e),
            e.type,
            isRefused(e.outcome) ? `refused (${e.outcome})` : e.outcome,
            values(e.oldValues),
            isRefused(e.outcome) ? `${values(e.newValues)} (not applied)` : values(e.newValues),
            e.protocol,
            e.sourceIp ?? "-",
            e.userAgent ?? "-",
          ]),
          `no history for ${name}`,
        );
      }),
    );
}

const values = (v: readonly string[] | undefined) => (v === undefined ? "-" : v.join(","));

/** The time, and for folded repeats how many and when the last was. */
function when(e: StoredHistoryEntry): string {
  return e.count > 1 ? `${formatTime(e.at)} ×${e.count}, last ${formatTime(e.lastAt)}` : formatTime(e.at);
}
