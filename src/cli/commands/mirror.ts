import type { Command } from "commander";
import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { createMirrorService, type MirrorService } from "../../services/mirror/mirrors.js";
import { mirrorStatusViews, mirrorView, type SchemaOf } from "../../services/mirror/views.js";
import { action } from "../action.js";
import { withAdmin, type GlobalOptions } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";

/**
 * Runs `fn` with a mirror service on the admin store (the server's worker notices the changes) and
 * the providers' schemas (which mark their secrets, for the views). The provider registry is loaded
 * on demand: other commands should not pay for every vendor's code.
 */
async function withMirrors<T>(
  opts: GlobalOptions,
  fn: (mirrors: MirrorService, schemaOf: SchemaOf) => Promise<T>,
): Promise<T> {
  const { checkMirrorSettings, describeIssues } = await import("../mirror-provider.js");
  const { PROVIDER_TYPES } = await import("../../providers/registry.js");
  const schemaOf: SchemaOf = (type) => PROVIDER_TYPES.get(type)?.settings;
  return withAdmin(opts, (ctx) =>
    fn(
      createMirrorService({
        store: ctx.store,
        clock: systemClock,
        checkSettings: (id, provider, settings) => {
          const r = checkMirrorSettings(id, provider, settings);
          if (!r.ok) throw new BeaconError("bad_request", describeIssues(id, r.issues));
        },
      }),
      schemaOf,
    ),
  );
}

/** Commander collector for a repeatable option taken verbatim (a value may contain commas). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function describeSettings(shown: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(shown).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length === 0 ? "-" : parts.join(" ");
}

export function registerMirror(program: Command): void {
  const mirror = program
    .command("mirror")
    .description("mirror zones to external DNS providers (changes are delivered by the running server)");

  mirror
    .command("add <id>")
    .description("mirror a zone to a provider and queue its current records for delivery")
    .requiredOption("--zone <zone>", "the zone to mirror")
    .requiredOption("--provider <type>", "provider type (see: beacon providers)")
    .option(
      "--set <key=value>",
      "a provider setting (repeatable); X_file=PATH reads secret X from a file",
      collect,
    )
    .option("--settings-file <file>", "YAML mapping of provider settings (--set wins)")
    .option("--json", "print the mirror as JSON")
    .action(
      action(async (io, opts, id: string) => {
        const provider = opts["provider"] as string;
        const { settingsFromInput } = await import("../mirror-settings.js");
        const settings = settingsFromInput(id, provider, {
          sets: (opts["set"] as string[] | undefined) ?? [],
          file: opts["settingsFile"] as string | undefined,
          cwd: process.cwd(),
        });
        const {
          mirror: m,
          queued,
          view,
        } = await withMirrors(opts, async (s, schemaOf) => {
          const added = await s.add(id, { zone: opts["zone"] as string, provider, settings });
          return { ...added, view: mirrorView(added.mirror, schemaOf) };
        });
        if (opts["json"] === true) return printJson(io, { mirror: view, queued });
        io.out(
          `mirror ${m.id} created: zone ${m.zone} → ${m.provider}; ${queued} record set(s) queued ` +
            "(a running server delivers them; see: beacon mirror status)",
        );
      }),
    );

  mirror
    .command("list")
    .description("list mirrors with their settings (secrets redacted)")
    .option("--zone <zone>", "only mirrors of this zone")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const rows = await withMirrors(opts, async (s, schemaOf) =>
          (await s.list(opts["zone"] as string | undefined)).map((m) => ({
            m,
            view: mirrorView(m, schemaOf),
          })),
        );
        if (opts["json"] === true)
          return printJson(
            io,
            rows.map((r) => r.view),
          );
        printTable(
          io,
          ["MIRROR", "ZONE", "PROVIDER", "CREATED", "SETTINGS"],
          rows.map(({ m, view }) => [
            m.id,
            m.zone,
            m.provider,
            formatTime(m.createdAt),
            describeSettings(view.settings),
          ]),
          "no mirrors (add one with: beacon mirror add <id> --zone <zone> --provider <type> --set key=value)",
        );
      }),
    );

  mirror
    .command("status")
    .description(
      "delivery state of every mirror: pending changes, last success, last error, the node delivering it",
    )
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const { status, views } = await withMirrors(opts, async (s, schemaOf) => {
          const status = await s.status();
          return { status, views: mirrorStatusViews(status, await s.list(), schemaOf) };
        });
        if (opts["json"] === true) return printJson(io, views);
        printTable(
          io,
          [
            "MIRROR",
            "ZONE",
            "PROVIDER",
            "PENDING",
            "DELIVERED",
            "LAST SUCCESS",
            "LAST ERROR",
            "NEXT TRY",
            "DELIVERED BY",
          ],
          status.map((m) => [
            m.id,
            m.zone,
            m.provider,
            String(m.pending),
            String(m.delivered),
            formatTime(m.lastSuccessAt),
            m.lastError === undefined ? "-" : `${m.lastError.code} (${m.attempts}x)`,
            formatTime(m.nextTryAt),
            m.lease === undefined ? "-" : `${m.lease.owner} until ${formatTime(m.lease.until)}`,
          ]),
          "no mirrors",
        );
        for (const v of views) if (v.lastError !== null) io.out(`${v.id}: ${v.lastError.message}`);
      }),
    );

  mirror
    .command("rm <id>")
    .description("delete a mirror and its undelivered changes (records at the provider stay)")
    .action(
      action(async (io, opts, id: string) => {
        await withMirrors(opts, (s) => s.remove(id));
        io.out(`mirror ${id} deleted`);
      }),
    );

  mirror
    .command("resync <id>")
    .description("queue every current record set of the mirror's zone for delivery again")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts, id: string) => {
        const queued = await withMirrors(opts, (s) => s.resync(id));
        if (opts["json"] === true) return printJson(io, { id, queued });
        io.out(`mirror ${id}: ${queued} record set(s) queued`);
      }),
    );
}
