import type { Command } from "commander";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";
import { BeaconError } from "../../core/errors.js";
import { rnameToContact } from "../../core/soa.js";
import type { ZoneSettings } from "../../services/zones.js";
import { listOption, secondsOption } from "./options.js";

export function registerZone(program: Command): void {
  const zone = program.command("zone").description("manage the zones Beacon serves");

  withSoaOptions(
    zone
      .command("add <name>")
      .description("create a zone (Beacon becomes authoritative for it)")
      .option("--ns <names>", "name servers, comma-separated (default ns1.<zone>)", listOption),
  )
    .option("--json", "print the zone as JSON")
    .action(
      action(async (io, opts, name: string) => {
        const z = await withAdmin(opts, (ctx) =>
          ctx.zones.addZone(name, { nameservers: opts["ns"] as string[] | undefined, ...zoneSettings(opts) }),
        );
        if (opts["json"] === true) printJson(io, z);
        else io.out(`zone ${z.name} created (serial ${z.serial}, NS ${z.nameservers.join(", ")})`);
      }),
    );

  withSoaOptions(
    zone
      .command("set <name>")
      .description("change a zone's TTL and SOA values (the serial advances; secondaries are notified)"),
  )
    .option("--json", "print the zone as JSON")
    .action(
      action(async (io, opts, name: string) => {
        const settings = zoneSettings(opts);
        if (Object.values(settings).every((v) => v === undefined))
          throw new BeaconError(
            "bad_request",
            "nothing to change: give at least one of --ttl, --refresh, --retry, --expire, --minimum, --contact, --mname",
          );
        const z = await withAdmin(opts, (ctx) => ctx.zones.setZone(name, settings));
        if (opts["json"] === true) return printJson(io, z);
        const s = z.soa;
        io.out(
          `zone ${z.name}: serial ${z.serial}, TTL ${z.ttl}, refresh ${s.refresh}, retry ${s.retry}, ` +
            `expire ${s.expire}, minimum ${s.minimum}, contact ${rnameToContact(s.rname)}, mname ${s.mname}`,
        );
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

/** The TTL and SOA options shared by `zone add` and `zone set` (ranges: core/soa.ts, docs/cli.md). */
function withSoaOptions(cmd: Command): Command {
  return cmd
    .option("--ttl <seconds>", "TTL of SOA/NS and default for hosts (default 60)", secondsOption("--ttl"))
    .option("--refresh <seconds>", "SOA refresh, 300 s – 1 d (default 3600)", secondsOption("--refresh"))
    .option(
      "--retry <seconds>",
      "SOA retry, 60 s – 1 d, below refresh (default 600)",
      secondsOption("--retry"),
    )
    .option("--expire <seconds>", "SOA expire, 7 d – 28 d (default 14d)", secondsOption("--expire"))
    .option(
      "--minimum <seconds>",
      "SOA minimum (negative-caching TTL), 1 s – 1 d (default 60)",
      secondsOption("--minimum"),
    )
    .option("--contact <mailbox>", "SOA contact, e.g. hostmaster@example.com (default hostmaster@<zone>)")
    .option("--mname <host>", "SOA primary name server (default the first --ns)");
}

function zoneSettings(opts: Record<string, unknown>): ZoneSettings {
  return {
    ttl: opts["ttl"] as number | undefined,
    refresh: opts["refresh"] as number | undefined,
    retry: opts["retry"] as number | undefined,
    expire: opts["expire"] as number | undefined,
    minimum: opts["minimum"] as number | undefined,
    contact: opts["contact"] as string | undefined,
    mname: opts["mname"] as string | undefined,
  };
}
