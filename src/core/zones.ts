// A zone as every layer sees it, and a name scope (a name, or a name and all below it): domain types
// shared by the store, the DNS engine, the services and the key policies.

import type { Soa } from "./soa.js";

export interface Zone {
  readonly name: string;
  /** SOA serial; advances (RFC 1982 arithmetic) on every change to the zone's content. */
  readonly serial: number;
  /** TTL for SOA and NS records and the default for hosts without their own. */
  readonly ttl: number;
  readonly soa: Soa;
  /** NS names, canonical, at least one. */
  readonly nameservers: readonly string[];
  readonly createdAt: number;
}

export interface NameScope {
  readonly name: string;
  /** True: the name and every name below it. */
  readonly subtree: boolean;
}
