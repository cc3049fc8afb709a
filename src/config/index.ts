// Public surface of src/config for the CLI composition root.

export { loadServerConfig, type LoadServerConfigInput } from "./load.js";
export { formatConfigHelp } from "./help.js";
export { parseHostPort, formatHostPort, type HostPortResult } from "./host-port.js";
export { ConfigError, formatIssue, type ConfigIssue, type ConfigSource } from "./errors.js";
export { SETTINGS, SERVER_TABLE, CONFIG_FILE_ENV, type Setting } from "./settings.js";
export type { ServerConfig, HostPort, LogLevel } from "./server-config.js";
export type { PostgresTarget } from "./postgres-url.js";
export type { DynamoTarget } from "./store-choice.js";
