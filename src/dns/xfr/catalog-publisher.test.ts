import { describe, expect, it } from "vitest";
import type { Log } from "../../core/log.js";
import type { Zone } from "../../core/zones.js";
import type { ZoneList } from "../../store/ports.js";
import { catalogSerial, createCatalogPublisher } from "./catalog-publisher.js";
import { CatalogZone } from "./catalog-zone.js";

const CAT = "catalog.beacon.invalid";

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (_fields: object, msg?: string) => void lines.push(`${level} ${msg}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A store whose zoneList answers from `state`, counting reads; `gate` holds a read until released. */
function fakeStore(state: { list: ZoneList; fail?: boolean }) {
  let reads = 0;
  let release: (() => void) | undefined;
  let hold = false;
  return {
    get reads() {
      return reads;
    },
    holdNext() {
      hold = true;
    },
    release() {
      release?.();
    },
    read: async (): Promise<ZoneList> => {
      reads++;
      if (hold) {
        hold = false;
        await new Promise<void>((r) => (release = r));
      }
      if (state.fail === true) throw new Error("store away");
      return structuredClone(state.list);
    },
  };
}

function zone(name: string, createdAt: number): Zone {
  return { name, createdAt, serial: 1, ttl: 60, nameservers: ["ns1.example"], soa: {} as Zone["soa"] };
}

function setup(list: ZoneList) {
  const state: { list: ZoneList; fail?: boolean } = { list };
  const store = fakeStore(state);
  const catalog = new CatalogZone(CAT);
  const published: number[] = [];
  const log = recordingLog();
  const publisher = createCatalogPublisher({
    catalog,
    read: store.read,
    published: (s) => published.push(s),
    log,
  });
  return { state, store, catalog, published, log, publisher };
}

describe("catalogSerial", () => {
  it("is the change-log position, in 32 bits, never 0", () => {
    expect(catalogSerial(0)).toBe(1);
    expect(catalogSerial(41)).toBe(41);
    expect(catalogSerial(2 ** 32)).toBe(1);
    expect(catalogSerial(2 ** 32 + 5)).toBe(5);
  });
});

describe("createCatalogPublisher", () => {
  it("publishes the list read on load under its position, and tells NOTIFY", async () => {
    const t = setup({ seq: 12, zones: [{ name: "a.example", createdAt: 1 }] });
    t.publisher.load();
    await t.publisher.idle();
    expect(t.catalog.serial).toBe(12);
    expect(t.published).toEqual([12]);
    expect(t.log.lines).toContain("info catalog zone published");
  });

  it("reads again when a zone appears, is created again or goes away; not for a zone it knows", async () => {
    const t = setup({ seq: 12, zones: [{ name: "a.example", createdAt: 1 }] });
    t.publisher.load();
    await t.publisher.idle();
    t.publisher.zoneChanged(zone("a.example", 1)); // an SOA change of a known zone
    t.publisher.hostChanged("h.a.example", "a.example", []);
    t.publisher.serialChanged("a.example", 2);
    t.publisher.zoneRemoved("unknown.example");
    await t.publisher.idle();
    expect(t.store.reads).toBe(1);

    t.state.list = { seq: 20, zones: [...t.state.list.zones, { name: "b.example", createdAt: 5 }] };
    t.publisher.zoneChanged(zone("b.example", 5));
    await t.publisher.idle();
    t.state.list = {
      seq: 25,
      zones: [
        { name: "a.example", createdAt: 9 },
        { name: "b.example", createdAt: 5 },
      ],
    };
    t.publisher.zoneChanged(zone("a.example", 9)); // deleted and created again
    await t.publisher.idle();
    t.state.list = { seq: 30, zones: [{ name: "a.example", createdAt: 9 }] };
    t.publisher.zoneRemoved("b.example");
    await t.publisher.idle();
    expect(t.store.reads).toBe(4);
    expect(t.published).toEqual([12, 20, 25, 30]);
  });

  it("one read at a time: changes told during a read make exactly one more", async () => {
    const t = setup({ seq: 12, zones: [] });
    t.store.holdNext();
    t.publisher.load();
    t.state.list = { seq: 14, zones: [{ name: "a.example", createdAt: 1 }] };
    t.publisher.zoneChanged(zone("a.example", 1));
    t.publisher.zoneChanged(zone("b.example", 1));
    t.publisher.load();
    expect(t.store.reads).toBe(1);
    t.store.release();
    await t.publisher.idle();
    expect(t.store.reads).toBe(2);
    expect(t.published).toEqual([14]); // both reads see 14 (the first was held): one publish
  });

  it("a failed read is logged and changes nothing; the next change tries again", async () => {
    const t = setup({ seq: 12, zones: [] });
    t.state.fail = true;
    t.publisher.load();
    await t.publisher.idle();
    expect(t.catalog.zone()).toBeUndefined();
    expect(t.log.lines).toContain("warn could not read the zone list for the catalog zone");
    t.state.fail = false;
    t.publisher.zoneChanged(zone("a.example", 1));
    await t.publisher.idle();
    expect(t.catalog.serial).toBe(12);
  });

  it("retry reads again only after a failed read", async () => {
    const t = setup({ seq: 12, zones: [] });
    t.state.fail = true;
    t.publisher.load();
    await t.publisher.idle();
    t.state.fail = false;
    t.publisher.retry();
    await t.publisher.idle();
    expect([t.store.reads, t.catalog.serial]).toEqual([2, 12]);
    t.publisher.retry();
    await t.publisher.idle();
    expect(t.store.reads).toBe(2);
  });

  it("a position that did not move publishes nothing (the same list, the same serial)", async () => {
    const t = setup({ seq: 12, zones: [] });
    t.publisher.load();
    await t.publisher.idle();
    t.publisher.load();
    await t.publisher.idle();
    expect(t.published).toEqual([12]);
  });
});
