// What every service generator needs to know, and the checks they share. Generators are pure: they
// throw a BeaconError (`bad_request`, naming the option) for input they cannot render safely, and
// never touch the file system — so paths are checked for shape only, not for existence.

import { BeaconError } from "../../core/errors.js";

export interface ServiceOptions {
  /** Absolute path of the node binary the service runs. */
  readonly nodePath: string;
  /** Absolute path of Beacon's CLI entry (dist/cli/main.js). */
  readonly entryPath: string;
  /** Absolute path of the agent's config file, passed as `--config`. */
  readonly configPath: string;
  /** Account to run as; on Linux, none means a systemd DynamicUser. Never root. */
  readonly user?: string;
  /** Group to run as (default: the user's name); only together with `user`. */
  readonly group?: string;
  /** Where the agent keeps its state file (Linux default /var/lib/beacon via StateDirectory=). */
  readonly stateDir?: string;
  /** Secret files the agent reads through `*_FILE` settings (systemd: passed as credentials). */
  readonly secretFiles?: readonly string[];
  /** launchd label (default dev.beacon.agent). */
  readonly label?: string;
  /** Local status port; below 1024 it needs CAP_NET_BIND_SERVICE on Linux. */
  readonly statusPort?: number;
}

/** systemd unit name, fixed so docs, `journalctl -u` and upgrades all agree. */
export const SYSTEMD_UNIT = "beacon-agent.service";
export const DEFAULT_LABEL = "dev.beacon.agent";
export const WINDOWS_SERVICE = "BeaconAgent";

/** The agent's argv: `<node> <entry> agent --config <path>`. */
export function agentArgv(opts: ServiceOptions): string[] {
  return [opts.nodePath, opts.entryPath, "agent", "--config", opts.configPath];
}

export type PathStyle = "posix" | "windows";

// Control characters (including newlines) would break every format we write and are never needed.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Throws unless `value` is an absolute path of the given style without control characters. */
export function checkPath(option: string, value: string, style: PathStyle): void {
  if (value.length === 0) throw new BeaconError("bad_request", `${option}: the path is empty`);
  if (CONTROL.test(value))
    throw new BeaconError("bad_request", `${option}: the path contains a control character`);
  if (/\s$/.test(value))
    throw new BeaconError(
      "bad_request",
      `${option}: the path ends with whitespace (service files would drop it)`,
    );
  const absolute = style === "posix" ? value.startsWith("/") : /^([A-Za-z]:\\|\\\\[^\\])/.test(value);
  if (!absolute)
    throw new BeaconError(
      "bad_request",
      `${option}: "${value}" is not an absolute ${style === "posix" ? "path (/…)" : "Windows path (C:\\… or \\\\server\\…)"}`,
    );
  // systemd refuses executables and credential sources that are not normalized.
  if (style === "posix" && value !== "/" && /(\/\/|\/\.\.?(\/|$)|\/$)/.test(value))
    throw new BeaconError(
      "bad_request",
      `${option}: "${value}" is not normalized (no //, /./, /../ or trailing /)`,
    );
}

const POSIX_ACCOUNT = /^[a-z_][a-z0-9_-]{0,30}$/i;

/** Throws unless `name` is a plain POSIX account name (what useradd and systemd accept), and not root. */
export function checkPosixAccount(option: string, name: string): void {
  if (!POSIX_ACCOUNT.test(name))
    throw new BeaconError(
      "bad_request",
      `${option}: "${name}" is not a valid account name (letters, digits, _ and -, at most 31)`,
    );
  if (name === "root" || name === "0")
    throw new BeaconError("bad_request", `${option}: the agent must not run as root`);
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkLabel(label: string): void {
  if (!LABEL.test(label))
    throw new BeaconError(
      "bad_request",
      `--label: "${label}" is not a reverse-DNS label such as ${DEFAULT_LABEL} (letters, digits, . _ -)`,
    );
}

export function checkPort(port: number | undefined): void {
  if (port === undefined) return;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new BeaconError("bad_request", `--status-port: ${port} is not a port number 1–65535`);
}
