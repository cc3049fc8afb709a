// The memory store's change log: the rows SQLite's triggers would append, kept in an array
// (MemoryChangeLog, which ZoneTables appends to), and the ChangeFeed port over it, which reads the
// current state of what the rows name from the zone data.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { assembleDelta, touchedBy, zonesToRead, type ChangeRow, type ZoneLogEntry } from "../change-log.js";
import type { AddressChange, ChangeFeed } from "../ports.js";
import type { ZoneView } from "./zone-tables.js";

/** What a row records of the zone or set it changed (SQL: old_value, new_value); host rows have none. */
export type LoggedValue = DistributiveOmit<ZoneLogEntry, "seq" | "fqdn">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Row extends ChangeRow {
  readonly seq: number;
  readonly value?: LoggedValue;
  /** When it was logged (the memory store has no clock of its own; tests only). */
  readonly at: number;
}

export class MemoryChangeLog {
  #rows: Row[] = [];
  #last = 0;

  get last(): number {
    return this.#last;
  }

  record(zone: string, fqdn: string | null, op: "insert" | "update" | "delete", value?: LoggedValue): void {
    this.#rows.push({ seq: ++this.#last, zone, fqdn, op, value, at: Date.now() });
  }

  /** NotifyStore.addressChanges over the rows. */
  addressChanges(after: number, limit: number): { to: number; changes: AddressChange[] } {
    const changes: AddressChange[] = [];
    for (const { seq, zone, fqdn, value: v, at } of this.#rows) {
      if (seq <= after || fqdn === null || v?.kind !== "rrset") continue;
      const type = (v.after ?? v.before)?.type;
      if (type !== "A" && type !== "AAAA") continue;
      changes.push({
        seq,
        zone,
        fqdn,
        type,
        before: v.before?.values ?? [],
        after: v.after?.values ?? [],
        at,
      });
      if (changes.length === limit) return { to: seq, changes };
    }
    return { to: Math.max(after, this.#last), changes };
  }

  /** ChangeFeed.zoneLog over the rows (every row here has a zone). */
  zoneLog(zone: string, serial: number, limit: number): ZoneLogEntry[] | undefined {
    const rows = this.#rows.flatMap(({ seq, zone: z, fqdn, value: v }): ZoneLogEntry[] => {
      if (z !== zone || v === undefined) return [];
      return [v.kind === "zone" ? { seq, ...v } : { seq, fqdn: fqdn!, ...v }];
    });
    const from = rows.findLastIndex((e) => e.kind === "zone" && e.after?.serial === serial);
    return from < 0 || rows.length - from - 1 > limit ? undefined : rows.slice(from);
  }

  /** Rows after `after`, or undefined as Store.changesSince says. */
  since(after: number, limit: number): ChangeRow[] | undefined {
    const first = this.#rows[0]?.seq ?? this.#last + 1;
    if (after > this.#last || after < first - 1 || this.#last - after > limit) return undefined;
    return this.#rows.filter((r) => r.seq > after);
  }

  /** ChangeFeed.zoneList's position: the newest row that created or deleted a zone. */
  get zoneListSeq(): number {
    const row = this.#rows.findLast((r) => r.fqdn === null && r.op !== "update");
    return row?.seq ?? (this.#rows[0]?.seq ?? this.#last + 1) - 1;
  }

  prune(keep: number, limit: number): number {
    const n = Math.max(0, Math.min(this.#rows.length - Math.max(1, keep), limit));
    this.#rows = this.#rows.slice(n);
    return n;
  }
}

/** The ChangeFeed of `log`; deltas are read from `tables` and cloned. */
export function createMemoryChangeFeed(
  open: () => void,
  log: MemoryChangeLog,
  tables: Pick<ZoneView, "zones" | "hosts" | "setsOf">,
): ChangeFeed {
  return {
    async externalVersion() {
      open();
      return 0; // nothing outside this process can write here
    },

    async changeSeq() {
      open();
      return log.last;
    },

    async changesSince(after, limit) {
      open();
      const rows = log.since(after, limit);
      if (rows === undefined) return undefined;
      const touched = touchedBy(rows);
      const present = [...touched.hosts.keys()].flatMap((fqdn) => tables.hosts.get(fqdn) ?? []);
      const zoneNames = zonesToRead(touched, present);
      return structuredClone(
        assembleDelta({
          seq: log.last,
          touched,
          hosts: present,
          rrsets: present.flatMap((h) => tables.setsOf(h.fqdn).map((set) => ({ fqdn: h.fqdn, ...set }))),
          zoneNames,
          zones: [...zoneNames].flatMap((z) => tables.zones.get(z) ?? []),
        }),
      );
    },

    async zoneLog(zone, serial, limit) {
      open();
      return structuredClone(log.zoneLog(zone, serial, limit));
    },

    async zoneList() {
      open();
      const zones = [...tables.zones.values()].map((z) => ({ name: z.name, createdAt: z.createdAt }));
      return { seq: log.zoneListSeq, zones };
    },

    async pruneChanges(keep, limit) {
      open();
      return log.prune(keep, limit);
    },
  };
}
