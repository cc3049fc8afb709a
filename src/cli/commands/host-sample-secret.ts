// `beacon host sample-secret set|rm|list`: the per-host credentials of the AWS sample's protocol
// (services/sample-compat.ts, docs/protocols/aws-sample.md). A credential is bound to the host's id
// when made: a host deleted and re-created under the same name needs a new one. `set` takes the
// secret from --secret-file (to keep an existing deployment's secret, so its clients change nothing)
// or generates one and prints it once; nothing ever lists a secret again.

import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { systemClock, type Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { normalizeName } from "../../core/names.js";
import type { SampleCredentialStore, ZoneStore } from "../../store/ports.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable, type Io } from "../output.js";
import type { ReadText } from "../password-input.js";

/** Longest secret taken from a file (the sample's clients put it on a command line). */
export const MAX_SAMPLE_SECRET = 256;

export interface SampleSecretDeps {
  readonly readFile: ReadText;
  readonly randomBytes: (size: number) => Uint8Array;
  readonly clock: Clock;
}

const defaultDeps: SampleSecretDeps = {
  readFile: (path) =>
    readFile(path, "utf8").catch((e: unknown) => {
      throw new BeaconError(
        "bad_request",
        `cannot read the secret file ${path} (${(e as { code?: string }).code ?? "error"})`,
      );
    }),
  randomBytes: (size) => randomBytes(size),
  clock: systemClock,
};

type Store = SampleCredentialStore & Pick<ZoneStore, "getHost">;

/** The file's first line; refused when empty, too long or holding control characters. */
export function secretFromFile(text: string, path: string): string {
  const secret = (text.split(/\r?\n/)[0] ?? "").trim();
  if (secret === "") throw new BeaconError("bad_request", `the secret file ${path} is empty`);
  if (secret.length > MAX_SAMPLE_SECRET)
    throw new BeaconError(
      "bad_request",
      `the secret in ${path} is longer than ${MAX_SAMPLE_SECRET} characters`,
    );
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(secret))
    throw new BeaconError("bad_request", `the secret in ${path} holds control characters`);
  return secret;
}

/** The command bodies over a store, so tests run them on the memory store. */
export function sampleSecretCommands(store: Store, deps: SampleSecretDeps = defaultDeps) {
  async function hostOf(raw: string) {
    const fqdn = normalizeName(raw);
    const host = await store.getHost(fqdn);
    if (host === undefined) throw new BeaconError("host_not_found", `no host "${fqdn}"`);
    return host;
  }

  return {
    async set(io: Io, raw: string, opts: { file?: string | undefined; json: boolean }): Promise<void> {
      const host = await hostOf(raw);
      const file = opts.file;
      const generated = file === undefined;
      const secret = generated
        ? Buffer.from(deps.randomBytes(24)).toString("base64url")
        : secretFromFile(await deps.readFile(file), file);
      await store.putSampleCredential({
        fqdn: host.fqdn,
        secret,
        hostId: host.id,
        createdAt: deps.clock(),
        lastUsedAt: undefined,
      });
      const shown = generated ? secret : undefined;
      if (opts.json) return printJson(io, { fqdn: host.fqdn, hostId: host.id, secret: shown });
      io.out(`AWS-sample credential of ${host.fqdn} set (it replaces any earlier one)`);
      if (shown !== undefined) io.out(`secret (shown once, store it now): ${shown}`);
      io.out(
        "its clients update with the sample's dyndns.sh unchanged: ./dyndns.sh -m set -u <beacon url> " +
          `-h ${host.fqdn} -s <secret> (needs compat.aws_sample: true; weaknesses: docs/protocols/aws-sample.md)`,
      );
    },

    async rm(io: Io, raw: string): Promise<void> {
      const fqdn = normalizeName(raw);
      if (!(await store.deleteSampleCredential(fqdn)))
        throw new BeaconError("not_found", `${fqdn} has no AWS-sample credential`);
      io.out(`AWS-sample credential of ${fqdn} removed`);
    },

    async list(io: Io, json: boolean): Promise<void> {
      const rows = await Promise.all(
        (await store.listSampleCredentials()).map(async (c) => ({
          fqdn: c.fqdn,
          hostId: c.hostId,
          // False once the host is gone or re-created: the credential then updates nothing.
          valid: (await store.getHost(c.fqdn))?.id === c.hostId,
          createdAt: c.createdAt,
          lastUsedAt: c.lastUsedAt ?? null,
        })),
      );
      if (json) return printJson(io, rows);
      printTable(
        io,
        ["HOST", "VALID", "CREATED", "LAST USED"],
        rows.map((r) => [
          r.fqdn,
          r.valid ? "yes" : "no (host re-created or gone)",
          formatTime(r.createdAt),
          r.lastUsedAt === null ? "-" : formatTime(r.lastUsedAt),
        ]),
        "no AWS-sample credentials (give a host one with: beacon host sample-secret set <fqdn>)",
      );
    },
  };
}

export function registerHostSampleSecret(host: Command, deps: SampleSecretDeps = defaultDeps): void {
  const cmd = host
    .command("sample-secret")
    .description("manage hosts' credentials for the AWS sample's protocol (compat.aws_sample)");
  const run = (
    opts: Parameters<typeof withAdmin>[0],
    fn: (c: ReturnType<typeof sampleSecretCommands>) => Promise<void>,
  ) => withAdmin(opts, (ctx) => fn(sampleSecretCommands(ctx.store, deps)));

  cmd
    .command("set <fqdn>")
    .description("give a host a credential: the secret from --secret-file, or a generated one printed once")
    .option(
      "--secret-file <path>",
      "read the secret (the sample's shared_secret) from this file's first line",
    )
    .option("--json", "print the result as JSON")
    .action(
      action(async (io, opts, fqdn: string) => {
        const file = opts["secretFile"] as string | undefined;
        await run(opts, (c) => c.set(io, fqdn, { file, json: opts["json"] === true }));
      }),
    );

  cmd
    .command("rm <fqdn>")
    .description("remove a host's credential")
    .action(action(async (io, opts, fqdn: string) => run(opts, (c) => c.rm(io, fqdn))));

  cmd
    .command("list")
    .description("list the hosts that have a credential (never the secrets)")
    .option("--json", "machine-readable output")
    .action(action(async (io, opts) => run(opts, (c) => c.list(io, opts["json"] === true))));
}
