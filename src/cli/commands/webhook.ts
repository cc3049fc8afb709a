// `beacon webhook add|list|rm|test` (docs/webhooks.md): webhooks are rows in the store, so these work
// on the admin store like the other admin commands and a running server picks the changes up (its
// delivery worker reads the webhooks on every attempt). The secret comes from a file or an environment
// variable, never from the command line (it would land in the shell history and `ps`).

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

import type { Command } from "commander";

import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { createNotifier } from "../../services/notify/notifier.js";
import { checkWebhook, redacted } from "../../services/notify/webhooks.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new BeaconError("invalid_webhook", `cannot read the ${what} file ${file}: ${(e as Error).message}`);
  }
}

/** The secret from --secret-file (trailing newline dropped) or --secret-env; undefined when neither. */
function secretFrom(opts: Record<string, unknown>): string | undefined {
  const file = opts["secretFile"] as string | undefined;
  const env = opts["secretEnv"] as string | undefined;
  if (file !== undefined && env !== undefined)
    throw new BeaconError("invalid_webhook", "give --secret-file or --secret-env, not both");
  if (file !== undefined) return readText(file, "secret").replace(/\r?\n$/, "");
  if (env !== undefined) {
    const v = process.env[env];
    if (v === undefined)
      throw new BeaconError("invalid_webhook", `the environment variable ${env} is not set`);
    return v;
  }
  return undefined;
}

export function registerWebhook(program: Command): void {
  const webhook = program
    .command("webhook")
    .description(
      "webhooks: signed HTTP notifications of pool and address changes (sent by the running server)",
    );

  webhook
    .command("add <id>")
    .description("add a webhook")
    .requiredOption("--url <url>", "where to POST (http or https)")
    .option("--secret-file <file>", "file holding the signing secret (16+ characters)")
    .option("--secret-env <var>", "environment variable holding the signing secret")
    .option("--events <kinds>", "comma-separated event kinds, or * for all (default *)")
    .option("--template-file <file>", "body template with {{field}} placeholders (see docs/webhooks.md)")
    .action(
      action(async (io, opts, id: string) => {
        const events = (opts["events"] as string | undefined)?.split(",").map((e) => e.trim());
        const templateFile = opts["templateFile"] as string | undefined;
        const hook = checkWebhook(
          {
            id,
            url: opts["url"] as string,
            secret: secretFrom(opts),
            ...(events === undefined ? {} : { events }),
            template: templateFile === undefined ? null : readText(templateFile, "template"),
          },
          systemClock(),
        );
        await withAdmin(opts, (ctx) => ctx.store.createWebhook(hook));
        io.out(`webhook ${id} added: ${hook.events.join(",")} → ${hook.url}`);
      }),
    );

  webhook
    .command("list")
    .description("list webhooks (secrets redacted)")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const hooks = await withAdmin(opts, (ctx) => ctx.store.listWebhooks());
        if (opts["json"] === true) return printJson(io, hooks.map(redacted));
        printTable(
          io,
          ["WEBHOOK", "URL", "EVENTS", "TEMPLATE", "ENABLED", "CREATED"],
          hooks.map((h) => [
            h.id,
            h.url,
            h.events.join(","),
            h.template === null ? "-" : "yes",
            h.enabled ? "yes" : "no",
            formatTime(h.createdAt),
          ]),
          "no webhooks (add one with: beacon webhook add <id> --url URL --secret-file FILE)",
        );
      }),
    );

  webhook
    .command("rm <id>")
    .description("delete a webhook and its undelivered events")
    .action(
      action(async (io, opts, id: string) => {
        if (!(await withAdmin(opts, (ctx) => ctx.store.deleteWebhook(id))))
          throw new BeaconError("webhook_not_found", `webhook ${id} does not exist`);
        io.out(`webhook ${id} deleted`);
      }),
    );

  webhook
    .command("test <id>")
    .description("queue a `test` event for the webhook (the running server delivers it)")
    .action(
      action(async (io, opts, id: string) => {
        await withAdmin(opts, async (ctx) => {
          const hook = await ctx.store.getWebhook(id);
          if (hook === undefined) throw new BeaconError("webhook_not_found", `webhook ${id} does not exist`);
          if (!hook.enabled)
            throw new BeaconError(
              "invalid_webhook",
              `webhook ${id} is disabled (its receiver answered 410 Gone)`,
            );
          const notifier = createNotifier({ store: ctx.store, clock: systemClock, newId: randomUUID });
          await notifier.emit([
            { kind: "test", webhook: id, at: systemClock(), message: `test event for webhook ${id}` },
          ]);
        });
        io.out(`test event queued for webhook ${id} (a running server delivers it)`);
      }),
    );
}
