// The bench's settings, read once from the environment (see the knobs in bench/run.mjs), and the
// fixed facts of its layout: which CPU the server gets, which the load.

import { availableParallelism } from "node:os";
import { SERVERS } from "./servers.mjs";

const env = process.env;
function int(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number ≥ 0, not ${JSON.stringify(raw)}`);
  return n;
}
function list(name, fallback, allowed) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((i) => !allowed.includes(i));
  if (bad.length > 0) throw new Error(`${name}: unknown ${bad.join(", ")} (known: ${allowed.join(", ")})`);
  return items;
}

const KINDS = Object.keys(SERVERS);
const STEPS = ["queries", "big", "updates", "mixed", "nodes", "pools", "lambda"];
export const CONFIG = {
  names: Math.max(256, int("BENCH_NAMES", 10_000)),
  runs: Math.max(1, int("BENCH_RUNS", 3)),
  seconds: Math.max(1, int("BENCH_SECONDS", 10)),
  warmupSeconds: int("BENCH_WARMUP_SECONDS", 2),
  clients: 4,
  outstanding: Math.max(1, int("BENCH_OUTSTANDING", 200)),
  servers: list("BENCH_SERVERS", KINDS, KINDS),
  workers: Math.max(2, int("BENCH_WORKERS", availableParallelism())),
  big: env.BENCH_BIG !== "0",
  bigNames: Math.max(256, int("BENCH_BIG_NAMES", 1_000_000)),
  bigServers: list(
    "BENCH_BIG_SERVERS",
    ["beacon", "bind", "knot", "nsd", "pdns"],
    KINDS.filter((k) => k !== "echo"),
  ),
  bigTimeoutSeconds: Math.max(10, int("BENCH_BIG_TIMEOUT_SECONDS", 600)),
  updateSeconds: Math.max(1, int("BENCH_UPDATE_SECONDS", 5)),
  visibleSamples: Math.max(1, int("BENCH_VISIBLE_SAMPLES", 200)),
  mixedSeconds: Math.max(4, int("BENCH_MIXED_SECONDS", 10)),
  updateRate: Math.max(1, int("BENCH_UPDATE_RATE", 200)),
  probeQps: Math.max(1, int("BENCH_PROBE_QPS", 200)),
  pools: Math.min(250, Math.max(1, int("BENCH_POOLS", 16))),
  poolMembers: Math.min(64, Math.max(1, int("BENCH_POOL_MEMBERS", 63))),
  poolSeconds: Math.max(5, int("BENCH_POOL_SECONDS", 20)),
  poolWarmupSeconds: Math.max(3, int("BENCH_POOL_WARMUP_SECONDS", 8)),
  poolFailovers: Math.min(200, Math.max(1, int("BENCH_POOL_FAILOVERS", 20))),
  only: list("BENCH_ONLY", STEPS, STEPS),
  keep: env.BENCH_KEEP === "1",
};
/** Hosts the update loads change (and that own a token): the last ones of the zone, never the checked ones. */
export const UPDATE_HOSTS = 64;
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;
export const MAX_UPDATES = 1_000_000;
