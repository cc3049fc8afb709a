import type { Command } from "commander";
import { BeaconError } from "../../core/errors.js";
import { normalizeName } from "../../core/names.js";
import { RECORD_TYPES } from "../../core/records.js";
import type { NameScope } from "../../core/zones.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { parseDuration } from "../duration.js";
import { formatTime, printJson, printTable } from "../output.js";
import { cidrsOption, listOption, recordTypesOption } from "./options.js";
import { registerTokenSigning } from "./token-signing.js";

export function registerToken(program: Command): void {
  const token = program.command("token").description("manage update tokens (scoped credentials)");

  token
    .command("create")
    .description("create a token; the secret is printed once")
    .option("--name <fqdn>", "a hostname the token may update (repeatable, comma-separated)", listOption)
    .option("--subtree <name>", "a name the token may update together with every name below it", listOption)
    .option("--type <types>", `record types it may change (default ${RECORD_TYPES.join(",")})`, listOption)
    .option("--cidr <cidrs>", "source addresses it may be used from (default any)", listOption)
    .option("--expires <duration>", "lifetime such as 12h or 90d (default never)")
    .option("--label <text>", "what the token is for", "")
    .option("--json", "print id and token as JSON")
    .action(
      action(async (io, opts) => {
        const names: NameScope[] = [
          ...((opts["name"] as string[] | undefined) ?? []).map((n) => ({
            name: normalizeName(n),
            subtree: false,
          })),
          ...((opts["subtree"] as string[] | undefined) ?? []).map((n) => ({
            name: normalizeName(n),
            subtree: true,
          })),
        ];
        if (names.length === 0) throw new BeaconError("bad_request", "give at least one --name or --subtree");
        const types = recordTypesOption(opts["type"] as string[] | undefined);
        const allowedCidrs = cidrsOption(opts["cidr"] as string[] | undefined);
        const expires = opts["expires"] as string | undefined;
        const created = await withAdmin(opts, (ctx) =>
          ctx.tokens.create({
            label:
              (opts["label"] as string) ||
              names
                .map((n) => (n.subtree ? `${n.name}/*` : n.name))
                .join(", ")
                .slice(0, 200),
            names,
            types,
            allowedCidrs,
            expiresAt: expires === undefined ? undefined : Date.now() + parseDuration(expires, "--expires"),
          }),
        );
        if (opts["json"] === true) return printJson(io, { id: created.record.id, token: created.token });
        io.out(`token ${created.record.id} created; the secret is shown only now:\n\n  ${created.token}\n`);
      }),
    );

  token
    .command("list")
    .description("list tokens (never their secrets)")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const tokens = await withAdmin(opts, (ctx) => ctx.tokens.list());
        // Never a key: only its algorithm, and whether the token must sign.
        const shown = tokens.map(({ secretHash: _hidden, signingKey, requireSignature, ...rest }) => ({
          ...rest,
          signing: signingKey?.alg ?? null,
          requireSignature: requireSignature === true,
        }));
        if (opts["json"] === true) return printJson(io, shown);
        printTable(
          io,
          ["ID", "SCOPE", "TYPES", "LAST USED", "STATUS", "SIGNING", "LABEL"],
          shown.map((t) => [
            t.id,
            t.names.map((n) => (n.subtree ? `${n.name}/*` : n.name)).join(","),
            t.types.join(","),
            formatTime(t.lastUsedAt),
            t.revokedAt !== undefined
              ? "revoked"
              : t.expiresAt !== undefined && t.expiresAt < Date.now()
                ? "expired"
                : "active",
            t.signing === null ? "-" : `${t.signing}${t.requireSignature ? " (required)" : ""}`,
            t.label,
          ]),
          "no tokens",
        );
      }),
    );

  registerTokenSigning(token);

  token
    .command("revoke <id>")
    .description("revoke a token; clients using it get badauth from now on")
    .action(
      action(async (io, opts, id: string) => {
        await withAdmin(opts, (ctx) => ctx.tokens.revoke(id));
        io.out(`token ${id} revoked`);
      }),
    );
}
