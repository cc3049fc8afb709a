// `beacon acme status [--json]`: the automatic certificate's state as the store holds it (every node
// of a shared store sees the same), read without the server. Never prints a key.

import type { Command } from "commander";
import { acmeStatusView } from "../../services/acme/status.js";
import { SERVER_CERTIFICATE } from "../../services/acme/renewal.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { printJson } from "../output.js";

export function registerAcme(program: Command): void {
  const acme = program.command("acme").description("automatic certificates (docs/deploy/acme.md)");
  acme
    .command("status")
    .description("show the ACME certificate: names, expiry, next renewal, last error")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const view = await withAdmin(opts, async (ctx) =>
          acmeStatusView(ctx.config.acme, await ctx.store.getAcmeState(SERVER_CERTIFICATE)),
        );
        if (opts["json"] === true) return printJson(io, view);
        const c = view.certificate;
        const lines: [string, string][] = [
          ["enabled", String(view.enabled)],
          ["directory", view.directoryUrl],
          ["names", view.names.join(", ") || "-"],
          [
            "certificate",
            c === null
              ? "none yet"
              : c.names.join(", ") + (c.matchesNames ? "" : " (other names: the server orders anew)"),
          ],
          ["expires", c?.notAfter ?? "-"],
          ["renewal", c?.renewalAt ?? "-"],
          ["last attempt", view.lastAttemptAt ?? "-"],
          ["last error", view.lastError ?? "-"],
          ["failures", String(view.failures)],
          ["next attempt", view.nextAttemptAt ?? "-"],
        ];
        io.out(lines.map(([k, v]) => `${k.padEnd(13)}${v}`).join("\n"));
      }),
    );
}
