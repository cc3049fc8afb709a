// The agent's top-level scalar settings that the environment and flags may set. Names are derived:
// `status.listen` ↔ env `BEACON_AGENT_STATUS_LISTEN` ↔ flag `--status-listen`. Sources, targets,
// notifiers and records live only in the file.

import { LOG_FORMAT_HELP, type SettingKind } from "../../config/schema.js";
import { AGENT_ENV_PREFIX } from "../../config/settings.js";
import { envName, flagName, settingsTable, type Setting, type SettingsTable } from "../../config/table.js";

/** Names the agent's YAML file; not a setting itself. */
export const AGENT_CONFIG_FILE_ENV = "BEACON_AGENT_CONFIG";

function setting(key: string, kind: SettingKind, defaultText: string, help: string): Setting {
  const path = key.split(".");
  return {
    path,
    key,
    env: envName(AGENT_ENV_PREFIX, path),
    flag: flagName(path),
    kind,
    help,
    defaultText,
  };
}

export const AGENT_SETTINGS: readonly Setting[] = [
  setting(
    "interval",
    "string",
    "5m",
    "How often remote sources are polled, ±10% jitter: 30s, 5m, 1h, 500ms or a number of seconds; 1s to 24h.",
  ),
  setting(
    "verify_every",
    "integer",
    "6",
    "Every Nth cycle of a record compares with the live record; 0 never verifies.",
  ),
  setting(
    "verify_resolver",
    "string",
    "(the first nameserver of /etc/resolv.conf)",
    "Resolver for verification (ip or ip:port, IPv6 as [addr]:port); used only when the target cannot report the live record itself (Beacon targets can).",
  ),
  setting(
    "state_file",
    "string",
    "./data/agent-state.json",
    "Where the last published values are kept; a relative path in the file resolves against the file's directory.",
  ),
  setting(
    "status.listen",
    "string",
    "127.0.0.1:9876",
    'Status port: /healthz, /metrics and the local page; "" disables it. A wildcard, public or host-name address needs status.password_hash, or the agent refuses to start.',
  ),
  setting(
    "status.password_hash",
    "string",
    "(none)",
    "Password for the local page, as printed by `beacon agent password` or written by the page's first-visit setup; without it loopback is read-only and a LAN address answers 403.",
  ),
  setting("log.level", "string", "info", "Log level: fatal|error|warn|info|debug|trace|silent."),
  setting("log.format", "string", "auto", LOG_FORMAT_HELP),
  setting(
    "user_agent",
    "string",
    "Beacon-Agent/<version>",
    "User-Agent sent by HTTP sources, targets and notifiers.",
  ),
];

export const AGENT_TABLE: SettingsTable = settingsTable({
  settings: AGENT_SETTINGS,
  envPrefix: AGENT_ENV_PREFIX,
  configFileEnv: AGENT_CONFIG_FILE_ENV,
  what: "Beacon agent",
  // An empty value means something here ("" disables the status port) rather than "unset".
  emptyMeansEmpty: new Set(["status.listen"]),
  otherVariables: { names: [], prefixes: [] },
});
