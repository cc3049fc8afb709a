// Each port module of the memory store passes its port's contract on its own, with only the parts it
// takes: tokens, keys, users, the replay memory and the pools alone; zones (with commit) over the zone data with
// history, mirrors and the change feed, but no tokens, limits or users. The whole store runs every contract in
// memory-store.test.ts.

import { beforeEach, describe } from "vitest";

import type {
  ChangeFeed,
  HistoryStore,
  KeyStore,
  MirrorStore,
  PoolStore,
  ReplayStore,
  SessionStore,
  TokenStore,
  UserStore,
  ZoneStore,
} from "../ports.js";
import { changesContract } from "../testing/changes-contract.js";
import { commitContract } from "../testing/commit-contract.js";
import { historyListContract } from "../testing/history-list-contract.js";
import { hostsContract } from "../testing/hosts-contract.js";
import { keysContract } from "../testing/keys-contract.js";
import { mirrorContract } from "../testing/mirror-contract.js";
import { poolsContract } from "../testing/pools-contract.js";
import { replayContract } from "../testing/replay-contract.js";
import { tokensContract } from "../testing/tokens-contract.js";
import { usersContract } from "../testing/users-contract.js";
import { zonesContract } from "../testing/zones-contract.js";
import { createMemoryChangeFeed, MemoryChangeLog } from "./changes.js";
import { createMemoryHistory } from "./history.js";
import { createMemoryKeys } from "./keys.js";
import { createMemoryMirrors } from "./mirrors.js";
import { createMemoryPools } from "./pools.js";
import { createMemoryReplay } from "./replay.js";
import { createMemoryTokens } from "./tokens.js";
import { createMemoryUsers } from "./users.js";
import { ZoneTables } from "./zone-tables.js";
import { createMemoryZones } from "./zones.js";

type ZonePart = ZoneStore & HistoryStore & MirrorStore & ChangeFeed;

const open = () => undefined;

/** The zone data and the ports over it; a deleted host cascades nowhere (no tokens, no flags here). */
function zonePart(): ZonePart {
  const log = new MemoryChangeLog();
  const tables = new ZoneTables(log, () => undefined);
  const { append, dropZone: dropHistory, ...history } = createMemoryHistory(open, tables);
  const { enqueue, dropZone: dropMirrors, ...mirrors } = createMemoryMirrors(open, tables);
  return {
    ...createMemoryZones({
      open,
      tables,
      history: { append, dropZone: dropHistory },
      mirrors: { enqueue, dropZone: dropMirrors },
    }),
    ...history,
    ...mirrors,
    ...createMemoryChangeFeed(open, log, tables),
  };
}

describe("memory port modules, each with only its parts", () => {
  let tokens: TokenStore;
  let keys: KeyStore;
  let users: UserStore & SessionStore;
  let zones: ZonePart;
  let replay: ReplayStore;
  let pools: PoolStore;
  beforeEach(() => {
    tokens = createMemoryTokens(open);
    keys = createMemoryKeys(open);
    users = createMemoryUsers(open);
    zones = zonePart();
    replay = createMemoryReplay(open);
    pools = createMemoryPools(open);
  });

  tokensContract(() => tokens);
  keysContract(() => keys);
  usersContract(() => users);
  zonesContract(() => zones);
  hostsContract(() => zones);
  commitContract(() => zones);
  historyListContract(() => zones);
  mirrorContract(() => zones);
  changesContract(() => zones);
  replayContract(() => replay);
  poolsContract(() => pools);
});
