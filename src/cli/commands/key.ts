// `beacon key add|list|rm`: TSIG keys for RFC 2136 UPDATE. The secret is printed once, as an
// `nsupdate -k` key file body and as the `-y algorithm:name:secret` argument nsupdate and knsupdate
// take; `list` never shows it. A running server picks the change up by watching the store.

import type { Command } from "commander";
import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { normalizeName } from "../../core/names.js";
import { RECORD_TYPES } from "../../core/records.js";
import { createKeyService } from "../../services/keys.js";
import type { TsigKeyRecord } from "../../store/types.js";
import type { NameScope } from "../../core/zones.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";
import { cidrsOption, listOption, recordTypesOption } from "./options.js";

/** The body of a BIND key file, as `nsupdate -k` and named.conf read it. */
export function keyFile(key: Pick<TsigKeyRecord, "name" | "algorithm" | "secret">): string {
  return `key "${key.name}" {\n\talgorithm ${key.algorithm};\n\tsecret "${key.secret}";\n};\n`;
}

/** The `-y` argument of nsupdate and knsupdate. */
export function keyArgument(key: Pick<TsigKeyRecord, "name" | "algorithm" | "secret">): string {
  return `${key.algorithm}:${key.name}:${key.secret}`;
}

const scopeText = (names: readonly NameScope[]) =>
  names.map((n) => (n.subtree ? `${n.name}/*` : n.name)).join(",");

export function registerKey(program: Command): void {
  const key = program.command("key").description("manage TSIG keys for RFC 2136 dynamic updates");

  key
    .command("add <name>")
    .description("create a TSIG key; the secret is printed once")
    .option(
      "--algorithm <alg>",
      "hmac-sha256 (default), hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1, hmac-md5",
    )
    .option("--name-scope <fqdn>", "a name the key may change (repeatable, comma-separated)", listOption)
    .option("--subtree <name>", "a name the key may change together with every name below it", listOption)
    .option("--type <types>", `record types it may change (default ${RECORD_TYPES.join(",")})`, listOption)
    .option("--cidr <cidrs>", "source addresses it may be used from (default any)", listOption)
    .option("--json", "print the key (with its secret) as JSON")
    .action(
      action(async (io, opts, name: string) => {
        const names: NameScope[] = [
          ...((opts["nameScope"] as string[] | undefined) ?? []).map((n) => ({
            name: normalizeName(n),
            subtree: false,
          })),
          ...((opts["subtree"] as string[] | undefined) ?? []).map((n) => ({
            name: normalizeName(n),
            subtree: true,
          })),
        ];
        if (names.length === 0)
          throw new BeaconError("bad_request", "give at least one --name-scope or --subtree");
        const types = recordTypesOption(opts["type"] as string[] | undefined);
        const allowedCidrs = cidrsOption(opts["cidr"] as string[] | undefined);
        const algorithm = opts["algorithm"] as string | undefined;
        const created = await withAdmin(opts, (ctx) =>
          createKeyService({ store: ctx.store, clock: systemClock }).add({
            name,
            ...(algorithm === undefined ? {} : { algorithm }),
            names,
            types,
            allowedCidrs,
          }),
        );
        if (opts["json"] === true)
          return printJson(io, { ...created, keyFile: keyFile(created), keyArgument: keyArgument(created) });
        io.out(
          `key ${created.name} (${created.algorithm}) created; the secret is shown only now.\n\n` +
            `For nsupdate -k <file>, save this as the file:\n\n${keyFile(created)}\n` +
            `For knsupdate -y (or nsupdate -y):\n\n  ${keyArgument(created)}\n`,
        );
      }),
    );

  key
    .command("list")
    .description("list TSIG keys (never their secrets)")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const keys = await withAdmin(opts, (ctx) =>
          createKeyService({ store: ctx.store, clock: systemClock }).list(),
        );
        const shown = keys.map(({ secret: _hidden, ...rest }) => rest);
        if (opts["json"] === true) return printJson(io, shown);
        printTable(
          io,
          ["NAME", "ALGORITHM", "SCOPE", "TYPES", "CIDRS", "CREATED"],
          shown.map((k) => [
            k.name,
            k.algorithm,
            scopeText(k.names),
            k.types.join(","),
            k.allowedCidrs.join(",") || "any",
            formatTime(k.createdAt),
          ]),
          "no keys",
        );
      }),
    );

  key
    .command("rm <name>")
    .description("delete a TSIG key; updates signed with it get NOTAUTH (BADKEY) from now on")
    .action(
      action(async (io, opts, name: string) => {
        await withAdmin(opts, (ctx) =>
          createKeyService({ store: ctx.store, clock: systemClock }).remove(name),
        );
        io.out(`key ${normalizeName(name)} removed`);
      }),
    );
}
