import { describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import type { ServiceOptions } from "./options.js";
import { quoteWindowsArg } from "./quote.js";
import { cmdUnescape, splitWindowsArgs } from "./testing/parse.js";
import { SCHTASKS_TR_MAX, windowsService } from "./windows.js";

const base: ServiceOptions = {
  nodePath: "C:\\Program Files\\nodejs\\node.exe",
  entryPath: "C:\\Program Files\\Beacon\\dist\\cli\\main.js",
  configPath: "C:\\ProgramData\\Beacon\\agent config.yaml",
};
const agentArgv = [base.nodePath, base.entryPath, "agent", "--config", base.configPath];

/** What the program finally receives: cmd.exe parsing, then the C runtime's argv splitting. */
const asTyped = (line: string) => splitWindowsArgs(cmdUnescape(line));

describe("windowsService: sc.exe", () => {
  test("binPath= is a separate word followed by the whole command line with inner quotes escaped", () => {
    expect(windowsService(base).service.commands[0]).toBe(
      'sc.exe create BeaconAgent binPath= "\\"C:\\Program Files\\nodejs\\node.exe\\" ' +
        '\\"C:\\Program Files\\Beacon\\dist\\cli\\main.js\\" agent --config ' +
        '\\"C:\\ProgramData\\Beacon\\agent config.yaml\\"" start= delayed-auto DisplayName= "Beacon dynamic DNS agent"',
    );
  });

  test("sc.exe receives binPath as one argument, and the service gets the agent's argv back", () => {
    const args = asTyped(windowsService(base).service.commands[0] ?? "");
    expect(args.slice(0, 4)).toEqual(["sc.exe", "create", "BeaconAgent", "binPath="]);
    expect(splitWindowsArgs(args[4] ?? "")).toEqual(agentArgv);
    expect(args.slice(5)).toEqual(["start=", "delayed-auto", "DisplayName=", "Beacon dynamic DNS agent"]);
  });

  test("restart actions on failure, and non-zero exits count as failures", () => {
    const { commands } = windowsService(base).service;
    expect(commands).toContain(
      "sc.exe failure BeaconAgent reset= 86400 actions= restart/5000/restart/5000/restart/60000",
    );
    expect(commands).toContain("sc.exe failureflag BeaconAgent 1");
    expect(commands.at(-1)).toBe("sc.exe start BeaconAgent");
  });

  test("an account goes to obj= with an empty password= for built-in accounts", () => {
    const args = asTyped(
      windowsService({ ...base, user: "NT AUTHORITY\\LocalService" }).service.commands[0] ?? "",
    );
    expect(args.slice(-4)).toEqual(["obj=", "NT AUTHORITY\\LocalService", "password=", ""]);
  });

  test("explains that bare node.exe needs a service host", () => {
    expect(windowsService(base).service.explanation).toMatch(/1053.*WinSW|WinSW.*1053/s);
  });

  test("the argv form matches the typed form", () => {
    const s = windowsService(base).service;
    expect(s.commands.map(asTyped)).toEqual(s.argv);
  });
});

describe("windowsService: scheduled task", () => {
  test("ONSTART as SYSTEM with /TR quoted the documented way", () => {
    expect(windowsService(base).scheduledTask.commands[0]).toBe(
      'schtasks.exe /Create /TN BeaconAgent /SC ONSTART /RU SYSTEM /TR "\\"C:\\Program Files\\nodejs\\node.exe\\" ' +
        '\\"C:\\Program Files\\Beacon\\dist\\cli\\main.js\\" agent --config ' +
        '\\"C:\\ProgramData\\Beacon\\agent config.yaml\\"" /F',
    );
    const args = asTyped(windowsService(base).scheduledTask.commands[0] ?? "");
    expect(splitWindowsArgs(args[9] ?? "")).toEqual(agentArgv);
  });

  test("lifts the 72-hour limit and restarts, then starts the task", () => {
    const { argv } = windowsService(base).scheduledTask;
    const ps = argv[1] ?? [];
    expect(ps.slice(0, 4)).toEqual(["powershell.exe", "-NoProfile", "-NonInteractive", "-Command"]);
    expect(ps[4]).toContain("Set-ScheduledTask -TaskName 'BeaconAgent'");
    expect(ps[4]).toContain("-ExecutionTimeLimit ([TimeSpan]::Zero)");
    expect(ps[4]).toContain("-RestartCount 999");
    expect(argv[2]).toEqual(["schtasks.exe", "/Run", "/TN", "BeaconAgent"]);
    expect(windowsService(base).scheduledTask.commands.map(asTyped)).toEqual(argv);
  });

  test("runs as the given account instead of SYSTEM", () => {
    const args = windowsService({ ...base, user: "NT AUTHORITY\\LocalService" }).scheduledTask.argv[0] ?? [];
    expect(args[args.indexOf("/RU") + 1]).toBe("NT AUTHORITY\\LocalService");
  });

  test("warns when /TR is longer than schtasks accepts, and only then", () => {
    expect(windowsService(base).scheduledTask.warnings).toEqual([]);
    const deep = `C:\\${"very long folder\\".repeat(14)}agent.yaml`;
    const w = windowsService({ ...base, configPath: deep }).scheduledTask.warnings;
    expect(w).toHaveLength(1);
    expect(w[0]).toContain(`${SCHTASKS_TR_MAX} characters`);
  });
});

describe("windowsService: hostile paths", () => {
  test("& ^ < > | in paths are escaped for cmd.exe wherever cmd is outside its quotes", () => {
    // cmd.exe toggles its quote state at the escaped \" too, so the node path below sits outside it.
    const opts = {
      nodePath: "C:\\R&D tools\\node.exe",
      entryPath: "C:\\R&D\\beacon^1\\main.js",
      configPath: "C:\\a|b\\<x> y.yaml",
    };
    const sc = windowsService(opts).service.commands[0] ?? "";
    expect(sc).toContain('binPath= "\\"C:\\R^&D tools\\node.exe\\" ');
    for (const form of [windowsService(opts).service, windowsService(opts).scheduledTask])
      expect(form.commands.map(asTyped)).toEqual(form.argv);
    const binPath = windowsService(opts).service.argv[0]?.[4] ?? "";
    expect(splitWindowsArgs(binPath)).toEqual([
      opts.nodePath,
      opts.entryPath,
      "agent",
      "--config",
      opts.configPath,
    ]);
  });

  test("C-runtime quoting doubles backslashes only before quotes", () => {
    expect(quoteWindowsArg("C:\\dir with space\\")).toBe('"C:\\dir with space\\\\"');
    expect(quoteWindowsArg('say \\"hi\\"')).toBe('"say \\\\\\"hi\\\\\\""');
    expect(quoteWindowsArg("")).toBe('""');
    expect(quoteWindowsArg("C:\\plain\\path")).toBe("C:\\plain\\path");
    for (const s of ["C:\\dir with space\\", 'a "b" \\\\c\\', "", "x\\\\\\"])
      expect(splitWindowsArgs(quoteWindowsArg(s))).toEqual([s]);
  });

  test.each<[string, Partial<ServiceOptions>, RegExp]>([
    ["a POSIX path", { nodePath: "/usr/bin/node" }, /--node: .*not an absolute Windows path/],
    ["a relative path", { configPath: "agent.yaml" }, /--config: .*not an absolute Windows path/],
    [
      "a double quote",
      { configPath: 'C:\\a"b.yaml' },
      /--config: a Windows path cannot contain a double quote/,
    ],
    ["a %VAR%", { configPath: "C:\\%USERPROFILE%\\agent.yaml" }, /cmd\.exe would expand/],
    ["an odd account", { user: 'evil" & calc' }, /--user: /],
  ])("rejects %s", (_why, bad, message) => {
    const run = () => windowsService({ ...base, ...bad });
    expect(run).toThrow(BeaconError);
    expect(run).toThrow(message);
  });

  test("a UNC path is accepted", () => {
    const unc = "\\\\server\\share\\beacon\\agent.yaml";
    const tr = windowsService({ ...base, configPath: unc }).scheduledTask.argv[0]?.[9] ?? "";
    expect(splitWindowsArgs(tr).at(-1)).toBe(unc);
  });
});
