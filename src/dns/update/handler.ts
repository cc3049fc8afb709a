// The server side of RFC 2136 UPDATE with TSIG (RFC 8945): verify the signature, check the zone, the
// prerequisites, the key's policy and the records, then apply the resulting sets through the update
// service (one commit: history with protocol "rfc2136", mirroring outbox and DNS index follow).
//
// Contract (the rcodes, in the order they are decided):
// - not a request, or shorter than a header → no reply; a message that cannot be walked → FORMERR.
// - TSIG: unsigned → REFUSED; malformed TSIG → FORMERR; unknown key or algorithm (hmac-md5 unless
//   allowed) → NOTAUTH + BADKEY, wrong MAC → NOTAUTH + BADSIG, both UNSIGNED (RFC 8945 §5.3.2); time
//   outside the fudge → NOTAUTH + BADTIME, signed, our time in Other Data. A message whose MAC this key
//   already used inside its time window (a replay, tsig/replay.ts) → NOTAUTH + BADTIME too, nothing
//   applied (no reply at all while the first copy is still being applied: a retransmission); when the
//   replay memory is full → REFUSED. From here on every reply is signed with the request's MAC.
// - with a shared replay memory (`replayStore`: every node on one store), the MAC is then claimed there
//   before anything else: claimed before (by another node, or before a restart) → NOTAUTH + BADTIME as
//   a replay; the claim fails (store down, bad input) → SERVFAIL, nothing applied (never unguarded).
//   Expired claims are pruned, bounded, at most once a minute, in the background.
// - the key's source CIDRs do not include the client → REFUSED.
// - zone section not exactly one SOA/IN entry → FORMERR; not a zone apex we serve → NOTAUTH.
// - prerequisites, policy and prescan: see plan.ts. Nothing is written unless every check passes.
// - the update service fails (bad value, store down) → REFUSED for a value it rejects, else SERVFAIL.
// Every answer other than NOERROR is logged (key, client, zone, answer, reason), bounded (refusal-log.ts).
// Never throws or rejects.

import type { Clock } from "../../core/clock.js";
import type { ErrorCode } from "../../core/errors.js";
import type { ParsedIp } from "../../core/ip.js";
import type { DesiredSets, HostOutcome, UpdateSource } from "../../core/update.js";
import type { RecordType, RRSet } from "../../core/records.js";
import type { Log } from "../../core/log.js";
import type { ReplayStore, ZoneStore } from "../../store/ports.js";
import type { Keyring } from "../tsig/keyring.js";
import {
  appendTsigRecord,
  signTsig,
  TSIG_ERROR,
  verifyTsig,
  type TsigKey,
  type TsigRecord,
} from "../tsig/tsig.js";
import { createReplayGuard } from "../tsig/replay.js";
import type { DnsHandler } from "../answer/types.js";
import { CLASS, FLAG, HEADER_SIZE, OPCODE, RCODE, rcodeName, TYPE } from "../wire/constants.js";
import { readWireName, wireNameText } from "../wire/records.js";
import { decodeUpdate } from "./decode.js";
import { planUpdate, UPDATE_RCODE } from "./plan.js";
import { policyAllowsSource } from "./policy.js";
import { createRefusalLog } from "./refusal-log.js";

/** The update as the handler asks for it: what services/apply-update.ts's UpdateRequest takes. */
export interface UpdateCall {
  /** Signed by a TSIG key, not a token: the key's policy was checked here. */
  readonly token: undefined;
  readonly hosts: readonly string[];
  readonly sets: DesiredSets;
  readonly source: UpdateSource;
  readonly setsByHost?: ReadonlyMap<string, DesiredSets>;
  readonly createHosts?: ReadonlyMap<string, string>;
}

/**
 * What the handler needs of the update service (its port; services/apply-update.ts implements it):
 * `transact` runs a read-check-write in the update queue, so the prerequisites read the store with
 * no other writer in between.
 */
export interface UpdatePort {
  transact<T>(fn: (apply: (req: UpdateCall) => Promise<HostOutcome[]>) => Promise<T>): Promise<T>;
  acceptsAddress(ip: ParsedIp): boolean;
}

export interface UpdateHandlerDeps {
  readonly keyring: Keyring;
  readonly store: Pick<ZoneStore, "listZones" | "getHost" | "getRRSets">;
  readonly updates: UpdatePort;
  readonly clock: Clock;
  readonly log: Log;
  /** Accept hmac-md5 keys (off by default: RFC 8945 §6 deprecates MD5). */
  readonly allowMd5: boolean;
  /** The most clock skew honoured, in seconds, whatever fudge the client asks for. */
  readonly maxFudge: number;
  /** Signed UPDATEs remembered for replay detection (tsig/replay.ts). Default 100 000. */
  readonly replayCacheSize?: number;
  /** The replay memory shared with the other nodes on the store (none: this node's alone). */
  readonly replayStore?: ReplayStore;
}

/** How often (seconds) and how many expired claims the shared replay memory is pruned of. */
const PRUNE_EVERY_SECONDS = 60;
const PRUNE_BATCH = 1_000;

/** Value errors of the update service that are the client's fault (→ REFUSED, not SERVFAIL). */
const CLIENT_ERRORS = new Set<ErrorCode>([
  "invalid_record",
  "invalid_ip",
  "ip_not_global",
  "invalid_ttl",
  "invalid_hostname",
  "forbidden",
  "outside_zone",
  // Over the key's or the host's update limit (services/limits): policy, not a server failure.
  "rate_limited",
]);

/** An UPDATE's answer: its rcode, and why when it is not NOERROR (for the refusal log). */
interface Outcome {
  readonly rcode: number;
  readonly reason: string;
}

export function createUpdateHandler(deps: UpdateHandlerDeps): DnsHandler {
  const findKey = (name: string): TsigKey | undefined => {
    const key = deps.keyring(name);
    return key?.algorithm === "hmac-md5" && !deps.allowMd5 ? undefined : key;
  };
  const replay = createReplayGuard(deps.replayCacheSize ?? 100_000);
  const refusals = createRefusalLog({ log: deps.log, clock: deps.clock });
  let nextPrune = 0;

  /** The shared claim (true when there is no shared memory); "failed" when the store could not say. */
  async function claimShared(keyName: string, mac: Uint8Array, expiresAt: number, now: number) {
    const store = deps.replayStore;
    if (store === undefined) return true;
    try {
      return await store.claimTsigMac(keyName, mac, expiresAt, now);
    } catch (e) {
      deps.log.error({ err: e, key: keyName }, "could not record a signed UPDATE for replay detection");
      return "failed" as const;
    } finally {
      if (now >= nextPrune) {
        nextPrune = now + PRUNE_EVERY_SECONDS;
        void store
          .pruneTsigMacs(now, PRUNE_BATCH)
          .catch((e: unknown) => deps.log.warn({ err: e }, "could not prune the TSIG replay memory"));
      }
    }
  }

  return async (msg, ctx) => {
    if (msg.length < HEADER_SIZE || (msg[2]! & 0x80) !== 0) return undefined;
    const now = Math.floor(deps.clock() / 1000);
    const verdict = verifyTsig(msg, { findKey, now, maxFudge: deps.maxFudge });
    const zoneEcho = echoZone(msg);
    const refused = (answer: string, reason: string, key: string | undefined, level: "warn" | "info") =>
      refusals({ key, client: ctx.remoteAddress, zone: zoneName(zoneEcho), answer, reason, level });
    const claimed = "record" in verdict ? verdict.record && wireNameText(verdict.record.keyName) : undefined;
    switch (verdict.status) {
      case "unsigned":
        refused("REFUSED", "not TSIG-signed", undefined, "warn");
        return reply(msg, zoneEcho, RCODE.REFUSED);
      case "FORMERR":
        refused("FORMERR", verdict.reason, claimed, "warn");
        return reply(msg, zoneEcho, RCODE.FORMERR);
      case "BADKEY":
      case "BADSIG":
        refused(
          `NOTAUTH/${verdict.status}`,
          verdict.status === "BADKEY" ? "no such key (or algorithm)" : "wrong signature",
          claimed,
          "warn",
        );
        return appendTsigRecord(reply(msg, zoneEcho, UPDATE_RCODE.NOTAUTH), {
          ...verdict.record,
          mac: new Uint8Array(0),
          originalId: (msg[0]! << 8) | msg[1]!,
          error: verdict.status === "BADKEY" ? TSIG_ERROR.BADKEY : TSIG_ERROR.BADSIG,
          otherData: new Uint8Array(0),
        });
      case "BADTIME":
        refused("NOTAUTH/BADTIME", `signed at ${verdict.record.timeSigned}, now ${now}`, claimed, "warn");
        return badTime(msg, zoneEcho, verdict, now);
    }
    const keyName = verdict.key.name;
    // RFC 8945 §5.2.3: a message that is not fresh gets BADTIME; a replay is the clearest such case.
    const fudge = Math.min(verdict.record.fudge, deps.maxFudge);
    const expiresAt = verdict.record.timeSigned + fudge;
    const seen = replay.check(keyName, verdict.mac, expiresAt, now);
    if (seen === "pending") return undefined; // a retransmission: the first copy's answer is on its way
    const replayed = () => {
      refused("NOTAUTH/BADTIME", "replay: this signed message was received before", keyName, "warn");
      return badTime(msg, zoneEcho, verdict, now);
    };
    if (seen === "replay") return replayed();
    const sign = (rcode: number) =>
      signTsig(reply(msg, zoneEcho, rcode), {
        key: verdict.key,
        timeSigned: Math.floor(deps.clock() / 1000),
        fudge: verdict.record.fudge,
        requestMac: verdict.mac,
      }).message;
    if (seen === "full") {
      refused("REFUSED", "too many signed UPDATEs within the time window to detect replays", keyName, "warn");
      return sign(RCODE.REFUSED);
    }
    let outcome: Outcome;
    try {
      const claimed = await claimShared(keyName, verdict.mac, expiresAt, now);
      if (claimed === false) return replayed();
      outcome =
        claimed === "failed"
          ? { rcode: RCODE.SERVFAIL, reason: "the shared replay memory is unavailable (logged above)" }
          : await apply(msg, keyName, ctx.remoteAddress);
    } catch (e) {
      deps.log.error({ err: e }, "UPDATE handler failed");
      outcome = { rcode: RCODE.SERVFAIL, reason: "internal error (logged above)" };
    } finally {
      replay.settled(keyName, verdict.mac);
    }
    if (outcome.rcode !== RCODE.NOERROR) {
      refused(
        rcodeName(outcome.rcode),
        outcome.reason,
        keyName,
        outcome.rcode === RCODE.REFUSED ? "warn" : "info",
      );
    }
    return sign(outcome.rcode);
  };

  /** Everything after the signature: the key's source addresses, the message, the plan, the commit. */
  async function apply(msg: Uint8Array, keyName: string, client: string): Promise<Outcome> {
    const key = deps.keyring(keyName)!;
    if (!policyAllowsSource(key.policy, client))
      return { rcode: RCODE.REFUSED, reason: "client address not allowed for this key" };
    const decoded = decodeUpdate(msg);
    if (!decoded.ok) return { rcode: RCODE.FORMERR, reason: decoded.reason };
    const zone = decoded.value.zone;
    if (
      decoded.value.zoneCount !== 1 ||
      zone === undefined ||
      zone.type !== TYPE.SOA ||
      zone.klass !== CLASS.IN
    )
      return {
        rcode: RCODE.FORMERR,
        reason: `zone section is not one SOA/IN (${decoded.value.zoneCount} entries)`,
      };
    return deps.updates.transact(async (commit): Promise<Outcome> => {
      const zones = (await deps.store.listZones()).map((z) => z.name);
      if (!zones.includes(zone.name))
        return { rcode: UPDATE_RCODE.NOTAUTH, reason: "not a zone of this server" };
      const plan = await planUpdate({
        zone: zone.name,
        zones,
        msg: decoded.value,
        policy: key.policy,
        acceptsAddress: (ip) => deps.updates.acceptsAddress(ip),
        read: async (name) => {
          const host = await deps.store.getHost(name);
          if (host === undefined) return { host: false, sets: new Map<RecordType, RRSet>() };
          const sets = await deps.store.getRRSets(name);
          return { host: true, sets: new Map(sets.map((s) => [s.type, s])) };
        },
      });
      if (plan.rcode !== 0 || !("hosts" in plan))
        return { rcode: plan.rcode, reason: "reason" in plan ? plan.reason : "" };
      if (plan.hosts.length === 0) return { rcode: RCODE.NOERROR, reason: "" };
      const outcomes = await commit({
        token: undefined,
        hosts: plan.hosts,
        sets: {},
        setsByHost: plan.setsByHost,
        createHosts: plan.createHosts,
        source: { ip: client, userAgent: undefined, protocol: "rfc2136", tokenId: `tsig:${key.name}` },
      });
      const failed = outcomes.find((o) => o.status === "failed");
      if (failed === undefined) return { rcode: RCODE.NOERROR, reason: "" };
      return {
        rcode: CLIENT_ERRORS.has(failed.code) ? RCODE.REFUSED : RCODE.SERVFAIL,
        reason: `${failed.fqdn}: ${failed.code}`,
      };
    });
  }
}

/** NOTAUTH/BADTIME, signed over the request MAC (RFC 8945 §5.2.3): the request's time, ours in Other Data. */
function badTime(
  msg: Uint8Array,
  zoneEcho: Uint8Array | undefined,
  verdict: { readonly key: TsigKey; readonly record: TsigRecord; readonly mac: Uint8Array },
  now: number,
): Uint8Array {
  return signTsig(reply(msg, zoneEcho, UPDATE_RCODE.NOTAUTH), {
    key: verdict.key,
    timeSigned: verdict.record.timeSigned,
    fudge: verdict.record.fudge,
    requestMac: verdict.mac,
    error: TSIG_ERROR.BADTIME,
    otherData: u48(now),
  }).message;
}

/** The zone's name from the echoed zone section, for logs; undefined without one. */
function zoneName(zoneEcho: Uint8Array | undefined): string | undefined {
  if (zoneEcho === undefined) return undefined;
  const name = readWireName(zoneEcho, 0);
  return name.ok ? wireNameText(name.value.wire) || "." : undefined;
}

/** The zone section as received when it is exactly one well-formed entry, else nothing. */
function echoZone(msg: Uint8Array): Uint8Array | undefined {
  if (((msg[4]! << 8) | msg[5]!) !== 1) return undefined;
  let at = HEADER_SIZE;
  for (let labels = 0; labels < 128; labels++) {
    const len = msg[at];
    if (len === undefined || (len & 0xc0) !== 0) return undefined;
    at += len + 1;
    if (len === 0) return at + 4 <= msg.length ? msg.slice(HEADER_SIZE, at + 4) : undefined;
  }
  return undefined;
}

function reply(msg: Uint8Array, zone: Uint8Array | undefined, rcode: number): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + (zone?.length ?? 0));
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  const flags = FLAG.QR | (OPCODE.UPDATE << 11) | (rcode & 0x0f);
  out[2] = flags >> 8;
  out[3] = flags & 0xff;
  if (zone !== undefined) {
    out[5] = 1;
    out.set(zone, HEADER_SIZE);
  }
  return out;
}

function u48(n: number): Uint8Array {
  return Uint8Array.of(0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}
