// Public surface of the agent's configuration for the CLI: loadAgentConfig with the real registries
// of source, target and notifier types.

import { SOURCE_TYPES } from "../detect/registry.js";
import { NOTIFIER_TYPES } from "../notify/registry.js";
import { TARGET_TYPES } from "../targets/registry.js";
import type { AgentConfig } from "./agent-config.js";
import { loadAgentConfigWith, type AgentRegistries, type LoadAgentConfigInput } from "./load.js";

export const AGENT_REGISTRIES: AgentRegistries = {
  sources: SOURCE_TYPES,
  targets: TARGET_TYPES,
  notifiers: NOTIFIER_TYPES,
};

/** Throws ConfigError listing every problem (setting, file:line:col, what would be right). */
export function loadAgentConfig(input: LoadAgentConfigInput): AgentConfig {
  return loadAgentConfigWith(input, AGENT_REGISTRIES);
}

export { loadAgentConfigWith, type AgentRegistries, type LoadAgentConfigInput } from "./load.js";
export type { AgentConfig, Configured, RecordConfig, RecordBind, Ipv6Host } from "./agent-config.js";
export { AGENT_SETTINGS, AGENT_CONFIG_FILE_ENV } from "./settings.js";
export { BUILTIN } from "./records.js";
export { formatDuration } from "../../config/duration.js";
