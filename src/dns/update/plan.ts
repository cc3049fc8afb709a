// Turns a decoded UPDATE into the resulting record sets, in RFC 2136's order: prerequisites (§3.2),
// permission (§3.3, the key's policy), prescan (§3.4.1), then the changes applied in message order
// to a copy of each name's sets (§3.4.2). Nothing is written here: the caller hands the resulting
// full sets to the update service, which commits them all or nothing.
//
// Beacon's own limits (documented in docs/protocols/rfc2136.md): only A, AAAA and TXT can change
// (other types → REFUSED); the zone apex cannot change (REFUSED); a name that is not a host yet is
// created when the update adds data to it and the key's policy covers it.

import { findZone, isAtOrBelow, tryNormalizeName } from "../../core/names.js";
import { isBeaconError } from "../../core/errors.js";
import { parseIp, type ParsedIp } from "../../core/ip.js";
import {
  canonicalValues,
  MAX_TTL,
  MIN_TTL,
  sameValues,
  type RecordType,
  type RRSet,
} from "../../core/records.js";
import type { DesiredSets } from "../../core/update.js";
import type { KeyPolicy } from "../tsig/keyring.js";
import { CLASS, RCODE, TYPE } from "../wire/constants.js";
import { rdataValue, type DecodedUpdate, type UpdateRR } from "./decode.js";
import { policyAllows, policyCoversName } from "./policy.js";

/** RFC 2136 §2.2 rcodes beyond RFC 1035's. */
export const UPDATE_RCODE = { YXDOMAIN: 6, YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10 } as const;

/** What a name holds now. `host`: a Beacon host exists there. Sets are canonical (sorted values). */
export interface NameState {
  readonly host: boolean;
  readonly sets: ReadonlyMap<RecordType, RRSet>;
}

export interface PlanInput {
  readonly zone: string;
  /** Every zone served, to tell a name of a child zone (NOTZONE) from ours. */
  readonly zones: readonly string[];
  readonly msg: DecodedUpdate;
  readonly policy: KeyPolicy;
  readonly read: (name: string) => Promise<NameState>;
  /** The update service's address policy: checked here so one bad value refuses the whole message. */
  readonly acceptsAddress: (ip: ParsedIp) => boolean;
}

export type Plan =
  | { readonly rcode: number; readonly reason: string }
  | {
      readonly rcode: 0;
      /** Names whose sets change, in first-seen order. */
      readonly hosts: readonly string[];
      readonly setsByHost: ReadonlyMap<string, DesiredSets>;
      /** Names to create as hosts (fqdn → zone). */
      readonly createHosts: ReadonlyMap<string, string>;
    };

const TYPES: ReadonlyMap<number, RecordType> = new Map([
  [TYPE.A, "A"],
  [TYPE.AAAA, "AAAA"],
  [TYPE.TXT, "TXT"],
]);

/** Meta types that may never appear as data (RFC 2136 §3.4.1.2 names AXFR, MAILA, MAILB; ANY as data). */
const META = new Set<number>([TYPE.AXFR, TYPE.IXFR, TYPE.MAILA, TYPE.MAILB, TYPE.TSIG, TYPE.TKEY, TYPE.OPT]);

const refuse = (rcode: number, reason: string): Plan => ({ rcode, reason });

export async function planUpdate(input: PlanInput): Promise<Plan> {
  const { zone, msg, policy } = input;
  const inZone = (name: string) => isAtOrBelow(name, zone) && findZone(name, input.zones) === zone;
  const states = new Map<string, NameState>();
  const read = async (name: string): Promise<NameState> => {
    let s = states.get(name);
    if (s === undefined) {
      s = name === zone ? { host: false, sets: new Map() } : await input.read(name);
      states.set(name, s);
    }
    return s;
  };
  const inUse = async (name: string) => name === zone || (await read(name)).sets.size > 0;
  const hasSet = async (name: string, type: number) => {
    if (name === zone) return type === TYPE.SOA || type === TYPE.NS;
    const t = TYPES.get(type);
    return t !== undefined && (await read(name)).sets.has(t);
  };

  // §3.2 prerequisites.
  const wanted = new Map<string, { name: string; type: number; values: Set<string> }>();
  for (const rr of msg.prerequisites) {
    if (rr.ttl !== 0) return refuse(RCODE.FORMERR, "a prerequisite has a TTL");
    if (!inZone(rr.name)) return refuse(UPDATE_RCODE.NOTZONE, `${rr.name} is outside the zone`);
    if (rr.klass === CLASS.ANY || rr.klass === CLASS.NONE) {
      if (rr.rdata.length !== 0) return refuse(RCODE.FORMERR, "a prerequisite of class ANY/NONE has data");
      const any = rr.type === TYPE.ANY;
      const present = any ? await inUse(rr.name) : await hasSet(rr.name, rr.type);
      if (rr.klass === CLASS.ANY && !present)
        return any
          ? refuse(RCODE.NXDOMAIN, `${rr.name} is not in use`)
          : refuse(UPDATE_RCODE.NXRRSET, `${rr.name} has no such record set`);
      if (rr.klass === CLASS.NONE && present)
        return any
          ? refuse(UPDATE_RCODE.YXDOMAIN, `${rr.name} is in use`)
          : refuse(UPDATE_RCODE.YXRRSET, `${rr.name} has that record set`);
    } else if (rr.klass === CLASS.IN) {
      if (rr.type === TYPE.ANY || META.has(rr.type)) return refuse(RCODE.FORMERR, "a meta type as data");
      const key = `${rr.name} ${rr.type}`;
      const entry = wanted.get(key) ?? { name: rr.name, type: rr.type, values: new Set<string>() };
      // A value Beacon cannot hold can never match: the set is "not as given" (NXRRSET).
      entry.values.add(rdataValue(rr.type, rr.rdata) ?? `\u0000${wanted.size}`);
      wanted.set(key, entry);
    } else return refuse(RCODE.FORMERR, "a prerequisite of an unknown class");
  }
  for (const w of wanted.values()) {
    const t = TYPES.get(w.type);
    const have = t === undefined || w.name === zone ? undefined : (await read(w.name)).sets.get(t);
    if (have === undefined || !sameValues(have.values, [...w.values].sort()))
      return refuse(UPDATE_RCODE.NXRRSET, `${w.name} does not hold exactly the given record set`);
  }

  // §3.4.1 prescan (structure), with Beacon's type limits; the policy comes with it (§3.3).
  for (const rr of msg.updates) {
    if (!inZone(rr.name)) return refuse(UPDATE_RCODE.NOTZONE, `${rr.name} is outside the zone`);
    const verdict = prescan(rr);
    if (verdict !== undefined) return verdict;
  }
  for (const rr of msg.updates) {
    const name = tryNormalizeName(rr.name);
    if (name === undefined || name === zone)
      return refuse(RCODE.REFUSED, `${rr.name} cannot be changed by UPDATE (apex or not a host name)`);
    if (!policyCoversName(policy, name)) return refuse(RCODE.REFUSED, `the key may not change ${name}`);
    const t = TYPES.get(rr.type);
    if (t !== undefined && !policyAllows(policy, name, t))
      return refuse(RCODE.REFUSED, `the key may not change ${t} at ${name}`);
    if (t === undefined && rr.type !== TYPE.ANY)
      return refuse(RCODE.REFUSED, `type ${rr.type} cannot be changed here (A, AAAA, TXT only)`);
  }

  // §3.4.2: apply in order to copies.
  const next = new Map<string, Map<RecordType, RRSet>>();
  for (const rr of msg.updates) {
    const name = tryNormalizeName(rr.name)!;
    let sets = next.get(name);
    if (sets === undefined) {
      sets = new Map((await read(name)).sets);
      next.set(name, sets);
    }
    const t = TYPES.get(rr.type);
    if (rr.klass === CLASS.ANY) {
      if (t === undefined) sets.clear();
      else sets.delete(t);
      continue;
    }
    const value = rdataValue(rr.type, rr.rdata)!;
    const old = sets.get(t!);
    if (rr.klass === CLASS.NONE) {
      if (old === undefined) continue;
      const values = old.values.filter((v) => v !== value);
      if (values.length === 0) sets.delete(t!);
      else sets.set(t!, { ...old, values });
      continue;
    }
    const ttl = Math.min(MAX_TTL, Math.max(MIN_TTL, rr.ttl));
    const values = old === undefined ? [value] : [...new Set([...old.values, value])].sort();
    sets.set(t!, { type: t!, ttl, values });
  }

  const hosts: string[] = [];
  const setsByHost = new Map<string, DesiredSets>();
  const createHosts = new Map<string, string>();
  for (const [name, sets] of next) {
    const before = (await read(name)).sets;
    const desired: Record<string, { values: readonly string[]; ttl: number } | null> = {};
    for (const t of ["A", "AAAA", "TXT"] as const) {
      const was = before.get(t);
      const now = sets.get(t);
      if (was === undefined && now === undefined) continue;
      if (was !== undefined && now !== undefined && was.ttl === now.ttl && sameValues(was.values, now.values))
        continue;
      // Deleting a name deletes every set there, so the key must be allowed each type it removes.
      if (!policyAllows(policy, name, t))
        return refuse(RCODE.REFUSED, `the key may not change ${t} at ${name}`);
      if (now !== undefined) {
        const bad = invalidValues(t, now.values, input.acceptsAddress);
        if (bad !== undefined) return refuse(RCODE.REFUSED, `${name} ${t}: ${bad}`);
      }
      desired[t] = now === undefined ? null : { values: now.values, ttl: now.ttl };
    }
    if (Object.keys(desired).length === 0) continue;
    if (!(await read(name)).host) {
      // Only data to add makes a host; deletes at a name that is not a host change nothing.
      if (sets.size === 0) continue;
      createHosts.set(name, zone);
    }
    hosts.push(name);
    setsByHost.set(name, desired);
  }
  return { rcode: 0, hosts, setsByHost, createHosts };
}

/** Why the update service would refuse these values, or undefined when it accepts them. */
function invalidValues(
  type: RecordType,
  values: readonly string[],
  acceptsAddress: (ip: ParsedIp) => boolean,
): string | undefined {
  try {
    canonicalValues(type, values);
  } catch (e) {
    if (isBeaconError(e)) return e.message;
    throw e;
  }
  if (type === "TXT") return undefined;
  const refused = values.find((v) => {
    const ip = parseIp(v);
    return ip === undefined || !acceptsAddress(ip);
  });
  return refused === undefined ? undefined : `${refused} is not a global unicast address`;
}

function prescan(rr: UpdateRR): Plan | undefined {
  if (rr.klass === CLASS.IN) {
    if (rr.type === TYPE.ANY || META.has(rr.type)) return refuse(RCODE.FORMERR, "a meta type as data");
    if (TYPES.has(rr.type) && rdataValue(rr.type, rr.rdata) === undefined)
      return refuse(RCODE.FORMERR, `malformed data for type ${rr.type} at ${rr.name}`);
    return undefined;
  }
  if (rr.klass === CLASS.ANY) {
    if (rr.ttl !== 0 || rr.rdata.length !== 0 || META.has(rr.type))
      return refuse(RCODE.FORMERR, "a delete (class ANY) with a TTL, data or a meta type");
    return undefined;
  }
  if (rr.klass === CLASS.NONE) {
    if (rr.ttl !== 0 || rr.type === TYPE.ANY || META.has(rr.type))
      return refuse(RCODE.FORMERR, "a delete (class NONE) with a TTL or a meta type");
    if (TYPES.has(rr.type) && rdataValue(rr.type, rr.rdata) === undefined)
      return refuse(RCODE.FORMERR, `malformed data for type ${rr.type} at ${rr.name}`);
    return undefined;
  }
  return refuse(RCODE.FORMERR, "an update of an unknown class");
}
