// The systemd unit for `beacon serve`, the sysusers.d entry for its account, and the install plan
// (files + commands) that `beacon serve install-service` prints or applies through the agent's
// installer (agent/service/install.ts). Pure text: throws BeaconError("bad_request") naming the
// option for input it cannot render safely, touches no file. deploy/systemd/beacon.service is this
// unit rendered with PACKAGED_PATHS; a test keeps the two identical.
//
// Choices (docs/deploy/systemd.md explains them to operators):
// - A fixed system account (`beacon`, created by systemd-sysusers), not DynamicUser=: admin commands
//   (`beacon user add`, `beacon backup`) open the same SQLite file, and they must run as the account
//   that owns it (`sudo -u beacon …`). A dynamic uid exists only while the service runs, and a file
//   written as root next to the database (its -wal or -shm) would lock the service out of it.
// - The database lives in StateDirectory=beacon (/var/lib/beacon), the one writable place under
//   ProtectSystem=strict: BEACON_DATA_DIR points data_dir there, whatever the config file says.
// - Type=exec: `beacon serve` has no readiness notification (sd_notify needs a Unix datagram socket,
//   which Node cannot open without a native module); exec at least reports a missing binary.
// - CAP_NET_BIND_SERVICE is the one capability kept, for ports 53, 80 and 443 without root.

import { BeaconError } from "../../core/errors.js";
import type { InstallPlan } from "../../agent/service/install.js";
import { checkPath, checkPosixAccount, type ServiceOptions } from "../../agent/service/options.js";
import { shellCommandLine } from "../../agent/service/quote.js";
import { execArg, needsHomeAccess, protectionLines } from "../../agent/service/systemd.js";

export const SERVER_UNIT = "beacon.service";
export const SERVER_UNIT_PATH = `/etc/systemd/system/${SERVER_UNIT}`;
export const SERVER_SYSUSERS_PATH = "/etc/sysusers.d/beacon.conf";
export const SERVER_STATE_DIR = "/var/lib/beacon";
export const DEFAULT_SERVER_CONFIG = "/etc/beacon/beacon.yaml";
export const DEFAULT_SERVER_USER = "beacon";

/**
 * Open files allowed: every HTTP connection (http.max_connections, default 1024), DNS TCP connection
 * (dns.max_tcp_connections 256 + transfers 16), socket, database and module file, with room to raise
 * the caps. Raise it in a drop-in with them.
 */
export const SERVER_LIMIT_NOFILE = 65536;

/** Where the packaged unit expects node and a global npm install of Beacon. */
export const PACKAGED_PATHS = {
  nodePath: "/usr/bin/node",
  entryPath: "/usr/lib/node_modules/beacon-ddns/dist/cli/main.js",
  configPath: DEFAULT_SERVER_CONFIG,
} as const;

export type ServerServiceOptions = Pick<ServiceOptions, "nodePath" | "entryPath" | "configPath"> & {
  /** Account to run as (default `beacon`); never root. */
  readonly user?: string;
};

/** `<node> <entry> --config <file> serve`. */
export function serverArgv(opts: ServerServiceOptions): string[] {
  return [opts.nodePath, opts.entryPath, "--config", opts.configPath, "serve"];
}

function checkServerOptions(opts: ServerServiceOptions): string {
  checkPath("--node", opts.nodePath, "posix");
  checkPath("--entry", opts.entryPath, "posix");
  checkPath("--config", opts.configPath, "posix");
  const user = opts.user ?? DEFAULT_SERVER_USER;
  if (user === "root" || user === "0")
    throw new BeaconError("bad_request", "--user: the server must not run as root");
  checkPosixAccount("--user", user);
  return user;
}

/** The unit file text (install as /etc/systemd/system/beacon.service). */
export function serverUnit(opts: ServerServiceOptions): string {
  const user = checkServerOptions(opts);
  const lines = [
    `# ${SERVER_UNIT}: the Beacon dynamic DNS server. Written by \`beacon serve install-service\`, and`,
    "# packaged as deploy/systemd/beacon.service; put local changes in a drop-in",
    "# (`systemctl edit beacon.service`) so a re-install keeps them. See docs/deploy/systemd.md.",
    "",
    "[Unit]",
    "Description=Beacon dynamic DNS server",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "# beacon serve sends no readiness notification; exec reports a binary that cannot start.",
    "Type=exec",
    `ExecStart=${serverArgv(opts).map(execArg).join(" ")}`,
    "# SIGHUP re-reads what the server reloads in place (log.level, TLS certificates and keys).",
    "ExecReload=/bin/kill -HUP $MAINPID",
    "Restart=on-failure",
    "RestartSec=5s",
    "# Exit status 78 means the configuration is invalid: restarting cannot fix that.",
    "RestartPreventExitStatus=78",
    "# A fixed account, so admin commands can run as the owner of the database: sudo -u beacon beacon …",
    `User=${user}`,
    `Group=${user}`,
    "# /var/lib/beacon, owned by the account (mode 0700), is the one place the server may write: the",
    "# SQLite database lives there whatever data_dir the config file sets.",
    "StateDirectory=beacon",
    "StateDirectoryMode=0700",
    `Environment=BEACON_DATA_DIR=${SERVER_STATE_DIR}`,
    `WorkingDirectory=${SERVER_STATE_DIR}`,
    "ConfigurationDirectory=beacon",
    "UMask=0077",
    "# Every HTTP and DNS TCP connection is a file descriptor: room above the default connection caps.",
    `LimitNOFILE=${SERVER_LIMIT_NOFILE}`,
    "",
    "# Ports 53, 80 and 443 without root: the one capability kept.",
    "AmbientCapabilities=CAP_NET_BIND_SERVICE",
    "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
    "",
    "# Hardening (systemd.exec(5)); `systemd-analyze security beacon.service` rates it.",
    ...protectionLines(needsHomeAccess(opts)),
    "ProtectProc=invisible",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "RemoveIPC=yes",
    "PrivateMounts=yes",
    "# Node's V8 JIT writes machine code and then makes those pages executable, which",
    "# MemoryDenyWriteExecute=yes forbids: node dies at its first compiled function (a V8 fatal",
    "# error; test/e2e/serve-capabilities.test.ts shows it). Deliberately off.",
    "MemoryDenyWriteExecute=no",
    "# PrivateUsers=yes would make CAP_NET_BIND_SERVICE useless (it would hold in a user namespace only).",
    "SystemCallArchitectures=native",
    "# The system calls of an ordinary service, minus privileged and resource-changing ones; a refused",
    "# call fails with EPERM (Node ignores that when it tries to raise its open-file limit).",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged @resources",
    "SystemCallErrorNumber=EPERM",
    "# IPv4/IPv6 and Unix sockets (PostgreSQL's). No AF_NETLINK: the server lists no interfaces, and",
    "# glibc's getaddrinfo assumes both address families are up when it cannot ask netlink.",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ];
  return lines.join("\n");
}

/** sysusers.d(5) entry creating the server's account and group when missing; no login shell. */
export function serverSysusers(user: string): string {
  return [
    `# Account for the Beacon server (${SERVER_UNIT}); created by systemd-sysusers when missing.`,
    `u ${user} - "Beacon dynamic DNS server" ${SERVER_STATE_DIR}`,
    "",
  ].join("\n");
}

/** Every file and command of a Linux install, with what the operator must know next. */
export function planServerInstall(opts: ServerServiceOptions): InstallPlan {
  const user = checkServerOptions(opts);
  const admin = shellCommandLine([
    "sudo",
    "-u",
    user,
    opts.nodePath,
    opts.entryPath,
    "--config",
    opts.configPath,
    "--data-dir",
    SERVER_STATE_DIR,
  ]);
  return {
    platform: "linux",
    files: [
      { path: SERVER_UNIT_PATH, content: serverUnit(opts), mode: 0o644 },
      { path: SERVER_SYSUSERS_PATH, content: serverSysusers(user), mode: 0o644 },
    ],
    commands: [
      ["systemd-sysusers", SERVER_SYSUSERS_PATH],
      ["systemctl", "daemon-reload"],
      // Enable + restart rather than `enable --now`: a re-install restarts a running server with the new unit.
      ["systemctl", "enable", SERVER_UNIT],
      ["systemctl", "restart", SERVER_UNIT],
    ],
    notes: [
      `The server runs as ${user}: make ${opts.configPath} readable by it, e.g. ` +
        `${shellCommandLine(["chgrp", user, opts.configPath])} && chmod 0640 ${shellCommandLine([opts.configPath])}.`,
      `Its database is in ${SERVER_STATE_DIR} (BEACON_DATA_DIR). Run admin commands as ${user}, never as root ` +
        `(a file root creates there locks the server out): ${admin} user add <name>`,
      `Logs, including the first-run setup code: journalctl -u ${SERVER_UNIT} -f. ` +
        `Reload certificates and log.level: systemctl reload ${SERVER_UNIT}.`,
      `Sandbox rating: systemd-analyze security ${SERVER_UNIT}.`,
    ],
  };
}
