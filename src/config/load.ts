// The configuration pipeline of `beacon serve`: the shared layers (defaults → YAML file → BEACON_*
// environment → flags, later wins per setting → validated by zod) over the server's settings table,
// then the store chosen (store-choice.ts: a PostgreSQL URL file and AWS_REGION are read here), the
// HTTPS settings checked together (tls-settings.ts) and the built ServerConfig.

import { dirname, resolve } from "node:path";
import { buildServerConfig } from "./build.js";
import { ConfigError, formatPath } from "./errors.js";
import { sortIssues } from "./issues.js";
import { readLayers, type LayerInput } from "./layers.js";
import { rawConfigSchema } from "./schema.js";
import type { ServerConfig } from "./server-config.js";
import { SERVER_TABLE, childKeys } from "./settings.js";
import { chooseStore } from "./store-choice.js";
import { tlsIssues } from "./tls-settings.js";

/** `file` is from --config; else env BEACON_CONFIG; else no file (defaults). */
export type LoadServerConfigInput = LayerInput;

/** Returns the built config or throws ConfigError listing every problem found. */
export function loadServerConfig(input: LoadServerConfigInput): ServerConfig {
  const layers = readLayers(SERVER_TABLE, rawConfigSchema, childKeys, input);
  const { yaml, parsed } = layers;
  if (layers.issues.length > 0 || !parsed.success) throw new ConfigError(sortIssues(layers.issues));

  // A path written in the file is relative to the file; from env or flags, to the working directory.
  const resolvePath = (key: string, value: string): string =>
    yaml !== undefined && layers.fromFile(key)
      ? resolve(dirname(yaml.file), value)
      : resolve(input.cwd, value);
  const store = chooseStore(parsed.data.store, {
    readFile: layers.readFile,
    resolvePath,
    locate: layers.locate,
    env: input.env,
  });
  const issues = [...store.issues, ...tlsIssues(parsed.data.http.tls, layers.locate)];
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  // acme.enabled needs names: which names is not guessable.
  if (parsed.data.acme.enabled && parsed.data.acme.names.length === 0) {
    const setting = ["acme", "names"];
    const message = "required when acme.enabled is true: the names the certificate is for";
    throw new ConfigError([{ setting: formatPath(setting), source: layers.locate(setting), message }]);
  }
  return buildServerConfig(parsed.data, resolvePath, yaml?.file, store);
}
