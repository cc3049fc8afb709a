// Installing the agent as a service: planInstall decides every file and command (pure, so
// `--dry-run` prints exactly what would happen), applyInstall carries a plan out through injected
// I/O. Files are written first, then commands run in order; the first failing command stops it.

import { BeaconError } from "../../core/errors.js";
import {
  launchdLogPaths,
  launchdPlist,
  launchdPlistPath,
  LAUNCHD_LOG_DIR,
  LAUNCHD_STATE_DIR,
} from "./launchd.js";
import { DEFAULT_LABEL, SYSTEMD_UNIT, type ServiceOptions } from "./options.js";
import { shellCommandLine } from "./quote.js";
import { credentialIds, stateLayout, sysusersConf, systemdUnit, needsHomeAccess } from "./systemd.js";
import { windowsService } from "./windows.js";

export type ServicePlatform = "linux" | "darwin" | "win32";

export interface PlannedFile {
  readonly path: string;
  readonly content: string;
  /** Permission bits to leave on the file (0o644 for service definitions, 0o600 for anything secret). */
  readonly mode: number;
}

export interface InstallPlan {
  readonly platform: ServicePlatform;
  readonly files: PlannedFile[];
  /** argv arrays, run in order without a shell. */
  readonly commands: string[][];
  /** What the person installing must know or do next. */
  readonly notes: string[];
}

export interface PlanOptions extends ServiceOptions {
  readonly platform: NodeJS.Platform;
  readonly dryRun: boolean;
}

export const SYSTEMD_UNIT_PATH = `/etc/systemd/system/${SYSTEMD_UNIT}`;
export const SYSUSERS_PATH = "/etc/sysusers.d/beacon-agent.conf";
const CREDENTIALS_DIR = `/run/credentials/${SYSTEMD_UNIT}`;

export function isServicePlatform(p: string): p is ServicePlatform {
  return p === "linux" || p === "darwin" || p === "win32";
}

/** Every file and command for the platform; throws BeaconError("bad_request") for unusable options. */
export function planInstall(opts: PlanOptions): InstallPlan {
  const { platform } = opts;
  if (!isServicePlatform(platform))
    throw new BeaconError(
      "bad_request",
      `--platform: services can be installed on linux, darwin and win32, not ${platform}`,
    );
  const plan =
    platform === "linux" ? planLinux(opts) : platform === "darwin" ? planDarwin(opts) : planWindows(opts);
  if (opts.dryRun) plan.notes.push("Dry run: nothing was written and no command was run.");
  return plan;
}

function planLinux(opts: ServiceOptions): InstallPlan {
  const unit = systemdUnit(opts);
  const state = stateLayout(opts);
  const files: PlannedFile[] = [{ path: SYSTEMD_UNIT_PATH, content: unit, mode: 0o644 }];
  const commands: string[][] = [];
  const notes: string[] = [];
  if (opts.user !== undefined) {
    files.push({ path: SYSUSERS_PATH, content: sysusersConf({ ...opts, user: opts.user }), mode: 0o644 });
    commands.push(["systemd-sysusers", SYSUSERS_PATH]);
    if (state.readWritePath !== undefined)
      commands.push([
        "install",
        "-d",
        "-o",
        opts.user,
        "-g",
        opts.group ?? opts.user,
        "-m",
        "0700",
        state.readWritePath,
      ]);
    notes.push(
      `The agent runs as ${opts.user}: make ${opts.configPath} readable by it, e.g. ` +
        shellCommandLine(["chgrp", opts.group ?? opts.user, opts.configPath]) +
        ` && chmod 0640 ${shellCommandLine([opts.configPath])}.`,
    );
  } else {
    notes.push(
      `The agent runs as a systemd dynamic user: ${opts.configPath} must be readable by any user ` +
        "(mode 0644), so keep secrets out of it and pass them as files with --secret-file.",
    );
  }
  // Enable + restart rather than `enable --now`: on a re-install the running agent picks up the new unit.
  commands.push(
    ["systemctl", "daemon-reload"],
    ["systemctl", "enable", SYSTEMD_UNIT],
    ["systemctl", "restart", SYSTEMD_UNIT],
  );
  const secrets = opts.secretFiles ?? [];
  const ids = credentialIds(secrets);
  secrets.forEach((file, i) =>
    notes.push(
      `Secret ${file} reaches the agent as ${CREDENTIALS_DIR}/${ids[i] ?? ""}: point its *_FILE setting there.`,
    ),
  );
  notes.push(
    `The service may write only in ${state.path} (its working directory, also $STATE_DIRECTORY): ` +
      "the default state_file lands there; a state_file set in the config must point there too.",
  );
  if (needsHomeAccess(opts))
    notes.push(
      "node, Beacon or the config is under a home directory, so the unit uses ProtectHome=read-only; " +
        "moving them to /usr/local and /etc/beacon allows ProtectHome=yes.",
    );
  notes.push(
    `Logs: journalctl -u ${SYSTEMD_UNIT} -f. Sandbox rating: systemd-analyze security ${SYSTEMD_UNIT}.`,
  );
  return { platform: "linux", files, commands, notes };
}

function planDarwin(opts: ServiceOptions): InstallPlan {
  const label = opts.label ?? DEFAULT_LABEL;
  const plist = launchdPlist(opts);
  const path = launchdPlistPath(label);
  // macOS accounts rarely have a same-named group, so the group changes only when one is given.
  const owner =
    opts.user === undefined ? undefined : opts.group === undefined ? opts.user : `${opts.user}:${opts.group}`;
  const dirs = [LAUNCHD_LOG_DIR, opts.stateDir ?? LAUNCHD_STATE_DIR];
  const commands: string[][] = [
    ...dirs.flatMap((dir) => [["mkdir", "-p", dir], ...(owner !== undefined ? [["chown", owner, dir]] : [])]),
    // Unload a previous install first (it is fine if there is none) so the new plist takes effect.
    ["/bin/sh", "-c", `launchctl bootout system/${label} 2>/dev/null || true`],
    ["launchctl", "enable", `system/${label}`],
    ["launchctl", "bootstrap", "system", path],
  ];
  const logs = launchdLogPaths(label);
  const reader = opts.user ?? "root";
  return {
    platform: "darwin",
    files: [{ path, content: plist, mode: 0o644 }],
    commands,
    notes: [
      ...(opts.user !== undefined
        ? [
            `The agent runs as ${opts.user}, which must already exist (System Settings or sysadminctl); ` +
              `make ${opts.configPath} readable by it.`,
          ]
        : ["The agent runs as root; give it an account of its own with --user (e.g. _beacon)."]),
      ...(opts.secretFiles ?? []).map((f) => `Secret ${f} must be readable by ${reader}.`),
      `The agent starts in ${opts.stateDir ?? LAUNCHD_STATE_DIR}, where its default state_file lands.`,
      `Logs: ${logs.out} and ${logs.err}. Status: sudo launchctl print system/${label}.`,
    ],
  };
}

function planWindows(opts: ServiceOptions): InstallPlan {
  const forms = windowsService(opts);
  return {
    platform: "win32",
    files: [],
    commands: forms.scheduledTask.argv.map((a) => [...a]),
    notes: [
      "Run from an elevated prompt (Administrator).",
      "The agent starts in C:\\Windows\\System32: set state_file in the config to an absolute path, " +
        "e.g. C:\\ProgramData\\Beacon\\agent-state.json.",
      forms.scheduledTask.explanation,
      ...forms.scheduledTask.warnings,
      `Alternative, as a Windows service: ${forms.service.explanation}`,
      ...forms.service.commands,
      ...(opts.secretFiles ?? []).map((f) => `Secret ${f} must be readable by ${opts.user ?? "SYSTEM"}.`),
    ],
  };
}

export interface InstallDeps {
  /** Creates or replaces the file (and missing parent folders), leaving exactly `mode` on it. */
  readonly writeFile: (path: string, content: string, mode: number) => Promise<void>;
  /** Runs argv without a shell and resolves with its exit status. */
  readonly run: (argv: readonly string[]) => Promise<number>;
}

export interface InstallResult {
  readonly written: string[];
  readonly ran: string[][];
}

/** Writes the plan's files, then runs its commands in order; throws on the first failing command. */
export async function applyInstall(plan: InstallPlan, deps: InstallDeps): Promise<InstallResult> {
  const written: string[] = [];
  const ran: string[][] = [];
  for (const file of plan.files) {
    await deps.writeFile(file.path, file.content, file.mode);
    written.push(file.path);
  }
  for (const argv of plan.commands) {
    const status = await deps.run(argv);
    ran.push(argv);
    if (status !== 0)
      throw new BeaconError("internal", `\`${shellCommandLine(argv)}\` exited with status ${status}`, {
        details: { written, ran },
      });
  }
  return { written, ran };
}
