import type { Command } from "commander";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";
import { intOption, listOption } from "./options.js";

export function registerZone(program: Command): void {
  const zone = program.command("zone").description("manage the zones Beacon serves");

  zone
    .command("add <name>")
    .description("create a zone (Beacon becomes authoritative for it)")
    .option("--ns <names>", "name servers, comma-separated (default ns1.<zone>)", listOption)
    .option("--ttl <seconds>", "TTL of SOA/NS and default for hosts (default 60)", intOption("--ttl"))
    .option("--json", "print the zone as JSON")
    .action(
      action(async (io, opts, name: string) => {
        const z = await withAdmin(opts, (ctx) =>
          ctx.zones.addZone(name, {
            nameservers: opts["ns"] as string[] | undefined,
            ttl: opts["ttl"] as number | undefined,
          }),
        );
        if (opts["json"] === true) printJson(io, z);
        else io.out(`zone ${z.name} created (serial ${z.serial}, NS ${z.nameservers.join(", ")})`);
      }),
    );

  zone
    .command("list")
    .description("list zones")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const zones = await withAdmin(opts, (ctx) => ctx.zones.listZones());
        if (opts["json"] === true) return printJson(io, zones);
        printTable(
          io,
          ["ZONE", "SERIAL", "TTL", "NS", "CREATED"],
          zones.map((z) => [
            z.name,
            String(z.serial),
            String(z.ttl),
            z.nameservers.join(","),
            formatTime(z.createdAt),
          ]),
          "no zones (create one with: beacon zone add <name>)",
        );
      }),
    );

  zone
    .command("rm <name>")
    .description("delete a zone")
    .option("--force", "also delete its hosts, records and history")
    .action(
      action(async (io, opts, name: string) => {
        await withAdmin(opts, (ctx) => ctx.zones.removeZone(name, { cascade: opts["force"] === true }));
        io.out(`zone ${name} deleted`);
      }),
    );
}
