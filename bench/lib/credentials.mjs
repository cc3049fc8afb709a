// Credentials for the update loads, written straight into a data dir's store (the CLI would cost
// ~0.7 s per command). Run it BEFORE `beacon serve` starts on that data dir: the server reads its TSIG
// keys when it starts.

import { join } from "node:path";
import { createKeyService } from "../../dist/services/keys.js";
import { createTokenService } from "../../dist/services/tokens.js";
import { openSqliteStore } from "../../dist/store/sqlite/sqlite-store.js";

/** The TSIG key name the loads sign with; peers (BIND, Knot) must be configured with the same key. */
export const BENCH_KEY_NAME = "beacon-bench-key";

/**
 * One token per host, scoped to exactly that host (A and AAAA), and one hmac-sha256 TSIG key allowed to
 * change A and AAAA anywhere at or below `zone`. Returns { tokens: [{ host, token }], tsig: { name,
 * algorithm, secret (base64) } }; the token strings are the full `${id}.${secret}` form.
 */
export async function createCredentials({ dataDir, zone, hosts }) {
  const store = await openSqliteStore({ path: join(dataDir, "beacon.db") });
  try {
    const clock = () => Date.now();
    const tokenService = createTokenService({ store, clock });
    const tokens = [];
    for (const host of hosts) {
      const { token } = await tokenService.create({
        label: `bench ${host}`,
        names: [{ name: host, subtree: false }],
        types: ["A", "AAAA"],
      });
      tokens.push({ host, token });
    }
    const key = await createKeyService({ store, clock }).add({
      name: BENCH_KEY_NAME,
      algorithm: "hmac-sha256",
      names: [{ name: zone, subtree: true }],
      types: ["A", "AAAA"],
      allowedCidrs: [],
    });
    return { tokens, tsig: { name: key.name, algorithm: "hmac-sha256", secret: key.secret } };
  } finally {
    await store.close();
  }
}
