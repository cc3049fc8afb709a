// The one place provider errors lose their secrets: every provider the registry builds is wrapped, so
// whatever it rejects with — a vendor's body echoing the Authorization header, an HTTP client's error
// quoting a URL with `?apikey=` — reaches the agent's status, the mirror worker's log and store, the
// CLI and the APIs with each secret of that provider's resolved settings (secrets.ts) cut out.

import { createRedactor, type Redactor } from "./redactor.js";
import { secretValues } from "./secrets.js";
import type { Provider, ProviderDefinition } from "../types.js";

/** `def` whose providers reject only with redacted errors (a failing create() throws one too). */
export function withRedaction<S>(def: ProviderDefinition<S>): ProviderDefinition<S> {
  return {
    ...def,
    create(id, settings, deps) {
      const redactor = redactorFor(def, settings);
      try {
        return redacting(def.create(id, settings, deps), redactor);
      } catch (e) {
        throw redactor.error(e);
      }
    },
  };
}

/** A redactor for the secrets in `settings` (resolved: values read from `X_file` included). */
export function redactorFor<S>(def: Pick<ProviderDefinition<S>, "settings">, settings: S): Redactor {
  const values =
    typeof settings === "object" && settings !== null ? (settings as Record<string, unknown>) : {};
  return createRedactor(secretValues(def.settings, values));
}

function redacting(provider: Provider, redactor: Redactor): Provider {
  const guarded =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (e) {
        throw redactor.error(e);
      }
    };
  return {
    id: provider.id,
    type: provider.type,
    capabilities: provider.capabilities,
    get: guarded((fqdn, type, ctx) => provider.get(fqdn, type, ctx)),
    upsert: guarded((req, ctx) => provider.upsert(req, ctx)),
    delete: guarded((fqdn, type, ctx) => provider.delete(fqdn, type, ctx)),
  };
}
