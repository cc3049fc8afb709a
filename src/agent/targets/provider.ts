// Any provider as an agent target: the provider's type, description and settings schema, and a
// Target whose publish() writes through the provider. Readable providers are asked first, so an
// address the vendor already holds costs one read and no write (and no write-rate budget); write-only
// providers are written, and their "unchanged" (dyndns2 nochg) is a noop too.
//
// Error codes become target statuses (types.ts):
// - fatal: the configuration must change (credentials, permission, zone, a rejected or unsupported
//   write, a conflicting record).
// - backoff: the vendor asked us to wait (rate limited: its Retry-After, else 5 minutes; unavailable
//   with a Retry-After, e.g. dyndns2 911 → at least 30 minutes).
// - retry: transient (network → "network", the signal fired → "timeout", malformed_reply,
//   unavailable without a wait, anything else).

import { BeaconError, isBeaconError } from "../../core/errors.js";
import type { ProviderDefinition, ProviderDeps, WriteRequest } from "../../providers/types.js";
import { isUnchanged } from "../../providers/kit/sets.js";
import { invalidRequest, messageOf, neverThrows } from "./failures.js";
import type { PublishRequest, PublishResult, Target, TargetDefinition, TargetDeps } from "./types.js";

/** How long to wait after a rate limit that did not say how long. */
export const RATE_LIMIT_DEFAULT_WAIT_MS = 5 * 60_000;

const FATAL = new Set([
  "provider_auth",
  "provider_permission",
  "provider_zone_not_found",
  "provider_rejected",
  "provider_unsupported",
  "provider_conflict",
]);

export function providerTarget<S>(def: ProviderDefinition<S>): TargetDefinition<S> {
  return {
    type: def.type,
    description: def.description,
    settings: def.settings,
    create(id, settings, deps) {
      const provider = def.create(id, settings, providerDeps(deps));
      const what = `${def.type} ${id}`;
      const target: Target = {
        id,
        publish: (req) =>
          neverThrows(req.signal, what, async () => {
            const invalid = invalidRequest(req);
            if (invalid !== undefined) return invalid;
            const ctx = { signal: req.signal, localAddress: req.localAddress };
            const write: WriteRequest = {
              fqdn: req.fqdn,
              type: req.type,
              values: [...new Set(req.values)].sort(),
              ttl: req.ttl,
            };
            try {
              if (provider.capabilities.read) {
                const held = await provider.get(write.fqdn, write.type, ctx);
                if (isUnchanged(held, write)) return { status: "noop", detail: `${what}: already holds it` };
              }
              const outcome = await provider.upsert(write, ctx);
              return outcome === "unchanged"
                ? { status: "noop", detail: `${what}: the provider reports no change` }
                : { status: "updated", detail: `${what}: written` };
            } catch (e) {
              return resultOfError(e, req);
            }
          }),
      };
      if (!provider.capabilities.read) return target;
      return {
        ...target,
        async current(fqdn, type, signal) {
          try {
            return (await provider.get(fqdn, type, { signal }))?.values ?? [];
          } catch {
            return undefined;
          }
        },
      };
    },
  };
}

/** A provider's failure as a PublishResult (the message names the provider and quotes the vendor). */
export function resultOfError(e: unknown, req: Pick<PublishRequest, "signal">): PublishResult {
  if (!isBeaconError(e)) return { status: "retry", code: "internal", detail: messageOf(e) };
  const detail = e.message;
  if (e.code === "aborted" || req.signal.aborted) return { status: "retry", code: "timeout", detail };
  if (e.code === "network_error") return { status: "retry", code: "network", detail };
  if (FATAL.has(e.code)) return { status: "fatal", code: e.code, detail };
  const asked = e.details?.["retryAfterMs"];
  const wait = typeof asked === "number" && asked > 0 ? asked : undefined;
  if (e.code === "provider_rate_limited")
    return { status: "backoff", code: e.code, detail, retryAfterMs: wait ?? RATE_LIMIT_DEFAULT_WAIT_MS };
  if (e.code === "provider_unavailable" && wait !== undefined)
    return { status: "backoff", code: e.code, detail, retryAfterMs: wait };
  return { status: "retry", code: e.code, detail };
}

/** The agent's deps as a provider's; DNS exchange and randomness only when src/cli wired them. */
function providerDeps(deps: TargetDeps): ProviderDeps {
  return {
    httpRequest: deps.httpRequest,
    clock: deps.clock,
    userAgent: deps.userAgent,
    dnsExchange:
      deps.dnsExchange ??
      (() => Promise.reject(new BeaconError("internal", "no DNS exchange is wired into this agent"))),
    randomBytes:
      deps.randomBytes ??
      (() => {
        throw new BeaconError("internal", "no random source is wired into this agent");
      }),
  };
}
