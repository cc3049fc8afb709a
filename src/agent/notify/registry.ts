// Every notifier type by its config name: one file per type plus one line here.

import { execNotifier } from "./exec.js";
import type { NotifierDefinition } from "./types.js";
import { webhookNotifier } from "./webhook.js";

export const NOTIFIER_TYPES: ReadonlyMap<string, NotifierDefinition> = new Map<string, NotifierDefinition>(
  [webhookNotifier, execNotifier].map((d) => [d.type, d]),
);
