// Keeps the catalog zone (catalog-zone.ts) in step with the store's zone list: a ChangeListener on the
// server's fan-out that, when a zone appears, is created again or goes away (and on every load), reads
// the list and its change-log position in one consistent read (ChangeFeed.zoneList) and publishes it.
//
// Why the serial is the change-log position of the newest zone creation or deletion: that position is
// shared by every node on one store, never reused, and grows with every change of the list, so every
// node serves the same serial for the same list and a later list always has a larger serial, whichever
// node made the change and whenever a node (re)started. (Pruning the log past that row makes the
// position "oldest kept − 1": it can grow without a change, which costs a secondary one transfer of the
// same content, and never goes back.) Taken modulo 2^32, 0 read as 1.
//
// Contract:
// - Listener methods return at once and never throw; at most one read runs at a time, and a change
//   told during a read starts one more read after it.
// - A zone of the store with the catalog's own name is left out of it and logged (the catalog shadows
//   it for transfers and SOA queries).
// - A failed read is logged; the next change of the list, the next load or `retry()` tries again
//   (the server calls `retry` whenever it applied another process's changes: the store is back).
// - `published(serial)` is called after each publish that changed the served serial (NOTIFY).
// - `idle()` resolves when no read runs or is due (tests).

import type { Log } from "../../core/log.js";
import type { Zone } from "../../core/zones.js";
import type { ZoneList } from "../../store/ports.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { CatalogZone } from "./catalog-zone.js";

export interface CatalogPublisherDeps {
  readonly catalog: CatalogZone;
  readonly read: () => Promise<ZoneList>;
  readonly published: (serial: number) => void;
  readonly log: Log;
}

export interface CatalogPublisher extends ChangeListener {
  /** A reload of every view: the list is read again. */
  load(): void;
  /** Reads again if the last read failed; nothing otherwise. */
  retry(): void;
  idle(): Promise<void>;
}

/** A change-log position as an SOA serial (32 bits, never 0). */
export function catalogSerial(seq: number): number {
  const serial = seq % 2 ** 32;
  return serial === 0 ? 1 : serial;
}

export function createCatalogPublisher(deps: CatalogPublisherDeps): CatalogPublisher {
  /** name → createdAt of the zones in the list last read. */
  let known = new Map<string, number>();
  let running: Promise<void> | undefined;
  let again = false;
  let failed = false;

  const readOnce = async (): Promise<void> => {
    try {
      const list = await deps.read();
      failed = false;
      known = new Map(list.zones.map((z) => [z.name, z.createdAt]));
      if (list.zones.some((z) => z.name === deps.catalog.name))
        deps.log.warn(
          { zone: deps.catalog.name },
          "a zone has the catalog zone's name: transfers and SOA queries get the catalog, not that zone",
        );
      const serial = catalogSerial(list.seq);
      if (deps.catalog.publish(serial, list.zones)) {
        deps.log.info(
          { zone: deps.catalog.name, serial, members: list.zones.length },
          "catalog zone published",
        );
        deps.published(serial);
      }
    } catch (err) {
      failed = true;
      deps.log.warn({ err, zone: deps.catalog.name }, "could not read the zone list for the catalog zone");
    }
  };

  const refresh = (): void => {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await readOnce();
      } while (again);
      running = undefined;
    })();
  };

  const ignore = (): void => {};
  return {
    load: refresh,
    retry: () => {
      if (failed) refresh();
    },
    zoneChanged: (zone: Zone) => {
      if (known.get(zone.name) !== zone.createdAt) refresh();
    },
    zoneRemoved: (name: string) => {
      if (known.has(name)) refresh();
    },
    hostChanged: ignore,
    hostRemoved: ignore,
    serialChanged: ignore,
    idle: async () => {
      while (running !== undefined) await running;
    },
  };
}
