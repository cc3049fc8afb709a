// Per-query steering of this server's own answers: for a name and type (A or AAAA) with a rule, each
// answer holds ONE address of the published record set instead of all of them — "weighted" at random
// in proportion to the addresses' weights (Route 53 weighted records), "hashed" by the client's network
// with weighted rendezvous hashing (steering-pick.ts). The pool publisher (services/health) drives it
// with `set`; the engine reads it (`rule`) for positive A/AAAA answers only. Zone transfers, and so
// secondaries and mirrors, keep serving the whole published set: a rule is not data, it lives here.
//
// Contract:
// - `set(name, type, rule)` takes effect at once: the next answer (same tick) follows it. `undefined`
//   removes the rule. A rule equal to the current one changes nothing (no version bump), so a publisher
//   may repeat it on every evaluation without emptying the answer cache.
// - `version` changes on every effective change; the answer cache stores it in each entry and serves
//   an entry only while it is unchanged (a rule change recomputes cached answers on their next query),
//   and never stores an answer for a name with a rule (`has`).
// - Weights are keyed by canonical address text (core/ip.ts), as the set's values are. An address of
//   the set absent from the map, or with a weight that is not a finite number > 0, weighs 0; weight-0
//   addresses are answered only when every address of the set weighs 0 (then all weigh the same).
// - A rule for a name without a set of its type, or whose set changes, is kept: it applies to whatever
//   set the name has when a query comes (weights are re-read when the set object changes).
// - `subscribe` hears every effective change (the DNS workers' feed forwards them); `entries` and
//   `replace` carry the whole registry to a new worker.
// Names are canonical (lowercase, no trailing dot). Nothing here allocates on a query for a name
// without a rule: `rule` is one Map lookup, skipped by the engine while `size` is 0.

import type { WireRRSet } from "./types.js";

export type SteeringMode = "weighted" | "hashed";
export type SteeredType = "A" | "AAAA";

export interface SteeringRule {
  readonly mode: SteeringMode;
  /** Canonical address → weight (≥ 0). */
  readonly weights: ReadonlyMap<string, number>;
}

export interface SteeringEntry {
  readonly name: string;
  readonly type: SteeredType;
  readonly rule: SteeringRule;
}

/** What the pool publisher drives. */
export interface SteeringRules {
  set(name: string, type: SteeredType, rule: SteeringRule | undefined): void;
}

/** A rule as the engine uses it: its weights laid out for the set it was last used with. */
export interface ActiveRule {
  readonly mode: SteeringMode;
  /** The set `weightOf` was computed for (identity: the zone index replaces a set on change). */
  readonly set: WireRRSet | undefined;
  /** Per rdata index of `set`. */
  readonly weightOf: readonly number[];
}

export interface AnswerSteering extends SteeringRules {
  /** Changes on every effective `set` or `replace`. */
  readonly version: number;
  /** Names with at least one rule. */
  readonly size: number;
  /** Whether `name` has a rule of any type. */
  has(name: string): boolean;
  /** The rule for `name` and numeric `typeCode` (1 A, 28 AAAA) with its weights laid out for `set`. */
  rule(name: string, typeCode: number, set: WireRRSet): ActiveRule | undefined;
  /** Every rule, for a new worker. */
  entries(): SteeringEntry[];
  /** Replaces every rule (a worker's load). */
  replace(entries: readonly SteeringEntry[]): void;
  /** `fn` hears each effective change (`rule` undefined: removed). */
  subscribe(fn: (name: string, type: SteeredType, rule: SteeringRule | undefined) => void): void;
  /** The random source of "weighted", in [0, 1). */
  readonly random: () => number;
}

export interface AnswerSteeringOptions {
  /** Default Math.random; tests inject a seeded one. */
  readonly random?: () => number;
}

interface Held {
  readonly rule: SteeringRule;
  active: ActiveRule;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

export function createAnswerSteering(opts: AnswerSteeringOptions = {}): AnswerSteering {
  /** name → [A rule, AAAA rule]. */
  const rules = new Map<string, [Held | undefined, Held | undefined]>();
  const listeners: ((name: string, type: SteeredType, rule: SteeringRule | undefined) => void)[] = [];
  let version = 0;

  /** Stores `rule` (a copy) without telling listeners; true when something changed. */
  const put = (name: string, type: SteeredType, rule: SteeringRule | undefined): boolean => {
    const slot = type === "A" ? 0 : 1;
    const pair = rules.get(name);
    const held = pair?.[slot];
    if (rule === undefined ? held === undefined : held !== undefined && sameRule(held.rule, rule))
      return false;
    if (rule === undefined) {
      pair![slot] = undefined;
      if (pair![1 - slot] === undefined) rules.delete(name);
    } else {
      const copy: SteeringRule = { mode: rule.mode, weights: new Map(rule.weights) };
      const next: Held = { rule: copy, active: { mode: copy.mode, set: undefined, weightOf: [] } };
      if (pair === undefined) rules.set(name, slot === 0 ? [next, undefined] : [undefined, next]);
      else pair[slot] = next;
    }
    version++;
    return true;
  };

  return {
    get version() {
      return version;
    },
    get size() {
      return rules.size;
    },
    random: opts.random ?? Math.random,
    set(name, type, rule) {
      if (type !== "A" && type !== "AAAA") return;
      if (rule !== undefined && rule.mode !== "weighted" && rule.mode !== "hashed") return;
      if (put(name, type, rule)) for (const fn of listeners) fn(name, type, rule);
    },
    has: (name) => rules.has(name),
    rule(name, typeCode, set) {
      const pair = rules.get(name);
      const held = typeCode === TYPE_A ? pair?.[0] : typeCode === TYPE_AAAA ? pair?.[1] : undefined;
      if (held === undefined) return undefined;
      if (held.active.set !== set) held.active = layOut(held.rule, set);
      return held.active;
    },
    entries() {
      const out: SteeringEntry[] = [];
      for (const [name, [a, aaaa]] of rules) {
        if (a !== undefined) out.push({ name, type: "A", rule: a.rule });
        if (aaaa !== undefined) out.push({ name, type: "AAAA", rule: aaaa.rule });
      }
      return out;
    },
    replace(entries) {
      rules.clear();
      version++;
      for (const e of entries) put(e.name, e.type, e.rule);
    },
    subscribe(fn) {
      listeners.push(fn);
    },
  };
}

function sameRule(a: SteeringRule, b: SteeringRule): boolean {
  if (a.mode !== b.mode || a.weights.size !== b.weights.size) return false;
  for (const [address, weight] of b.weights) if (a.weights.get(address) !== weight) return false;
  return true;
}

/** The weight of each address of `set`; all 1 when none weighs more than 0 (Route 53's weight-0 rule). */
function layOut(rule: SteeringRule, set: WireRRSet): ActiveRule {
  const weightOf = set.values.map((v) => {
    const w = rule.weights.get(v);
    return w !== undefined && Number.isFinite(w) && w > 0 ? w : 0;
  });
  return { mode: rule.mode, set, weightOf: weightOf.some((w) => w > 0) ? weightOf : weightOf.map(() => 1) };
}
