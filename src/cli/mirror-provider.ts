// From a stored mirror target to a working Provider: the type looked up in the provider registry,
// `X_file` secrets read from their files, the settings validated by the provider's own schema. Used
// by `beacon mirror add` (to refuse bad settings before storing them) and by the server's delivery
// worker (which builds each mirror's provider when it first has something to deliver).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import type { ConfigSource } from "../config/errors.js";
import { resolvePlugin } from "../agent/config/plugins.js";
import { BeaconError, type ErrorCode } from "../core/errors.js";
import { PROVIDER_TYPES } from "../providers/registry.js";
import type { Provider, ProviderDeps } from "../providers/types.js";
import type { MirrorTarget } from "../store/types.js";

export interface SettingIssue {
  /** The setting as the user wrote it (e.g. "api_token_file"); "type" for an unknown provider. */
  readonly setting: string;
  readonly message: string;
}

type Checked =
  | { readonly ok: true; readonly provider: (deps: ProviderDeps) => Provider }
  | { readonly ok: false; readonly issues: readonly SettingIssue[] };

const noSource: ConfigSource = { kind: "default" };

/** Never throws: reads `X_file` secrets with `readFile` and validates. */
export function checkMirrorSettings(
  id: string,
  provider: string,
  settings: Readonly<Record<string, unknown>>,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): Checked {
  if (Object.hasOwn(settings, "type")) {
    return {
      ok: false,
      issues: [
        { setting: "type", message: '"type" is not a setting; the provider type is given by --provider' },
      ],
    };
  }
  const r = resolvePlugin("provider", [], id, { ...settings, type: provider }, PROVIDER_TYPES, {
    readFile,
    resolvePath: (p) => resolve(p),
    locate: () => noSource,
  });
  if (!r.ok)
    return { ok: false, issues: r.issues.map((i) => ({ setting: i.setting ?? "", message: i.message })) };
  const { definition, settings: parsed } = r.value;
  return { ok: true, provider: (deps) => definition.create(id, parsed, deps) };
}

/** One message naming every wrong setting. */
export function describeIssues(id: string, issues: readonly SettingIssue[]): string {
  const parts = issues.map((i) =>
    i.setting === "type" || i.setting === "" ? i.message : `${i.setting}: ${i.message}`,
  );
  return `mirror ${id}: ${parts.join("; ")}`;
}

/** Throws `code` (bad_request for the CLI, config_invalid for the worker) when the settings do not work. */
export function buildMirrorProvider(
  mirror: MirrorTarget,
  deps: ProviderDeps,
  code: ErrorCode = "config_invalid",
  readFile?: (path: string) => string,
): Provider {
  const r = checkMirrorSettings(mirror.id, mirror.provider, mirror.settings, readFile);
  if (!r.ok) throw new BeaconError(code, describeIssues(mirror.id, r.issues));
  return r.provider(deps);
}
