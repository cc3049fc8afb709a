// The commands that register `beacon agent` on Windows, in two forms. Pure: nothing is run here.
//
// - Service (sc.exe): a real service with restart-on-failure actions. The Service Control Manager
//   expects the program to answer its start/stop protocol, which node.exe does not: started bare,
//   the SCM gives up after about 30 s (error 1053) and kills it. So this form is for running Beacon
//   under a service host (WinSW, NSSM, …) or a node build that speaks the protocol.
// - Scheduled task (schtasks.exe): starts at boot as SYSTEM (or the given account) and works with
//   plain node.exe; this is the form `install-service` applies. A follow-up PowerShell step lifts
//   schtasks' default 72-hour run limit, which would otherwise stop the agent every three days.
//
// Quoting: sc.exe binPath= and schtasks /TR take a whole command line as one argument, so the agent's
// argv is quoted once for the program that will finally run (C-runtime rules), then again as an
// argument of sc.exe/schtasks, and the result is made safe for cmd.exe. The famous
// `binPath= "\"C:\Program Files\nodejs\node.exe\" …"` shape falls out of those two rules.

import { BeaconError } from "../../core/errors.js";
import { agentArgv, checkPath, checkPort, WINDOWS_SERVICE, type ServiceOptions } from "./options.js";
import { cmdEscape, windowsCommandLine } from "./quote.js";

export interface WindowsForm {
  readonly explanation: string;
  /** For an elevated Command Prompt (cmd.exe), in order. */
  readonly commands: readonly string[];
  /** The same commands as argv arrays, to run without a shell. */
  readonly argv: readonly (readonly string[])[];
  /** Problems the commands will hit as given (e.g. a command line too long for schtasks). */
  readonly warnings: readonly string[];
}

export interface WindowsCommands {
  readonly name: string;
  readonly service: WindowsForm;
  readonly scheduledTask: WindowsForm;
}

/** schtasks refuses a /TR longer than this. */
export const SCHTASKS_TR_MAX = 261;

const ACCOUNT = /^[A-Za-z0-9 ._@-]+(\\[A-Za-z0-9 ._@$-]+)?$/;

function checkOptions(opts: ServiceOptions): void {
  for (const [option, path] of [
    ["--node", opts.nodePath],
    ["--entry", opts.entryPath],
    ["--config", opts.configPath],
  ] as const) {
    checkPath(option, path, "windows");
    if (path.includes('"'))
      throw new BeaconError("bad_request", `${option}: a Windows path cannot contain a double quote`);
  }
  if (opts.user !== undefined && !ACCOUNT.test(opts.user))
    throw new BeaconError(
      "bad_request",
      `--user: "${opts.user}" is not an account name such as "NT AUTHORITY\\LocalService" or "DOMAIN\\name"`,
    );
  checkPort(opts.statusPort);
}

/** The sc.exe and schtasks.exe forms, each with its commands and when to use it. */
export function windowsService(opts: ServiceOptions): WindowsCommands {
  checkOptions(opts);
  const name = WINDOWS_SERVICE;
  const commandLine = windowsCommandLine(agentArgv(opts));

  const serviceArgv: string[][] = [
    [
      "sc.exe",
      "create",
      name,
      "binPath=",
      commandLine,
      "start=",
      "delayed-auto",
      "DisplayName=",
      "Beacon dynamic DNS agent",
      ...(opts.user !== undefined ? ["obj=", opts.user, "password=", ""] : []),
    ],
    ["sc.exe", "description", name, "Keeps DNS names pointed at this machine's addresses (beacon agent)."],
    // Restart after 5 s, 5 s, then every 60 s; forget past failures after a day.
    ["sc.exe", "failure", name, "reset=", "86400", "actions=", "restart/5000/restart/5000/restart/60000"],
    // Also count a stop with a non-zero exit code as a failure, not only a crash.
    ["sc.exe", "failureflag", name, "1"],
    ["sc.exe", "start", name],
  ];

  const taskArgv: string[][] = [
    [
      "schtasks.exe",
      "/Create",
      "/TN",
      name,
      "/SC",
      "ONSTART",
      "/RU",
      opts.user ?? "SYSTEM",
      "/TR",
      commandLine,
      "/F",
    ],
    [
      "powershell.exe",
      "-NoProfile",
      "-NonInteractive",
      "-Command",
      `Set-ScheduledTask -TaskName '${name}' -Settings (New-ScheduledTaskSettingsSet ` +
        "-ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) " +
        "-AllowStartIfOnBatteries -DontStopIfGoingOnBatteries)",
    ],
    ["schtasks.exe", "/Run", "/TN", name],
  ];

  const toCmd = (argv: readonly string[]) => cmdEscape(windowsCommandLine(argv));
  const accountNote =
    opts.user === undefined
      ? ""
      : " A regular account (not a built-in one such as NT AUTHORITY\\LocalService) also needs its password.";

  return {
    name,
    service: {
      explanation:
        `Registers the Windows service "${name}" (delayed automatic start, restarted on failure). ` +
        "node.exe does not speak the Service Control Manager protocol, so started bare the SCM stops it " +
        "after ~30 s (error 1053): use this form with a service host such as WinSW or NSSM, pointing " +
        "binPath= at the host." +
        accountNote,
      commands: serviceArgv.map(toCmd),
      argv: serviceArgv,
      warnings: [],
    },
    scheduledTask: {
      explanation:
        `Creates the scheduled task "${name}" that starts the agent at boot as ${opts.user ?? "SYSTEM"}, ` +
        "without anyone logged in, and works with plain node.exe. The PowerShell step removes the default " +
        "72-hour run limit and the battery conditions; Task Scheduler restarts a task that fails to start, " +
        "not one that exits later, so check `schtasks /Query /TN " +
        name +
        " /V` after a crash." +
        accountNote,
      commands: taskArgv.map(toCmd),
      argv: taskArgv,
      warnings:
        commandLine.length > SCHTASKS_TR_MAX
          ? [
              `schtasks /TR is limited to ${SCHTASKS_TR_MAX} characters and this command line has ${commandLine.length}: ` +
                "install Beacon or the config file under a shorter path",
            ]
          : [],
    },
  };
}
