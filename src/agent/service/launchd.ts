// The launchd property list for `beacon agent` on macOS (a LaunchDaemon: starts at boot, no login
// needed). Pure text; every value is XML-escaped, and arguments go to ProgramArguments one per
// <string>, so no shell ever re-splits a path.

import { BeaconError } from "../../core/errors.js";
import {
  agentArgv,
  checkLabel,
  checkPath,
  checkPort,
  checkPosixAccount,
  DEFAULT_LABEL,
  type ServiceOptions,
} from "./options.js";

export const LAUNCHD_LOG_DIR = "/Library/Logs/Beacon";
/** Working directory when no stateDir is given: the agent's relative default state_file lands here. */
export const LAUNCHD_STATE_DIR = "/Library/Application Support/Beacon";

/** Where the plist is installed for a label. */
export function launchdPlistPath(label: string): string {
  return `/Library/LaunchDaemons/${label}.plist`;
}

export function launchdLogPaths(label: string): { readonly out: string; readonly err: string } {
  return { out: `${LAUNCHD_LOG_DIR}/${label}.log`, err: `${LAUNCHD_LOG_DIR}/${label}.err.log` };
}

/** Escapes the five XML specials, so any value is safe as element text or an attribute. */
export function xmlEscape(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

const str = (value: string) => `<string>${xmlEscape(value)}</string>`;
const key = (name: string) => `<key>${xmlEscape(name)}</key>`;

/** The plist text (install as /Library/LaunchDaemons/<label>.plist, owned by root, mode 0644). */
export function launchdPlist(opts: ServiceOptions): string {
  const label = opts.label ?? DEFAULT_LABEL;
  checkLabel(label);
  checkPath("--node", opts.nodePath, "posix");
  checkPath("--entry", opts.entryPath, "posix");
  checkPath("--config", opts.configPath, "posix");
  const stateDir = opts.stateDir ?? LAUNCHD_STATE_DIR;
  checkPath("--state-dir", stateDir, "posix");
  if (opts.user !== undefined) checkPosixAccount("--user", opts.user);
  if (opts.group !== undefined) {
    if (opts.user === undefined) throw new BeaconError("bad_request", "--group needs --user");
    checkPosixAccount("--group", opts.group);
  }
  checkPort(opts.statusPort);
  const logs = launchdLogPaths(label);

  const body = [
    key("Label"),
    str(label),
    key("ProgramArguments"),
    "<array>",
    ...agentArgv(opts).map((a) => `  ${str(a)}`),
    "</array>",
    key("RunAtLoad"),
    "<true/>",
    // Restart whenever it exits with a failure; a clean exit (asked to stop) stays stopped.
    key("KeepAlive"),
    "<dict>",
    `  ${key("SuccessfulExit")}`,
    "  <false/>",
    "</dict>",
    key("ThrottleInterval"),
    "<integer>10</integer>",
    key("StandardOutPath"),
    str(logs.out),
    key("StandardErrorPath"),
    str(logs.err),
    ...(opts.user !== undefined ? [key("UserName"), str(opts.user)] : []),
    ...(opts.group !== undefined ? [key("GroupName"), str(opts.group)] : []),
    // launchd starts jobs in /; the agent's relative default state_file must not land there.
    key("WorkingDirectory"),
    str(stateDir),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    ...body.map((l) => `  ${l}`),
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}
