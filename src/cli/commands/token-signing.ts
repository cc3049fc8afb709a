// `beacon token sign-key set|rm` and `beacon token require-signature`: a token's request-signing key
// (services/token-signing.ts, docs/protocols/signed-requests.md).
//
// `set --ed25519 <file|->` takes a public key PEM (from a file or stdin); `--generate` makes an
// Ed25519 pair and `--hmac` an HMAC-SHA256 secret, and the private part is printed once: to stdout,
// or with `--out <file>` into a new file of mode 0600 (an existing file is never overwritten).
// Nothing ever prints a key again; `token list` shows only the algorithm.

import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { BeaconError } from "../../core/errors.js";
import type { NewSigningKey, TokenSigning } from "../../services/token-signing.js";
import { createTokenSigning } from "../../services/token-signing.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { printJson, type Io } from "../output.js";
import { processPasswordInput } from "../password-input.js";

export interface TokenSigningCliDeps {
  /** A file's text, or stdin's for "-". */
  readonly readText: (path: string) => Promise<string>;
  /** Creates `path` with mode 0600; fails if it exists. */
  readonly writeSecret: (path: string, text: string) => Promise<void>;
}

const fsError = (what: string, path: string) => (e: unknown) => {
  throw new BeaconError(
    "bad_request",
    `cannot ${what} ${path} (${(e as { code?: string }).code ?? "error"})`,
  );
};

const defaultDeps: TokenSigningCliDeps = {
  readText: (path) =>
    path === "-" ? processPasswordInput.readStdin() : readFile(path, "utf8").catch(fsError("read", path)),
  writeSecret: (path, text) =>
    writeFile(path, text, { mode: 0o600, flag: "wx" }).catch(fsError("create", path)),
};

export interface SetKeyOptions {
  readonly ed25519?: string | undefined;
  readonly generate?: boolean | undefined;
  readonly hmac?: boolean | undefined;
  readonly out?: string | undefined;
  readonly json?: boolean | undefined;
}

/** The command bodies over the signing service, so tests run them on the memory store. */
export function tokenSigningCommands(signing: TokenSigning, deps: TokenSigningCliDeps = defaultDeps) {
  async function spec(opts: SetKeyOptions): Promise<NewSigningKey> {
    const chosen = [opts.ed25519 !== undefined, opts.generate === true, opts.hmac === true].filter(Boolean);
    if (chosen.length !== 1)
      throw new BeaconError("bad_request", "give exactly one of --ed25519, --generate, --hmac");
    if (opts.ed25519 !== undefined) {
      if (opts.out !== undefined) throw new BeaconError("bad_request", "--out is for --generate and --hmac");
      return { ed25519PublicKey: await deps.readText(opts.ed25519) };
    }
    return { generate: opts.hmac === true ? "hmac-sha256" : "ed25519" };
  }

  return {
    async set(io: Io, id: string, opts: SetKeyOptions): Promise<void> {
      const { token, secret } = await signing.setKey(id, await spec(opts));
      const alg = token.signingKey?.alg;
      if (secret !== undefined && opts.out !== undefined) await deps.writeSecret(opts.out, secret);
      const shown = opts.out === undefined ? secret : undefined;
      if (opts.json === true)
        return printJson(io, {
          id,
          alg,
          ...(shown === undefined ? {} : { secret: shown }),
          ...(opts.out ? { out: opts.out } : {}),
        });
      if (secret === undefined)
        return io.out(`token ${id} now verifies ${alg} signatures with the given public key`);
      const what = alg === "hmac-sha256" ? "HMAC-SHA256 secret (base64)" : "Ed25519 private key";
      if (shown === undefined) return io.out(`token ${id}: ${what} written to ${opts.out ?? ""} (mode 0600)`);
      io.out(`token ${id}: its ${what} is shown only now:\n`);
      io.out(secret);
    },

    async rm(io: Io, id: string, json: boolean): Promise<void> {
      await signing.removeKey(id);
      if (json) return printJson(io, { id, alg: null, requireSignature: false });
      io.out(`token ${id} has no signing key now (and no longer requires signatures)`);
    },

    async require(io: Io, id: string, state: string, json: boolean): Promise<void> {
      if (state !== "on" && state !== "off") throw new BeaconError("bad_request", 'say "on" or "off"');
      const token = await signing.setRequired(id, state === "on");
      if (json)
        return printJson(io, { id, alg: token.signingKey?.alg ?? null, requireSignature: state === "on" });
      io.out(
        state === "on"
          ? `token ${id} now accepts signed requests only`
          : `token ${id} accepts Basic/Bearer use again (and signed requests)`,
      );
    },
  };
}

export function registerTokenSigning(token: Command): void {
  const run = <A extends unknown[]>(
    body: (
      c: ReturnType<typeof tokenSigningCommands>,
      io: Io,
      opts: Record<string, unknown>,
      ...args: A
    ) => Promise<void>,
  ) =>
    action<A>((io, opts, ...args) =>
      withAdmin(opts, (ctx) => body(tokenSigningCommands(createTokenSigning(ctx.store)), io, opts, ...args)),
    );

  const key = token.command("sign-key").description("a token's key for signed update requests");
  key
    .command("set <token>")
    .description("set the key: an Ed25519 public key, or a new Ed25519 pair or HMAC secret printed once")
    .option("--ed25519 <file>", "Ed25519 public key PEM from a file, or - for stdin")
    .option("--generate", "generate an Ed25519 key pair; the private key is printed once")
    .option("--hmac", "generate an HMAC-SHA256 secret (for scripts); printed once")
    .option("--out <file>", "write the private key or secret to this new file (mode 0600) instead of stdout")
    .option("--json", "machine-readable output")
    .action(
      run((c, io, opts, id: string) =>
        c.set(io, id, {
          ed25519: opts["ed25519"] as string | undefined,
          generate: opts["generate"] === true,
          hmac: opts["hmac"] === true,
          out: opts["out"] as string | undefined,
          json: opts["json"] === true,
        }),
      ),
    );
  key
    .command("rm <token>")
    .description("remove the key (and the require-signature flag)")
    .option("--json", "machine-readable output")
    .action(run((c, io, opts, id: string) => c.rm(io, id, opts["json"] === true)));
  token
    .command("require-signature <token> <on|off>")
    .description("on: Basic/Bearer use of the token fails (signature_required); only signed requests work")
    .option("--json", "machine-readable output")
    .action(run((c, io, opts, id: string, state: string) => c.require(io, id, state, opts["json"] === true)));
}
