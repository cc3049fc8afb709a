// The catalog zone as served (dns.transfer.catalog): its current records (catalog.ts) under a serial
// given from outside, with the IXFR history of its changes (history.ts), and the TransferSource that
// serves it beside the journal's zones. It lives outside the zone index on purpose: its PTR records are
// no record type the store or the index holds, and it is Beacon's own, never changed by an update.
//
// Promises:
// - `publish(serial, members)` takes a serial newer (RFC 1982) than the one served, or the first one;
//   an older or equal serial changes nothing and returns false (the caller's serials only grow, but
//   reads can finish out of order). Each publish after the first is one IXFR diff.
// - Until the first publish the zone does not exist (transfers: NOTAUTH, as for any unknown zone).
// - `withCatalog` answers the catalog's name from the catalog and every other name from `zones`.

import type { Soa } from "../../core/soa.js";
import { encodeName } from "../wire/name.js";
import { encodeSOA } from "../wire/rdata.js";
import { CATALOG_NS, catalogRecords, type CatalogMember } from "./catalog.js";
import { ZoneHistory } from "./history.js";
import type { TransferSource, ZoneContent } from "./journal.js";
import { difference, type XfrRecord } from "./records.js";
import { compareSerial } from "./serial.js";

/** RFC 9432 §4.1: the SOA's values do not matter to consumers; these keep a lost NOTIFY cheap. */
const CATALOG_SOA: Soa = {
  mname: CATALOG_NS,
  rname: CATALOG_NS,
  refresh: 300,
  retry: 60,
  expire: 2_419_200,
  minimum: 0,
};

export class CatalogZone {
  readonly name: string;
  readonly #owner: Uint8Array;
  readonly #history: ZoneHistory;
  #current: { serial: number; soaRdata: Uint8Array; records: XfrRecord[] } | undefined;

  constructor(name: string, opts: { readonly maxEntries?: number } = {}) {
    this.name = name;
    this.#owner = encodeName(name);
    this.#history = new ZoneHistory(opts.maxEntries ?? 1000);
  }

  get serial(): number | undefined {
    return this.#current?.serial;
  }

  publish(serial: number, members: readonly CatalogMember[]): boolean {
    const old = this.#current;
    if (old !== undefined && compareSerial(serial, old.serial) <= 0) return false;
    const records = catalogRecords(this.name, members);
    const soaRdata = encodeSOA(CATALOG_SOA, serial);
    if (old !== undefined) {
      const { removed, added } = difference(old.records, records);
      this.#history.note(removed, added);
      this.#history.advance(old.serial, old.soaRdata, serial, soaRdata);
    }
    this.#current = { serial, soaRdata, records };
    return true;
  }

  zone(): ZoneContent | undefined {
    const now = this.#current;
    if (now === undefined) return undefined;
    return {
      name: this.name,
      owner: this.#owner,
      serial: now.serial,
      ttl: 0,
      soaRdata: now.soaRdata,
      records: () => now.records,
    };
  }

  diffsSince(serial: number): ReturnType<TransferSource["diffsSince"]> {
    const now = this.#current;
    return now === undefined ? undefined : this.#history.since(serial, now.serial);
  }
}

/** `zones` with the catalog served under its name. */
export function withCatalog(zones: TransferSource, catalog: CatalogZone | undefined): TransferSource {
  if (catalog === undefined) return zones;
  return {
    zone: (name) => (name === catalog.name ? catalog.zone() : zones.zone(name)),
    diffsSince: (name, serial) =>
      name === catalog.name ? catalog.diffsSince(serial) : zones.diffsSince(name, serial),
  };
}
