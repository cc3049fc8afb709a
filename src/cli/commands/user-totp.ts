// `beacon user totp status|reset`: the operator's view of admins' two-factor sign-in, straight in the
// store. `reset <name>` removes a user's TOTP factor and recovery codes (a lost phone): they sign in
// with the password alone and can enrol again from the console. Sessions are left as they are.

import type { Command } from "commander";
import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { createSecondFactor, type SecondFactor } from "../../services/auth/second-factor.js";
import { canonicalUserName } from "../../services/auth/users.js";
import type { Store } from "../../store/ports.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable, type Io } from "../output.js";

/** The command bodies over a store, so tests can run them on the memory store. */
export function userTotpCommands(
  store: Store,
  factor: SecondFactor = createSecondFactor({ store, clock: systemClock }),
) {
  return {
    /** Every admin, with or without a factor, sorted by name. */
    async status(io: Io, json: boolean): Promise<void> {
      const byUser = new Map((await factor.list()).map((s) => [s.user, s]));
      const rows = (await store.listUsers()).map((u) => {
        const s = byUser.get(u.name);
        return {
          user: u.name,
          totp: s === undefined ? "off" : s.enabled ? "on" : "pending",
          recoveryCodesLeft: s?.recoveryCodesLeft ?? 0,
          enabledAt: s?.enabledAt,
        };
      });
      if (json) return printJson(io, rows);
      printTable(
        io,
        ["USER", "TOTP", "RECOVERY CODES LEFT", "ENABLED"],
        rows.map((r) => [
          r.user,
          r.totp,
          r.totp === "on" ? String(r.recoveryCodesLeft) : "-",
          formatTime(r.enabledAt),
        ]),
        "no users (create one with: beacon user add <name>)",
      );
    },

    async reset(io: Io, input: string): Promise<void> {
      const name = canonicalUserName(input);
      if ((await store.getUser(name)) === undefined)
        throw new BeaconError("user_not_found", `no user named ${name}`);
      if (!(await factor.remove(name))) return io.out(`${name} had no two-factor sign-in; nothing changed`);
      // A lost phone may be a stolen one: whoever holds it may hold a session too.
      const ended = await store.deleteUserSessions(name);
      io.out(
        `two-factor sign-in of ${name} removed and ${ended} session(s) signed out; they sign in with their password and can enrol again`,
      );
    },
  };
}

export function registerUserTotp(user: Command): void {
  const totp = user.command("totp").description("two-factor sign-in (TOTP) of admins");
  totp
    .command("status")
    .description("show which admins have two-factor sign-in on, and their recovery codes left")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        await withAdmin(opts, (ctx) => userTotpCommands(ctx.store).status(io, opts["json"] === true));
      }),
    );
  totp
    .command("reset <name>")
    .description("remove an admin's two-factor sign-in (lost device): the password alone signs in")
    .action(
      action(async (io, opts, name: string) => {
        await withAdmin(opts, (ctx) => userTotpCommands(ctx.store).reset(io, name));
      }),
    );
}
