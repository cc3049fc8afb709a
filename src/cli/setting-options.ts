// One commander option per setting of a settings table, named `setting.flag` and helped by the
// table, so every setting of a YAML file or a variable is also a flag (docs/configuration.md is
// generated from the same table). Values are read back by the same names, keyed by setting.

import { Option, type Command } from "commander";
import type { FlagValues } from "../config/flags.js";
import type { Setting, SettingsTable } from "../config/table.js";
import { listOption } from "./commands/options.js";

export interface SettingOptionsOptions {
  /** Accepted but left out of `--help` (admin commands: the server's settings are not their subject). */
  readonly hidden?: boolean;
}

/**
 * Adds an option for each setting of `table` to `cmd`, except those an ancestor already defines
 * (`beacon --data-dir …` is global). Lists are comma-separated or repeated; a boolean given bare
 * means true.
 */
export function addSettingOptions(
  cmd: Command,
  table: SettingsTable,
  opts: SettingOptionsOptions = {},
): void {
  for (const s of table.settings) {
    if (definedAbove(cmd, s.flag)) continue;
    const option = settingOption(s);
    if (opts.hidden === true) option.hideHelp();
    cmd.addOption(option);
  }
}

/** The values given for `table`'s settings in `opts` (commander's optsWithGlobals()), keyed by setting. */
export function settingFlags(table: SettingsTable, opts: object): FlagValues {
  const flags: FlagValues = {};
  for (const s of table.settings) {
    const v: unknown = Reflect.get(opts, settingOption(s).attributeName());
    if (typeof v === "string" || typeof v === "boolean") flags[s.key] = v;
    else if (Array.isArray(v)) flags[s.key] = v.map(String);
  }
  return flags;
}

function settingOption(s: Setting): Option {
  const value = { boolean: "[true|false]", list: "<list>", integer: "<n>", string: "<value>" }[s.kind];
  const fallback = s.defaultText === "" ? "empty" : s.defaultText.replace(/^\((.*)\)$/, "$1");
  const option = new Option(`${s.flag} ${value}`, `${s.help} (${s.env}; default ${fallback})`);
  return s.kind === "list" ? option.argParser(listOption) : option;
}

function definedAbove(cmd: Command, flag: string): boolean {
  for (let c = cmd.parent; c !== null; c = c.parent) {
    if (c.options.some((o) => o.long === flag)) return true;
  }
  return false;
}
