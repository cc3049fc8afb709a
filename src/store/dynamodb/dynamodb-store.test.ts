// The DynamoDB store against dynalite in process: the store contract suites of the ports it has, a
// fresh table per test. Tokens and limits (the store-rest helper's modules, not wired in yet) come from
// the memory store here, so the suites that create tokens run too and check that deleting a host
// revokes its tokens through `hostDeleted`.

import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";

import { createMemoryLimits } from "../memory/limits.js";
import { createMemoryTokens } from "../memory/tokens.js";
import type { Store } from "../ports.js";
import { commitContract } from "../testing/commit-contract.js";
import { copiesContract } from "../testing/copies-contract.js";
import { historyContract } from "../testing/history-contract.js";
import { historyListContract } from "../testing/history-list-contract.js";
import { hostsContract } from "../testing/hosts-contract.js";
import { lifecycleContract } from "../testing/lifecycle-contract.js";
import { mirrorContract } from "../testing/mirror-contract.js";
import { zonesContract } from "../testing/zones-contract.js";
import { openDynamoStore, type RestPorts } from "./dynamodb-store.js";
import { startDynalite, type Dynalite } from "./testing/dynalite.js";

let dyn: Dynalite;

beforeAll(async () => {
  dyn = await startDynalite();
});

afterAll(async () => {
  await dyn.stop();
});

/** The store-rest ports from the memory store; hosts for flags are not checked here. */
function memoryRest(): RestPorts {
  const { revokeHostTokens, ...tokens } = createMemoryTokens(() => undefined);
  const { dropHost, ...limits } = createMemoryLimits(
    () => undefined,
    () => true,
  );
  const none = () => Promise.reject(new Error("not used by these suites"));
  return {
    ...tokens,
    ...limits,
    putSampleCredential: none,
    getSampleCredential: none,
    listSampleCredentials: none,
    deleteSampleCredential: none,
    touchSampleCredential: none,
    hostDeleted: (hosts, at) => {
      for (const h of hosts) {
        revokeHostTokens(h.id, at);
        dropHost(h.fqdn);
      }
      return Promise.resolve();
    },
  };
}

/** A store on a new, empty table. */
async function freshStore(): Promise<Store> {
  return openDynamoStore({ client: dyn.client, table: await dyn.newTable(), rest: memoryRest() });
}

describe("Store contract: dynamodb (dynalite)", () => {
  let store: Store;
  beforeEach(async () => {
    store = await freshStore();
  });
  afterEach(async () => {
    await store.close();
  });

  const get = () => store;
  zonesContract(get);
  hostsContract(get);
  commitContract(get);
  historyListContract(get);
  copiesContract(get);
  historyContract(get);
  mirrorContract(get);
  lifecycleContract(get);
});
