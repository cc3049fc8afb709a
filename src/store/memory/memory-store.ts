// In-memory Store for service and HTTP tests: plain Maps, same semantics and errors as the SQLite
// store (both pass store/testing/contract.ts). One module per port (zones.ts with commit.ts, tokens.ts,
// history.ts, mirrors.ts, keys.ts, changes.ts, users.ts with sessions.ts and totp.ts, limits.ts,
// pools.ts), over the zone data they share (zone-tables.ts); this file composes them and owns
// open/closed. Every method validates before it mutates, and runs without awaiting in between, so each
// change is atomic. Objects are cloned on the way in and out.

import { BeaconError } from "../../core/errors.js";
import type { Store } from "../ports.js";
import { createMemoryChangeFeed, MemoryChangeLog } from "./changes.js";
import { createMemoryHistory } from "./history.js";
import { createMemoryKeys } from "./keys.js";
import { createMemoryLimits } from "./limits.js";
import { createMemoryReplay } from "./replay.js";
import { createMemorySampleCredentials } from "./sample-credentials.js";
import { createMemoryTrust } from "./trust.js";
import { createMemoryAcme } from "./acme.js";
import { createMemoryMirrors } from "./mirrors.js";
import { createMemoryPools } from "./pools.js";
import { createMemoryNotify } from "./notify.js";
import { createMemoryTokens } from "./tokens.js";
import { createMemoryTotp } from "./totp.js";
import { createMemoryUsers } from "./users.js";
import { ZoneTables } from "./zone-tables.js";
import { createMemoryZones } from "./zones.js";

const CLOSED = "the memory store is closed";

export function createMemoryStore(): Store {
  let closed = false;
  const open = (): void => {
    if (closed) throw new BeaconError("store_unavailable", CLOSED);
  };

  const log = new MemoryChangeLog();
  const { revokeHostTokens, ...tokens } = createMemoryTokens(open);
  // A deleted host takes the tokens made for it and its flag with it, as in the SQLite store.
  const tables = new ZoneTables(log, (host, at) => {
    revokeHostTokens(host.id, at);
    dropFlag(host.fqdn);
  });
  const { dropHost: dropFlag, ...limits } = createMemoryLimits(open, (fqdn) => tables.hosts.has(fqdn));
  const { append, dropZone: dropHistory, ...history } = createMemoryHistory(open, tables);
  const { enqueue, dropZone: dropMirrors, ...mirrors } = createMemoryMirrors(open, tables);
  // A deleted user takes their TOTP factor and sign-in challenges with them.
  const { hasUser, ...users } = createMemoryUsers(open, (name) => dropTotp(name));
  const { dropUser: dropTotp, ...totp } = createMemoryTotp(open, hasUser);

  return {
    ...createMemoryZones({
      open,
      tables,
      history: { append, dropZone: dropHistory },
      mirrors: { enqueue, dropZone: dropMirrors },
    }),
    ...tokens,
    ...history,
    ...mirrors,
    ...createMemoryKeys(open),
    ...createMemoryChangeFeed(open, log, tables),
    ...users,
    ...totp,
    ...limits,
    ...createMemoryReplay(open),
    ...createMemoryPools(open),
    ...createMemoryNotify(open, log),
    ...createMemorySampleCredentials(open),
    ...createMemoryTrust(open),
    ...createMemoryAcme(open),

    health() {
      return closed
        ? { writable: false, problem: { code: "store_unavailable", message: CLOSED } }
        : { writable: true };
    },

    // eslint-disable-next-line @typescript-eslint/require-await -- the port is async; nothing to wait for
    async close() {
      closed = true;
    },
  };
}
