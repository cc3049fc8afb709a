// The ports the serverless edition does not have (TSIG keys, sessions, users, replay memory, pools,
// webhooks, ACME state): each method rejects with not_supported, so a caller that reaches one learns why.

import { BeaconError } from "../../core/errors.js";

/** An object whose every named method rejects with not_supported, naming `what`. */
export function unsupported<K extends string>(
  what: string,
  methods: readonly K[],
): Record<K, () => Promise<never>> {
  const fail = (): Promise<never> =>
    Promise.reject(
      new BeaconError("not_supported", `${what} is not available on the DynamoDB store (serverless edition)`),
    );
  return Object.fromEntries(methods.map((m) => [m, fail])) as Record<K, () => Promise<never>>;
}
