import { Command } from "commander";
import { describe, expect, test } from "vitest";
import { AGENT_TABLE } from "../agent/config/settings.js";
import { flagOverridesFor } from "../config/flags.js";
import { SERVER_TABLE } from "../config/settings.js";
import type { SettingsTable } from "../config/table.js";
import { createProgram } from "./program.js";
import { addSettingOptions, settingFlags } from "./setting-options.js";

const program = createProgram();

function command(path: string): Command {
  let cmd: Command | undefined = program;
  for (const name of path.split(" ")) cmd = cmd?.commands.find((c) => c.name() === name);
  if (cmd === undefined) throw new Error(`no command ${path}`);
  return cmd;
}

/** Flags `cmd` accepts: its own and its ancestors'. */
function accepted(cmd: Command): Set<string> {
  const flags = new Set<string>();
  for (let c: Command | null = cmd; c !== null; c = c.parent)
    for (const o of c.options) if (o.long) flags.add(o.long);
  return flags;
}

/** Every command that runs something, by path ("zone add"); groups such as `zone` only dispatch. */
function runnable(cmd: Command, prefix = ""): string[] {
  return cmd.commands.flatMap((c) => {
    const path = `${prefix}${c.name()}`;
    const below = runnable(c, `${path} `);
    return c.commands.length === 0 || path === "agent" || path === "serve" ? [path, ...below] : below;
  });
}

/** Commands that read no configuration of the server or the agent's settings. */
const READS_NONE = new Set(["providers", "agent install-service", "agent password", "serve install-service"]);
const AGENT = new Set(["agent", "ip", "update"]);

describe("every setting is a flag of every command that reads its configuration", () => {
  const paths = runnable(program);
  test("the command tree is what this test expects", () => {
    expect(paths).toEqual(
      expect.arrayContaining(["serve", "zone add", "host list", "mirror add", "history", "update"]),
    );
  });

  test.each(paths.filter((p) => !READS_NONE.has(p)).map((p) => [p]))(
    "%s accepts every setting of its configuration and --config",
    (path) => {
      const flags = accepted(command(path));
      for (const s of (AGENT.has(path) ? AGENT_TABLE : SERVER_TABLE).settings)
        expect(flags, s.flag).toContain(s.flag);
      expect(flags).toContain("--config");
    },
  );

  test("serve lists them in --help; admin commands accept them without listing them", () => {
    const help = (path: string) => command(path).helpInformation();
    for (const s of SERVER_TABLE.settings) expect(help("serve"), s.flag).toContain(s.flag);
    expect(help("serve")).toContain("BEACON_DNS_LIMITS_RRL_SLIP; default 2");
    expect(help("host list")).not.toContain("--dns-limits-rrl-slip");
  });
});

describe("settingFlags", () => {
  function parse(table: SettingsTable, argv: string[]) {
    const cmd = new Command("x").exitOverride();
    addSettingOptions(cmd, table);
    cmd.parse(argv, { from: "user" });
    return settingFlags(table, cmd.opts());
  }

  test("reads each given setting by its key, in the form the config layers coerce", () => {
    const flags = parse(SERVER_TABLE, [
      "--http-listen",
      "127.0.0.1:1,[::1]:1",
      "--http-listen",
      "127.0.0.1:2",
      "--dns-workers",
      "2",
      "--demo-enabled",
      "false",
      "--admin-setup",
      "--http-trusted-proxies",
      "",
    ]);
    expect(flags).toEqual({
      "http.listen": ["127.0.0.1:1", "[::1]:1", "127.0.0.1:2"],
      "dns.workers": "2",
      "demo.enabled": "false",
      "admin.setup": true,
      "http.trusted_proxies": [],
    });
    const { overrides, issues } = flagOverridesFor(SERVER_TABLE, flags);
    expect(issues).toEqual([]);
    expect(Object.fromEntries(overrides.map((o) => [o.setting.key, o.value]))).toMatchObject({
      "dns.workers": 2,
      "demo.enabled": false,
      "admin.setup": true,
    });
  });

  test("a bad value is an issue naming the flag, not a crash", () => {
    const { issues } = flagOverridesFor(SERVER_TABLE, parse(SERVER_TABLE, ["--demo-enabled", "maybe"]));
    expect(issues).toEqual([
      {
        setting: "demo.enabled",
        source: { kind: "flag", name: "--demo-enabled" },
        message: '"maybe" is not a boolean (use true/false/1/0/yes/no)',
      },
    ]);
  });

  test("nothing given, nothing set", () => {
    expect(parse(AGENT_TABLE, [])).toEqual({});
  });
});
