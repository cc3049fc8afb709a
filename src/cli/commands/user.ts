// `beacon user add|list|passwd|rm` (and `user totp`, user-totp.ts): admin-console users, straight in the store (a running server sees
// them at the next sign-in). This is also how a headless install creates the first admin. A password
// comes from --password-file (first line), else stdin when it is not a terminal (first line), else a
// prompt asked twice without echo; it is never printed, logged or taken as an argument (argv is
// visible to every user of the machine).

import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { canonicalUserName, createUserService, type UserService } from "../../services/auth/users.js";
import type { Store } from "../../store/ports.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable, type Io } from "../output.js";
import { registerUserTotp } from "./user-totp.js";
import {
  processPasswordInput,
  readNewPassword,
  type PasswordInput,
  type ReadText,
} from "../password-input.js";

export interface UserCommandDeps {
  readonly input: PasswordInput;
  readonly readFile: ReadText;
}

const defaultDeps: UserCommandDeps = {
  input: processPasswordInput,
  readFile: async (path) => {
    const text = await readFile(path, "utf8").catch((e: unknown) => {
      const code = (e as { code?: string }).code ?? "error";
      throw new BeaconError("bad_request", `cannot read the password file ${path} (${code})`);
    });
    return text;
  },
};

/** The command bodies over a store, so tests can run them on the memory store. */
export function userCommands(
  store: Store,
  deps: UserCommandDeps,
  users: UserService = createUserService({ store, clock: systemClock }),
) {
  return {
    async add(io: Io, name: string, file: string | undefined): Promise<void> {
      const password = await readNewPassword(
        deps.input,
        name,
        file === undefined ? undefined : { path: file, read: deps.readFile },
      );
      const u = await users.add(name, password);
      io.out(`user ${u.name} added`);
    },

    async list(io: Io, json: boolean): Promise<void> {
      const list = await users.list();
      if (json) return printJson(io, list);
      printTable(
        io,
        ["NAME", "ROLE", "CREATED", "PASSWORD CHANGED"],
        list.map((u) => [u.name, u.role, formatTime(u.createdAt), formatTime(u.passwordChangedAt)]),
        "no users (create one with: beacon user add <name>)",
      );
    },

    async passwd(io: Io, name: string, file: string | undefined): Promise<void> {
      const password = await readNewPassword(
        deps.input,
        name,
        file === undefined ? undefined : { path: file, read: deps.readFile },
      );
      await users.setPassword(name, password);
      const ended = await store.deleteUserSessions(canonicalUserName(name));
      io.out(`password of ${canonicalUserName(name)} changed; ${ended} session(s) signed out`);
    },

    async rm(io: Io, name: string): Promise<void> {
      await users.remove(name);
      io.out(`user ${canonicalUserName(name)} removed; their sessions are signed out`);
    },
  };
}

export function registerUser(program: Command, deps: UserCommandDeps = defaultDeps): void {
  const user = program.command("user").description("manage admin-console users");
  const run = <T>(
    opts: Parameters<typeof withAdmin>[0],
    fn: (c: ReturnType<typeof userCommands>) => Promise<T>,
  ) => withAdmin(opts, (ctx) => fn(userCommands(ctx.store, deps)));

  user
    .command("add <name>")
    .description("create an admin (password from --password-file, stdin, or a prompt)")
    .option("--password-file <path>", "read the password from the first line of this file")
    .action(
      action(async (io, opts, name: string) => {
        await run(opts, (c) => c.add(io, name, opts["passwordFile"] as string | undefined));
      }),
    );

  user
    .command("list")
    .description("list admins (never their password hashes)")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        await run(opts, (c) => c.list(io, opts["json"] === true));
      }),
    );

  user
    .command("passwd <name>")
    .description("set an admin's password and sign out all of their sessions")
    .option("--password-file <path>", "read the password from the first line of this file")
    .action(
      action(async (io, opts, name: string) => {
        await run(opts, (c) => c.passwd(io, name, opts["passwordFile"] as string | undefined));
      }),
    );

  user
    .command("rm <name>")
    .description("delete an admin and sign out all of their sessions")
    .action(
      action(async (io, opts, name: string) => {
        await run(opts, (c) => c.rm(io, name));
      }),
    );

  registerUserTotp(user);
}
