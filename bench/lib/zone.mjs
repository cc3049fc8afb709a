// The benchmark zone, one definition in three forms: an RFC 1035 zone file (BIND, Knot, PowerDNS,
// NSD), a Beacon SQLite data dir, and dnsperf's query file. `h<i>` has one A and one AAAA (the values
// bench/dns.mjs has always used); ns1 is the zone's name server, with glue. Both forms carry the
// same SOA (read back from Beacon's zone row) and serial.

import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { createZoneService } from "../../dist/services/zones.js";
import { openSqliteStore } from "../../dist/store/sqlite/sqlite-store.js";

export const ZONE = "bench.beacon.test";
export const TTL = 60;
const GLUE = "127.0.0.1";

export const hostName = (i, zone = ZONE) => `h${i}.${zone}`;
export const aValue = (i) => `81.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
/** Canonical (RFC 5952) text; below 65,536 the value bench/dns.mjs used. */
export const aaaaValue = (i) =>
  i < 0x10000
    ? `2a02:8070::${i.toString(16)}`
    : `2a02:8070::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
/** A name the query mix asks for that does not exist. */
export const missingName = (i, zone = ZONE) => `missing${i}.${zone}`;

/**
 * Creates Beacon's data dir `dir` holding `zone` with `names` hosts. The zone row comes from Beacon's
 * own zone service (migrations, SOA defaults); hosts and record sets are bulk-inserted with prepared
 * statements in one transaction (a million names in seconds, not the hours of one store call each),
 * then the serial is advanced once, as one commit of the store would. Returns the zone's SOA fields.
 */
export async function buildBeaconDataDir(dir, { zone = ZONE, names }) {
  const path = join(dir, "beacon.db");
  const store = await openSqliteStore({ path });
  const noop = { zoneChanged() {}, zoneRemoved() {}, hostChanged() {}, hostRemoved() {}, serialChanged() {} };
  try {
    await createZoneService({ store, clock: Date.now, listener: noop }).addZone(zone, {});
  } finally {
    await store.close();
  }
  const db = new BetterSqlite3(path);
  try {
    db.pragma("synchronous = OFF");
    const now = Date.now();
    // Host ids as the store gives them: from the counters row, which is advanced past them below.
    let id = db.prepare("select value from counters where name = 'host_id'").get().value;
    const insertHost = db.prepare(
      "insert into hosts (id, fqdn, zone, ttl, description, created_at) values (?, ?, ?, null, '', ?)",
    );
    const host = { run: (fqdn, z, at) => insertHost.run(++id, fqdn, z, at) };
    const rrset = db.prepare(
      "insert into rrsets (fqdn, type, ttl, values_json, updated_at) values (?, ?, ?, ?, ?)",
    );
    const load = db.transaction(() => {
      const ns = `ns1.${zone}`;
      host.run(ns, zone, now);
      rrset.run(ns, "A", TTL, JSON.stringify([GLUE]), now);
      for (let i = 0; i < names; i++) {
        const fqdn = hostName(i, zone);
        host.run(fqdn, zone, now);
        rrset.run(fqdn, "A", TTL, JSON.stringify([aValue(i)]), now);
        rrset.run(fqdn, "AAAA", TTL, JSON.stringify([aaaaValue(i)]), now);
      }
      db.prepare("update counters set value = ? where name = 'host_id'").run(id);
      // nextSerial of core/serial: +1, wrapping past 2^32 - 1 to 1.
      db.prepare(
        "update zones set serial = case when serial >= 4294967295 then 1 else serial + 1 end where name = ?",
      ).run(zone);
    });
    load();
    db.pragma("wal_checkpoint(TRUNCATE)");
    const soa = db.prepare("select * from zones where name = ?").get(zone);
    return {
      serial: soa.serial,
      ttl: soa.ttl,
      mname: soa.mname,
      rname: soa.rname,
      refresh: soa.refresh,
      retry: soa.retry,
      expire: soa.expire,
      minimum: soa.minimum,
      nameservers: JSON.parse(soa.nameservers_json),
    };
  } finally {
    db.close();
  }
}

/** Writes the zone as an RFC 1035 master file at `path`, with the SOA `soa` (from buildBeaconDataDir). */
export function writeZoneFile(path, { zone = ZONE, names, soa }) {
  const fd = openSync(path, "w");
  try {
    const head = [
      `$ORIGIN ${zone}.`,
      `$TTL ${TTL}`,
      `@ ${soa.ttl} IN SOA ${soa.mname}. ${soa.rname}. ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`,
      ...soa.nameservers.map((ns) => `@ ${soa.ttl} IN NS ${ns}.`),
      `ns1 ${TTL} IN A ${GLUE}`,
    ];
    writeSync(fd, `${head.join("\n")}\n`);
    let chunk = [];
    for (let i = 0; i < names; i++) {
      chunk.push(`h${i} ${TTL} IN A ${aValue(i)}\nh${i} ${TTL} IN AAAA ${aaaaValue(i)}`);
      if (chunk.length === 10_000 || i === names - 1) {
        writeSync(fd, `${chunk.join("\n")}\n`);
        chunk = [];
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** dnsperf's input: 20,000 queries, A and AAAA over the names, every 20th a name that does not exist. */
export function writeQueryFile(path, { zone = ZONE, names }) {
  const lines = [];
  for (let i = 0; i < 20_000; i++) {
    const n = (i * 7919) % names;
    if (i % 20 === 0) lines.push(`${missingName(i, zone)} A`);
    else lines.push(`${hostName(n, zone)} ${i % 2 === 0 ? "A" : "AAAA"}`);
  }
  const fd = openSync(path, "w");
  try {
    writeSync(fd, `${lines.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
}
