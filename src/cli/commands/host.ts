import type { Command } from "commander";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";
import { registerHostSampleSecret } from "./host-sample-secret.js";
import { intOption } from "./options.js";
import { httpBaseUrl } from "../urls.js";

export function registerHost(program: Command): void {
  const host = program.command("host").description("manage hosts (names that clients update)");

  host
    .command("add <fqdn>")
    .description("create a host in its zone and a token that may update it (shown once)")
    .option("--ttl <seconds>", "TTL for its records (default: the zone's)", intOption("--ttl"))
    .option("--description <text>", "free text shown in listings", "")
    .option("--no-token", "do not create a token for the host")
    .option("--json", "print the host (and token) as JSON")
    .action(
      action(async (io, opts, fqdn: string) => {
        const { created, token, base } = await withAdmin(opts, async (ctx) => {
          const created = await ctx.zones.addHost(fqdn, {
            ttl: opts["ttl"] as number | undefined,
            description: opts["description"] as string,
          });
          const token =
            opts["token"] === false
              ? undefined
              : await ctx.tokens.create({
                  label: `host ${created.fqdn}`,
                  names: [{ name: created.fqdn, subtree: false }],
                  types: ["A", "AAAA", "TXT"],
                  hostId: created.id,
                });
          return { created, token, base: httpBaseUrl(ctx.config) };
        });
        if (opts["json"] === true) {
          return printJson(io, { host: created, token: token?.token, tokenId: token?.record.id });
        }
        io.out(`host ${created.fqdn} created in zone ${created.zone}`);
        if (token === undefined) return;
        io.out(
          [
            "",
            `token (shown once, store it now): ${token.token}`,
            "",
            "update it (dyndns2, as routers and ddclient do):",
            `  curl -u '${created.fqdn}:${token.token}' -A 'beacon-demo/1.0' '${base}/nic/update?hostname=${created.fqdn}&myip=1.2.3.4'`,
            "or with the JSON API:",
            `  curl -X PUT -H 'Authorization: Bearer ${token.token}' -H 'Content-Type: application/json' \\`,
            `       -d '{"values":["1.2.3.4"]}' '${base}/api/v1/hosts/${created.fqdn}/records/A'`,
          ].join("\n"),
        );
      }),
    );

  host
    .command("list")
    .description("list hosts")
    .option("--zone <zone>", "only hosts of this zone")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const rows = await withAdmin(opts, async (ctx) => {
          const hosts = await ctx.zones.listHosts(opts["zone"] as string | undefined);
          const flags = new Map((await ctx.store.listHostFlags()).map((f) => [f.fqdn, f]));
          return Promise.all(
            hosts.map(async (h) => {
              const flag = flags.get(h.fqdn);
              const abuse = flag === undefined ? null : { flaggedAt: flag.flaggedAt, reason: flag.reason };
              return { ...h, records: await ctx.store.getRRSets(h.fqdn), abuse };
            }),
          );
        });
        if (opts["json"] === true) return printJson(io, rows);
        printTable(
          io,
          ["HOST", "ZONE", "A", "AAAA", "UPDATED", "FLAG"],
          rows.map((h) => {
            const get = (t: string) => h.records.find((r) => r.type === t);
            const updated = Math.max(0, ...h.records.map((r) => r.updatedAt));
            return [
              h.fqdn,
              h.zone,
              get("A")?.values.join(",") ?? "-",
              get("AAAA")?.values.join(",") ?? "-",
              updated === 0 ? "-" : formatTime(updated),
              h.abuse === null ? "-" : "abuse",
            ];
          }),
          "no hosts (create one with: beacon host add <fqdn>)",
        );
        const flagged = rows.filter((h) => h.abuse !== null).length;
        if (flagged > 0)
          io.out(
            `\n${flagged} host(s) flagged for update abuse (clients sending updates that change nothing); ` +
              "see docs/limits.md, then: beacon host clear-flag <fqdn>",
          );
      }),
    );

  host
    .command("show <fqdn>")
    .description("show a host and its records")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts, fqdn: string) => {
        const shown = await withAdmin(opts, (ctx) => ctx.zones.showHost(fqdn));
        if (opts["json"] === true) return printJson(io, shown);
        io.out(`${shown.host.fqdn}  (zone ${shown.host.zone}, ttl ${shown.host.ttl ?? "zone default"})`);
        if (shown.host.description !== "") io.out(`  ${shown.host.description}`);
        printTable(
          io,
          ["TYPE", "TTL", "VALUES", "UPDATED"],
          shown.rrsets.map((r) => [r.type, String(r.ttl), r.values.join(" "), formatTime(r.updatedAt)]),
          "  no records yet",
        );
      }),
    );

  host
    .command("clear-flag <fqdn>")
    .description("clear a host's abuse flag (set when its clients keep sending updates that change nothing)")
    .action(
      action(async (io, opts, fqdn: string) => {
        const { name, cleared } = await withAdmin(opts, async (ctx) => {
          const { host: shown } = await ctx.zones.showHost(fqdn);
          return { name: shown.fqdn, cleared: await ctx.store.clearHostFlag(shown.fqdn) };
        });
        io.out(cleared ? `abuse flag of ${name} cleared` : `${name} was not flagged`);
      }),
    );

  host
    .command("rm <fqdn>")
    .description("delete a host and its records, revoking the tokens made for it (history is kept)")
    .action(
      action(async (io, opts, fqdn: string) => {
        await withAdmin(opts, (ctx) => ctx.zones.removeHost(fqdn));
        io.out(`host ${fqdn} deleted`);
      }),
    );

  registerHostSampleSecret(host);
}
