// Source type "command": runs a program (argv, no shell) and takes the single address it prints on
// stdout. The program sees BEACON_FAMILY ("4" or "6") and, for multi-WAN, BEACON_LOCAL_ADDRESS.
// A non-zero exit is `command_failed`, whatever it printed.

import { z } from "zod";
import { addressFromText, quote } from "./extract.js";
import { failed, guardObserve } from "./observe.js";
import { familiesSetting, operatorSetting } from "./schema.js";
import type { SourceDefinition } from "./types.js";

const settings = z.strictObject({
  argv: z.array(z.string().min(1)).min(1).max(64),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  families: familiesSetting.default([4, 6]),
  operator: operatorSetting.optional(),
});

export type CommandSourceSettings = z.infer<typeof settings>;

export const commandSource: SourceDefinition<CommandSourceSettings> = {
  type: "command",
  description: "A program that prints the address",
  settings,
  runsProgram: true,
  create: (id, s, deps) => ({
    id,
    operator: s.operator ?? "command",
    families: s.families,
    observe: (ctx) =>
      guardObserve(s.families, ctx, async () => {
        const result = await deps.runCommand(s.argv, {
          env: {
            ...s.env,
            BEACON_FAMILY: String(ctx.family),
            ...(ctx.localAddress === undefined ? {} : { BEACON_LOCAL_ADDRESS: ctx.localAddress }),
          },
          signal: ctx.signal,
        });
        if (result.code !== 0)
          return failed(
            "command_failed",
            `exit status ${result.code}${result.stderr.trim() ? `: ${quote(result.stderr)}` : ""}`,
          );
        return addressFromText(result.stdout, ctx.family);
      }),
  }),
};
