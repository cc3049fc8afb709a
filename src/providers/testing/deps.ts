// ProviderDeps for tests: the real HTTP client (fakes listen on 127.0.0.1), a fixed clock and
// predictable random bytes unless a test passes its own.

import { BeaconError } from "../../core/errors.js";
import { createHttpRequest } from "../../net/http-request.js";
import type { ProviderDeps } from "../types.js";

export const TEST_USER_AGENT = "Beacon/0.0.0-test (provider tests)";

export function testProviderDeps(over: Partial<ProviderDeps> = {}): ProviderDeps {
  return {
    httpRequest: createHttpRequest(),
    dnsExchange: () => Promise.reject(new BeaconError("internal", "no DNS exchange in this test")),
    clock: () => Date.now(),
    userAgent: TEST_USER_AGENT,
    randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff),
    ...over,
  };
}
