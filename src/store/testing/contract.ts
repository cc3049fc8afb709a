// The Store contract suite: every adapter calls runStoreContract from its own test file. It runs the
// contract of each port (one file each, taking only the ports it needs) against one store. Each test
// gets a fresh, empty store from `make` and releases it with `cleanup`.

import { afterEach, beforeEach, describe } from "vitest";

import type { Store } from "../ports.js";
import { changesContract } from "./changes-contract.js";
import { commitContract } from "./commit-contract.js";
import { copiesContract } from "./copies-contract.js";
import { historyContract } from "./history-contract.js";
import { historyListContract } from "./history-list-contract.js";
import { hostsContract } from "./hosts-contract.js";
import { keysContract } from "./keys-contract.js";
import { lifecycleContract } from "./lifecycle-contract.js";
import { limitsContract } from "./limits-contract.js";
import { mirrorContract } from "./mirror-contract.js";
import { poolsContract } from "./pools-contract.js";
import { notifyContract } from "./notify-contract.js";
import { replayContract } from "./replay-contract.js";
import { sampleCredentialsContract } from "./sample-credentials-contract.js";
import { acmeContract } from "./acme-contract.js";
import { totpContract } from "./totp-contract.js";
import { trustContract } from "./trust-contract.js";
import { tokenSigningContract, tokensContract } from "./tokens-contract.js";
import { usersContract } from "./users-contract.js";
import { zonesContract } from "./zones-contract.js";

export interface StoreFixture {
  readonly store: Store;
  cleanup(): Promise<void>;
}

export function runStoreContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;

    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    const store = () => fx.store;
    zonesContract(store);
    hostsContract(store);
    commitContract(store);
    historyListContract(store);
    tokensContract(store);
    tokenSigningContract(store);
    copiesContract(store);
    historyContract(store);
    mirrorContract(store);
    notifyContract(store);
    keysContract(store);
    limitsContract(store);
    replayContract(store);
    sampleCredentialsContract(store);
    trustContract(store);
    acmeContract(store);
    poolsContract(store);
    usersContract(store);
    totpContract(store);
    changesContract(store);
    lifecycleContract(store);
  });
}
