// PoolStore in PostgreSQL, as sqlite/pools.ts (tables of migration 0013_pools, rows in
// sql/pool-rows.ts), shared by every node. What sharing adds:
// - the writes that need a pool (overrides, states, transitions, roll-ups) first lock its row
//   `for share`: a putPool or deletePool of it waits for them, and they for it, so no row of a dropped
//   member or pool is written after the drop and no foreign-key error reaches the caller;
// - states, transitions and roll-ups go in one statement per call whatever their number (arrays bound
//   as parameters), sorted by key so two writers of overlapping rows never deadlock; roll-ups given
//   twice for one key are merged first (one upsert cannot touch a row twice);
// - the publisher's lease is taken in ONE upsert that only replaces an expired or own lease: of nodes
//   racing for it, the second waits for the first's row and then finds it held, so exactly one wins;
// - changes of pools and overrides wake the other nodes as settings (the migration's triggers).

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
import {
  list,
  POOL_COLUMNS,
  POOL_HEALTH_COLUMNS,
  POOL_ROLLUP_COLUMNS,
  POOL_TRANSITION_COLUMNS,
} from "./columns.js";
import type { Db, Sql } from "./db.js";

/** The member ids of each pool named that exists, its row locked `for share` until the transaction ends. */
async function lockPools(sql: Sql, names: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await sql.all<Pick<PoolsTable, "name" | "spec_json">>(
    "select name, spec_json from pools where name = any($1) order by name for share",
    [...new Set(names)],
  );
  return new Map(rows.map((r) => [r.name, memberIds(poolSpecFromJson(r.spec_json))]));
}

/** The rows as one array per column, for `unnest`. */
const columnsOf = <T>(rows: readonly T[], keys: readonly (keyof T)[]): unknown[][] =>
  keys.map((k) => rows.map((r) => r[k]));

const OVERRIDES = "select pool, member, override from pool_overrides";

const SAVE_HEALTH =
  "insert into pool_member_health (pool, member, node, status, streak, rtt_ms, last_reason, last_probe_at, " +
  "since, observed_at) select pool, member, $9::text, status, streak, rtt_ms, last_reason, last_probe_at, since, " +
  "$10::bigint " +
  "from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::text[], $7::bigint[], " +
  "$8::bigint[]) as s (pool, member, status, streak, rtt_ms, last_reason, last_probe_at, since) " +
  "order by pool, member " +
  "on conflict (pool, member, node) do update set status = excluded.status, streak = excluded.streak, " +
  "rtt_ms = excluded.rtt_ms, last_reason = excluded.last_reason, last_probe_at = excluded.last_probe_at, " +
  "since = excluded.since, observed_at = excluded.observed_at";
const HEALTH_KEYS = [
  "pool",
  "member",
  "status",
  "streak",
  "rtt_ms",
  "last_reason",
  "last_probe_at",
  "since",
] as const;

const APPEND_TRANSITIONS =
  "insert into pool_transitions (at, pool, member, node, from_state, to_state, reason, rtt_ms) " +
  "select at, pool, member, node, from_state, to_state, reason, rtt_ms from unnest($1::bigint[], $2::text[], " +
  "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[]) with ordinality " +
  "as t (at, pool, member, node, from_state, to_state, reason, rtt_ms, n) order by n";
const TRANSITION_KEYS = [
  "at",
  "pool",
  "member",
  "node",
  "from_state",
  "to_state",
  "reason",
  "rtt_ms",
] as const;

// least() and greatest() skip nulls: min and max stay null until a success.
const ADD_ROLLUPS =
  "insert into pool_rollups (pool, minute, member, node, ok, fail, rtt_min, rtt_max, rtt_sum) " +
  "select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], " +
  "$7::float8[], $8::float8[], $9::float8[]) as r (pool, minute, member, node, ok, fail, rtt_min, rtt_max, " +
  "rtt_sum) order by pool, minute, member, node " +
  "on conflict (pool, minute, member, node) do update set ok = pool_rollups.ok + excluded.ok, " +
  "fail = pool_rollups.fail + excluded.fail, rtt_sum = pool_rollups.rtt_sum + excluded.rtt_sum, " +
  "rtt_min = least(pool_rollups.rtt_min, excluded.rtt_min), " +
  "rtt_max = greatest(pool_rollups.rtt_max, excluded.rtt_max)";
const ROLLUP_KEYS = [
  "pool",
  "minute",
  "member",
  "node",
  "ok",
  "fail",
  "rtt_min",
  "rtt_max",
  "rtt_sum",
] as const;

export function pgPools(db: Db): PoolStore {
  return {
    putPool(spec, at) {
      return db.write("putPool", async (sql) => {
        // xmax = 0: the row was inserted by this statement, not updated (PostgreSQL's usual test).
        const row = await sql.get<{ created: boolean }>(
          "insert into pools (name, spec_json, created_at, updated_at) values ($1, $2, $3, $3) " +
            "on conflict (name) do update set spec_json = excluded.spec_json, updated_at = excluded.updated_at " +
            "returning (xmax = 0) as created",
          spec.name,
          JSON.stringify(spec),
          at,
        );
        const ids = [...memberIds(spec)];
        await sql.run("delete from pool_overrides where pool = $1 and member <> all($2)", spec.name, ids);
        await sql.run("delete from pool_member_health where pool = $1 and member <> all($2)", spec.name, ids);
        return { created: row?.created === true };
      });
    },

    getPool(name) {
      return db.read(
        "getPool",
        async (sql) => {
          const row = await sql.get<PoolsTable>(
            `select ${list(POOL_COLUMNS)} from pools where name = $1`,
            name,
          );
          return (
            row &&
            storedPoolFromRows(
              row,
              await sql.all<PoolOverridesTable>(`${OVERRIDES} where pool = $1 order by member`, name),
            )
          );
        },
        true,
      );
    },

    listPools() {
      return db.read(
        "listPools",
        async (sql) => {
          const overrides = await sql.all<PoolOverridesTable>(`${OVERRIDES} order by pool, member`);
          return (await sql.all<PoolsTable>(`select ${list(POOL_COLUMNS)} from pools order by name`)).map(
            (row) =>
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
      return db.write(
        "deletePool",
        async (sql) => (await sql.run("delete from pools where name = $1", name)) > 0,
      );
    },

    setOverride(pool, member, override, at) {
      return db.write("setOverride", async (sql) => {
        if ((await lockPools(sql, [pool])).get(pool)?.has(member) !== true) return false;
        if (override === "none")
          await sql.run("delete from pool_overrides where pool = $1 and member = $2", pool, member);
        else
          await sql.run(
            "insert into pool_overrides (pool, member, override, at) values ($1, $2, $3, $4) " +
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
      return db.write("saveMemberHealth", async (sql) => {
        const pools = await lockPools(
          sql,
          states.map((s) => s.pool),
        );
        const rows = lastStates(states)
          .filter((s) => pools.get(s.pool)?.has(s.member) === true)
          .map((s) => memberHealthToRow(node, s, at));
        if (rows.length > 0) await sql.run(SAVE_HEALTH, ...columnsOf(rows, HEALTH_KEYS), node, at);
      });
    },

    listMemberHealth(pool) {
      return db.read("listMemberHealth", async (sql) =>
        (
          await sql.all<PoolMemberHealthTable>(
            `select ${list(POOL_HEALTH_COLUMNS)} from pool_member_health where $1::text is null or pool = $1 ` +
              "order by pool, member, node",
            pool ?? null,
          )
        ).map(memberHealthFromRow),
      );
    },

    appendTransitions(transitions) {
      return db.write("appendTransitions", async (sql) => {
        const pools = await lockPools(
          sql,
          transitions.map((t) => t.pool),
        );
        const rows = transitions.filter((t) => pools.has(t.pool)).map(transitionToRow);
        if (rows.length > 0) await sql.run(APPEND_TRANSITIONS, ...columnsOf(rows, TRANSITION_KEYS));
      });
    },

    listTransitions(pool, opts) {
      return db.read("listTransitions", async (sql) =>
        (
          await sql.all<PoolTransitionsTable>(
            `select ${list(POOL_TRANSITION_COLUMNS)} from pool_transitions where pool = $1 ` +
              "and ($2::bigint is null or id < $2) and ($3::text is null or member = $3) order by id desc limit $4",
            pool,
            opts.before ?? null,
            opts.member ?? null,
            Math.max(0, Math.floor(opts.limit)),
          )
        ).map(transitionFromRow),
      );
    },

    addRollups(rollups) {
      return db.write("addRollups", async (sql) => {
        const pools = await lockPools(
          sql,
          rollups.map((r) => r.pool),
        );
        const rows = mergeRollups(rollups)
          .filter((r) => pools.has(r.pool))
          .map(rollupToRow);
        if (rows.length > 0) await sql.run(ADD_ROLLUPS, ...columnsOf(rows, ROLLUP_KEYS));
      });
    },

    listRollups(pool, since) {
      return db.read("listRollups", async (sql) =>
        (
          await sql.all<PoolRollupsTable>(
            `select ${list(POOL_ROLLUP_COLUMNS)} from pool_rollups where pool = $1 and minute >= $2 ` +
              "order by minute, member, node",
            pool,
            since,
          )
        ).map(rollupFromRow),
      );
    },

    pruneHealth(transitionsBefore, rollupsBefore, limit) {
      const n = Math.max(0, Math.floor(limit));
      return db.write(
        "pruneHealth",
        async (sql) =>
          (await sql.run(
            "delete from pool_transitions where id = any(array(" +
              "select id from pool_transitions where at < $1 order by id limit $2))",
            transitionsBefore,
            n,
          )) +
          (await sql.run(
            "delete from pool_rollups where ctid = any(array(" +
              "select ctid from pool_rollups where minute < $1 order by minute limit $2))",
            rollupsBefore,
            n,
          )),
      );
    },

    recordHeartbeat(fqdn, at) {
      return db.write("recordHeartbeat", async (sql) => {
        await sql.run(
          "insert into heartbeats (fqdn, at) values ($1, $2) on conflict (fqdn) do update " +
            "set at = greatest(heartbeats.at, excluded.at)",
          fqdn,
          at,
        );
      });
    },

    listHeartbeats() {
      return db.read(
        "listHeartbeats",
        async (sql) =>
          new Map(
            (
              await sql.all<{ fqdn: string; at: number }>("select fqdn, at from heartbeats order by fqdn")
            ).map((r) => [r.fqdn, r.at]),
          ),
      );
    },

    claimPublisher(owner, now, leaseMs) {
      return db.write(
        "claimPublisher",
        async (sql) =>
          (await sql.run(
            "insert into pool_publisher (id, lease_owner, lease_until) values (1, $1, $2) " +
              "on conflict (id) do update set lease_owner = excluded.lease_owner, " +
              "lease_until = excluded.lease_until " +
              "where pool_publisher.lease_owner = excluded.lease_owner or pool_publisher.lease_until <= $3",
            owner,
            now + leaseMs,
            now,
          )) > 0,
      );
    },

    releasePublisher(owner) {
      return db.write("releasePublisher", async (sql) => {
        await sql.run("delete from pool_publisher where lease_owner = $1", owner);
      });
    },
  };
}
