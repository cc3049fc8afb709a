// The TSIG keys the server knows, as the DNS side sees them: looked up by key name on every signed
// message, so the lookup is synchronous (an in-memory copy of the store's keys, refreshed when they
// change). UPDATE checks `policy`; zone transfers check the configured transfer keys by name.

import type { RecordType } from "../../core/records.js";
import type { NameScope } from "../../core/zones.js";
import type { TsigKey } from "./tsig.js";

export interface KeyPolicy {
  /** Names (exact or subtree) the key may change with UPDATE. Empty: none. */
  readonly names: readonly NameScope[];
  /** Record types it may change. */
  readonly types: readonly RecordType[];
  /** Source addresses allowed to use it (canonical CIDRs); empty: any. */
  readonly allowedCidrs: readonly string[];
}

export interface ServerKey extends TsigKey {
  readonly policy: KeyPolicy;
}

/** The key with this canonical name, or undefined (→ BADKEY). */
export type Keyring = (name: string) => ServerKey | undefined;
