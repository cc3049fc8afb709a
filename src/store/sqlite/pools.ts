// PoolStore in SQLite (tables of migration 0013_pools, rows in sql/pool-rows.ts). A pool's member ids
// are read from its spec's JSON, in the transaction that needs them: states and overrides of members a
// spec does not name are never written, and putPool deletes those of members its new spec dropped.
// The publisher's lease is one row (id 1), taken by one upsert that only replaces an expired or own
// lease, and freed by deleting it. Every write is one transaction (db.ts); every list is ordered.

import type { PoolSpec } from "../../core/pools.js";
import { lastStates, memberIds, mergeRollups } from "../pool-records.js";
import type { PoolStore } from "../ports.js";
import {
  memberHealthFromRow,
  memberHealthToRow,
  poolSpecFromJson,
  rollupFromRow,
  rollupToRow,
  storedPoolFromRows,
  transitionFromRow,
  transitionToRow,
} from "../sql/pool-rows.js";
import type {
  PoolMemberHealthTable,
  PoolOverridesTable,
  PoolRollupsTable,
  PoolsTable,
  PoolTransitionsTable,
} from "../sql/pool-schema.js";
import { jsonList, named, type Db } from "./db.js";

const HEALTH_COLUMNS =
  "pool, member, node, status, streak, rtt_ms, last_reason, last_probe_at, since, observed_at";
const TRANSITION_COLUMNS = "at, pool, member, node, from_state, to_state, reason, rtt_ms";
const ROLLUP_COLUMNS = "pool, minute, member, node, ok, fail, rtt_min, rtt_max, rtt_sum";

/** The spec of each pool named that exists (call inside the transaction). */
function specsOf(db: Db, names: readonly string[]): Map<string, Set<string>> {
  const rows = db.all<Pick<PoolsTable, "name" | "spec_json">>(
    "select name, spec_json from pools where name in (select value from json_each(?))",
    jsonList([...new Set(names)]),
  );
  return new Map(rows.map((r) => [r.name, memberIds(poolSpecFromJson(r.spec_json))]));
}

function spec(db: Db, name: string): PoolSpec | undefined {
  const row = db.get<Pick<PoolsTable, "spec_json">>("select spec_json from pools where name = ?", name);
  return row && poolSpecFromJson(row.spec_json);
}

export function sqlitePools(db: Db): PoolStore {
  const overridesOf = (pool?: string) =>
    db.all<PoolOverridesTable>(
      "select pool, member, override, at from pool_overrides where ? is null or pool = ? order by pool, member",
      pool ?? null,
      pool ?? null,
    );

  return {
    putPool(poolSpec, at) {
      return db.write("putPool", () => {
        const created = db.get("select 1 from pools where name = ?", poolSpec.name) === undefined;
        db.run(
          "insert into pools (name, spec_json, created_at, updated_at) values (?, ?, ?, ?) " +
            "on conflict (name) do update set spec_json = excluded.spec_json, updated_at = excluded.updated_at",
          poolSpec.name,
          JSON.stringify(poolSpec),
          at,
          at,
        );
        const ids = jsonList([...memberIds(poolSpec)]);
        for (const table of ["pool_overrides", "pool_member_health"])
          db.run(
            `delete from ${table} where pool = ? and member not in (select value from json_each(?))`,
            poolSpec.name,
            ids,
          );
        return { created };
      });
    },

    getPool(name) {
      return db.read(
        "getPool",
        () => {
          const row = db.get<PoolsTable>("select * from pools where name = ?", name);
          return row && storedPoolFromRows(row, overridesOf(name));
        },
        true,
      );
    },

    listPools() {
      return db.read(
        "listPools",
        () => {
          const overrides = overridesOf();
          return db.all<PoolsTable>("select * from pools order by name").map((row) =>
            storedPoolFromRows(
              row,
              overrides.filter((o) => o.pool === row.name),
            ),
          );
        },
        true,
      );
    },

    deletePool(name) {
      return db.write("deletePool", () => db.run("delete from pools where name = ?", name) > 0);
    },

    setOverride(pool, member, override, at) {
      return db.write("setOverride", () => {
        if (!spec(db, pool)?.members.some((m) => m.id === member)) return false;
        if (override === "none")
          db.run("delete from pool_overrides where pool = ? and member = ?", pool, member);
        else
          db.run(
            "insert into pool_overrides (pool, member, override, at) values (?, ?, ?, ?) " +
              "on conflict (pool, member) do update set override = excluded.override, at = excluded.at",
            pool,
            member,
            override,
            at,
          );
        return true;
      });
    },

    saveMemberHealth(node, states, at) {
      return db.write("saveMemberHealth", () => {
        const specs = specsOf(
          db,
          states.map((s) => s.pool),
        );
        for (const s of lastStates(states)) {
          if (specs.get(s.pool)?.has(s.member) !== true) continue;
          db.run(
            `insert into pool_member_health (${HEALTH_COLUMNS}) values (${named(HEALTH_COLUMNS)}) ` +
              "on conflict (pool, member, node) do update set status = excluded.status, " +
              "streak = excluded.streak, rtt_ms = excluded.rtt_ms, last_reason = excluded.last_reason, " +
              "last_probe_at = excluded.last_probe_at, since = excluded.since, observed_at = excluded.observed_at",
            memberHealthToRow(node, s, at),
          );
        }
      });
    },

    listMemberHealth(pool) {
      return db.read("listMemberHealth", () =>
        db
          .all<PoolMemberHealthTable>(
            `select ${HEALTH_COLUMNS} from pool_member_health where ? is null or pool = ? ` +
              "order by pool, member, node",
            pool ?? null,
            pool ?? null,
          )
          .map(memberHealthFromRow),
      );
    },

    appendTransitions(transitions) {
      return db.write("appendTransitions", () => {
        const specs = specsOf(
          db,
          transitions.map((t) => t.pool),
        );
        for (const t of transitions)
          if (specs.has(t.pool))
            db.run(
              `insert into pool_transitions (${TRANSITION_COLUMNS}) values (${named(TRANSITION_COLUMNS)})`,
              transitionToRow(t),
            );
      });
    },

    listTransitions(pool, opts) {
      return db.read("listTransitions", () =>
        db
          .all<PoolTransitionsTable>(
            `select id, ${TRANSITION_COLUMNS} from pool_transitions where pool = ? ` +
              "and (? is null or id < ?) and (? is null or member = ?) order by id desc limit ?",
            pool,
            opts.before ?? null,
            opts.before ?? null,
            opts.member ?? null,
            opts.member ?? null,
            Math.max(0, Math.floor(opts.limit)),
          )
          .map(transitionFromRow),
      );
    },

    addRollups(rows) {
      return db.write("addRollups", () => {
        const specs = specsOf(
          db,
          rows.map((r) => r.pool),
        );
        for (const r of mergeRollups(rows))
          if (specs.has(r.pool))
            // min()/max() of two arguments is null when either is: coalesce keeps the other.
            db.run(
              `insert into pool_rollups (${ROLLUP_COLUMNS}) values (${named(ROLLUP_COLUMNS)}) ` +
                "on conflict (pool, minute, member, node) do update set ok = ok + excluded.ok, " +
                "fail = fail + excluded.fail, rtt_sum = rtt_sum + excluded.rtt_sum, " +
                "rtt_min = coalesce(min(rtt_min, excluded.rtt_min), rtt_min, excluded.rtt_min), " +
                "rtt_max = coalesce(max(rtt_max, excluded.rtt_max), rtt_max, excluded.rtt_max)",
              rollupToRow(r),
            );
      });
    },

    listRollups(pool, since) {
      return db.read("listRollups", () =>
        db
          .all<PoolRollupsTable>(
            `select ${ROLLUP_COLUMNS} from pool_rollups where pool = ? and minute >= ? ` +
              "order by minute, member, node",
            pool,
            since,
          )
          .map(rollupFromRow),
      );
    },

    pruneHealth(transitionsBefore, rollupsBefore, limit) {
      const n = Math.max(0, Math.floor(limit));
      return db.write(
        "pruneHealth",
        () =>
          db.run(
            "delete from pool_transitions where id in " +
              "(select id from pool_transitions where at < ? order by id limit ?)",
            transitionsBefore,
            n,
          ) +
          db.run(
            "delete from pool_rollups where rowid in " +
              "(select rowid from pool_rollups where minute < ? order by minute limit ?)",
            rollupsBefore,
            n,
          ),
      );
    },

    recordHeartbeat(fqdn, at) {
      return db.write("recordHeartbeat", () => {
        db.run(
          "insert into heartbeats (fqdn, at) values (?, ?) on conflict (fqdn) do update " +
            "set at = max(heartbeats.at, excluded.at)",
          fqdn,
          at,
        );
      });
    },

    listHeartbeats() {
      return db.read(
        "listHeartbeats",
        () =>
          new Map(
            db
              .all<{ fqdn: string; at: number }>("select fqdn, at from heartbeats order by fqdn")
              .map((r) => [r.fqdn, r.at]),
          ),
      );
    },

    claimPublisher(owner, now, leaseMs) {
      return db.write(
        "claimPublisher",
        () =>
          db.run(
            "insert into pool_publisher (id, lease_owner, lease_until) values (1, ?, ?) " +
              "on conflict (id) do update set lease_owner = excluded.lease_owner, " +
              "lease_until = excluded.lease_until " +
              "where pool_publisher.lease_owner = excluded.lease_owner or pool_publisher.lease_until <= ?",
            owner,
            now + leaseMs,
            now,
          ) > 0,
      );
    },

    releasePublisher(owner) {
      return db.write("releasePublisher", () => {
        db.run("delete from pool_publisher where lease_owner = ?", owner);
      });
    },
  };
}
