// The systemd unit for `beacon agent`, and the sysusers.d entry for a named account. Pure text.
//
// Account: without `user` the unit uses DynamicUser=yes. systemd then allocates an unprivileged uid
// when the service starts and releases it when it stops, so there is no account to create, no
// password or shell to leak, and the agent can own nothing on disk but its StateDirectory. Secrets
// that only root may read still reach it through LoadCredential= (systemd reads them as root and
// hands the agent a private read-only copy). With `user`, the unit runs as that fixed account, which
// the installer creates with systemd-sysusers when missing.
//
// Quoting follows systemd.syntax(7) and systemd.service(5), per directive: every `%` is a specifier
// and is doubled; in ExecStart= `$` is doubled too (environment expansion) and arguments with
// anything but plain characters are double-quoted with `\` and `"` backslash-escaped; the source of
// LoadCredential= is split at the first `:` only and taken literally (no quotes).

import { BeaconError } from "../../core/errors.js";
import {
  agentArgv,
  checkPath,
  checkPort,
  checkPosixAccount,
  SYSTEMD_UNIT,
  type ServiceOptions,
} from "./options.js";

export const DEFAULT_STATE_DIR = "/var/lib/beacon";
const STATE_ROOT = "/var/lib/";

/** Paths under these are hidden by ProtectHome=yes; the unit relaxes it to read-only when it must. */
const HOME_ROOTS = ["/home/", "/root/", "/run/user/"];

/** Doubles `%` so systemd does not read it as a specifier. */
export function escapeSpecifiers(value: string): string {
  return value.replaceAll("%", "%%");
}

const PLAIN_WORD = /^[A-Za-z0-9_@+=:,./-]+$/;

/** One word of a systemd list or command line: specifiers escaped, quoted when it is not plain. */
export function systemdWord(value: string): string {
  const escaped = escapeSpecifiers(value);
  if (PLAIN_WORD.test(value)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** One ExecStart= argument: like systemdWord, and `$` doubled so it is not an environment variable. */
export function execArg(value: string): string {
  return systemdWord(value).replaceAll("$", "$$$$");
}

/** Credential ids derived from file names: safe characters only, unique within the unit. */
export function credentialIds(files: readonly string[]): string[] {
  const used = new Set<string>();
  return files.map((file) => {
    const base = (file.split("/").pop() ?? "").replace(/[^A-Za-z0-9._-]/g, "_");
    const stem = base === "" || base === "." || base === ".." ? "secret" : base;
    let id = stem;
    for (let n = 2; used.has(id); n++) id = `${stem}-${n}`;
    used.add(id);
    return id;
  });
}

export interface StateLayout {
  /** StateDirectory= value (relative to /var/lib), when the directory is under /var/lib. */
  readonly stateDirectory?: string;
  /** Absolute directory made writable with ReadWritePaths= when it is elsewhere. */
  readonly readWritePath?: string;
  readonly path: string;
}

/** Where the state lives and how the unit makes it writable under ProtectSystem=strict. */
export function stateLayout(opts: ServiceOptions): StateLayout {
  const path = opts.stateDir ?? DEFAULT_STATE_DIR;
  checkPath("--state-dir", path, "posix");
  if (path.startsWith(STATE_ROOT) && path.length > STATE_ROOT.length)
    return { path, stateDirectory: path.slice(STATE_ROOT.length) };
  if (opts.user === undefined)
    throw new BeaconError(
      "bad_request",
      `--state-dir: "${path}" is outside /var/lib; a dynamic user cannot own it, so give --user too`,
    );
  return { path, readWritePath: path };
}

/** Checks everything the unit renders; throws BeaconError("bad_request") naming the option. */
function checkOptions(opts: ServiceOptions): void {
  checkPath("--node", opts.nodePath, "posix");
  checkPath("--entry", opts.entryPath, "posix");
  checkPath("--config", opts.configPath, "posix");
  for (const file of opts.secretFiles ?? []) checkPath("--secret-file", file, "posix");
  if (opts.user !== undefined) checkPosixAccount("--user", opts.user);
  if (opts.group !== undefined) {
    if (opts.user === undefined) throw new BeaconError("bad_request", "--group needs --user");
    checkPosixAccount("--group", opts.group);
  }
  checkPort(opts.statusPort);
}

/** True when a path the service must read lives where ProtectHome=yes would hide it. */
export function needsHomeAccess(opts: ServiceOptions): boolean {
  return [opts.nodePath, opts.entryPath, opts.configPath].some((p) =>
    HOME_ROOTS.some((root) => p.startsWith(root)),
  );
}

/**
 * The hardening every Beacon unit shares (the agent's and the server's): no new privileges, the file
 * system read-only but for what the unit makes writable, no homes (read-only when `home`), and the
 * kernel, clock and host name out of reach.
 */
export function protectionLines(home: boolean): string[] {
  return [
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    ...(home
      ? [
          "# node, Beacon or the config file is under a home directory: visible read-only, not hidden.",
          "ProtectHome=read-only",
        ]
      : ["ProtectHome=yes"]),
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
  ];
}

/** The unit file text for `beacon agent --config <path>` (install as /etc/systemd/system/beacon-agent.service). */
export function systemdUnit(opts: ServiceOptions): string {
  checkOptions(opts);
  const state = stateLayout(opts);
  const secrets = opts.secretFiles ?? [];
  const ids = credentialIds(secrets);
  const lowPort = opts.statusPort !== undefined && opts.statusPort < 1024;
  const home = needsHomeAccess(opts);

  const account =
    opts.user === undefined
      ? [
          "# A uid allocated by systemd for the lifetime of the service: no account to manage, and it can",
          "# write nothing on disk but its state directory.",
          "DynamicUser=yes",
        ]
      : [`User=${opts.user}`, `Group=${opts.group ?? opts.user}`];

  const lines = [
    `# ${SYSTEMD_UNIT}: the Beacon dynamic DNS agent. Generated by \`beacon agent install-service\`;`,
    "# put local changes in a drop-in (`systemctl edit beacon-agent.service`) so a re-install keeps them.",
    "",
    "[Unit]",
    "Description=Beacon dynamic DNS agent",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${agentArgv(opts).map(execArg).join(" ")}`,
    "Restart=on-failure",
    "RestartSec=5s",
    "# Exit status 78 means the configuration is invalid: restarting cannot fix that.",
    "RestartPreventExitStatus=78",
    ...account,
    ...(state.stateDirectory !== undefined
      ? [
          "# The state file lives here ($STATE_DIRECTORY); systemd creates it, owned by the service's user,",
          "# and keeps it writable under ProtectSystem=strict, so no ReadWritePaths= is needed for it.",
          `StateDirectory=${systemdWord(state.stateDirectory)}`,
          "StateDirectoryMode=0700",
        ]
      : [
          "# The state directory is outside /var/lib: the installer creates it; this keeps it writable.",
          `ReadWritePaths=${systemdWord(state.path)}`,
        ]),
    "# The agent's default state_file (./data/agent-state.json) is relative: keep it in the state directory.",
    `WorkingDirectory=${escapeSpecifiers(state.path)}`,
    "ConfigurationDirectory=beacon",
    "UMask=0077",
    ...(ids.length > 0
      ? [
          "# Secret files, read by systemd as root and given to the agent read-only at",
          "# $CREDENTIALS_DIRECTORY/<name> (point the *_FILE settings there).",
          ...secrets.map((file, i) => `LoadCredential=${ids[i] ?? ""}:${escapeSpecifiers(file)}`),
        ]
      : []),
    "",
    "# Hardening (systemd.exec(5)); `systemd-analyze security beacon-agent.service` rates it.",
    ...protectionLines(home),
    "# Other processes are hidden; /proc/net stays readable (IPv6 address flags come from there).",
    "ProtectProc=invisible",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "RemoveIPC=yes",
    "PrivateMounts=yes",
    "# Node's V8 JIT writes machine code and then makes those pages executable, which",
    "# MemoryDenyWriteExecute=yes forbids: the agent would crash on start. Deliberately off.",
    "MemoryDenyWriteExecute=no",
    "SystemCallArchitectures=native",
    "# The system calls of an ordinary service, minus privileged ones; anything else fails with EPERM",
    "# (which Node and libuv handle) instead of killing the agent.",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged",
    "SystemCallErrorNumber=EPERM",
    ...(lowPort
      ? [
          `# The status port ${opts.statusPort} is below 1024: binding it is the one privilege kept.`,
          "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
          "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        ]
      : ["CapabilityBoundingSet="]),
    "# IPv4/IPv6 for sources and targets, Unix sockets for local services, netlink to watch interfaces.",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ];
  return lines.join("\n");
}

/** sysusers.d(5) entry creating the named account (and group) when missing; no login shell. */
export function sysusersConf(opts: ServiceOptions & { readonly user: string }): string {
  checkPosixAccount("--user", opts.user);
  if (opts.group !== undefined) checkPosixAccount("--group", opts.group);
  const home = stateLayout(opts).path;
  if (/[\s"\\]/.test(home))
    throw new BeaconError("bad_request", `--state-dir: "${home}" cannot be a sysusers.d home directory`);
  const group = opts.group ?? opts.user;
  return [
    "# Account for the Beacon agent (beacon-agent.service); created by systemd-sysusers when missing.",
    ...(group !== opts.user ? [`g ${group} -`] : []),
    `u ${opts.user} - "Beacon dynamic DNS agent" ${escapeSpecifiers(home)}`,
    ...(group !== opts.user ? [`m ${opts.user} ${group}`] : []),
    "",
  ].join("\n");
}
