import type { Command } from "commander";
import { action } from "../action.js";
import { printJson, printTable } from "../output.js";

/** `beacon providers`: which DNS services the agent and mirroring can publish to, and what each can do. */
export function registerProviders(program: Command): void {
  program
    .command("providers")
    .description("list the DNS providers Beacon can publish to (agent targets and zone mirrors)")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        // Loaded on use: every other command starts without the seventeen provider modules.
        const { PROVIDER_TYPES } = await import("../../providers/registry.js");
        const rows = [...PROVIDER_TYPES.values()]
          .map((d) => ({ type: d.type, description: d.description, docs: `docs/providers/${d.type}.md` }))
          .sort((a, b) => a.type.localeCompare(b.type));
        if (opts["json"] === true) printJson(io, rows);
        else
          printTable(
            io,
            ["TYPE", "DESCRIPTION"],
            rows.map((r) => [r.type, r.description]),
            "no providers",
          );
        return Promise.resolve();
      }),
    );
}
