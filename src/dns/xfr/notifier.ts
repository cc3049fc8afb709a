// The NOTIFY sender (RFC 1996): when a zone's serial changes, tells every configured secondary over UDP
// (opcode NOTIFY, AA, the zone's SOA as the question and the new SOA in the answer as a hint), so it
// asks for the SOA and transfers at once instead of waiting for its refresh timer.
//
// Contract:
// - A ChangeListener (never throws): serialChanged, zoneChanged with a new serial and `load` (a reload
//   after another process wrote the store) each start one NOTIFY per target for that zone; a newer
//   change to the same zone supersedes the one still retrying.
// - Each target is tried up to `tries` times; attempt n waits up to baseDelayMs · 2^(n-1) for the
//   response whose ID and opcode match. Any response ends it (a non-NOERROR rcode is logged).
// - With `key`, the NOTIFY is TSIG-signed and a response that does not verify is logged.
// - `stop()` abandons every NOTIFY in flight and resolves once they have ended.

import type { RRSet } from "../../core/records.js";
import type { DnsExchange } from "../client/ports.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Log } from "../../core/log.js";
import type { Snapshot } from "../../store/types.js";
import type { Zone } from "../../core/zones.js";
import { signTsig, verifyTsig, type TsigKey } from "../tsig/tsig.js";
import { CLASS, OPCODE, TYPE } from "../wire/constants.js";
import { readMessage } from "../wire/records.js";
import type { TransferSource } from "./journal.js";

export interface NotifyTarget {
  /** An IP literal. */
  readonly host: string;
  readonly port: number;
}

export interface NotifierDeps {
  readonly targets: readonly NotifyTarget[];
  /** The zone's current SOA (the journal). */
  readonly source: TransferSource;
  readonly exchange: DnsExchange;
  /** Signs every NOTIFY when given; looked up at send time (keys can change). */
  readonly key?: () => TsigKey | undefined;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly randomId: () => number;
  readonly log: Log;
  /** Attempts per target (default 5). */
  readonly tries?: number;
  /** Wait for the first response (default 1000 ms), doubled on each retry. */
  readonly baseDelayMs?: number;
}

export interface Notifier extends ChangeListener {
  load(snapshot: Snapshot): void;
  stop(): Promise<void>;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const tries = Math.max(1, deps.tries ?? 5);
  const baseDelay = Math.max(1, deps.baseDelayMs ?? 1000);
  const serials = new Map<string, number>();
  /** zone → the controller of its NOTIFY round still running. */
  const rounds = new Map<string, AbortController>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const notifyZone = (zone: string): void => {
    if (stopped || deps.targets.length === 0) return;
    rounds.get(zone)?.abort();
    const ctl = new AbortController();
    rounds.set(zone, ctl);
    for (const target of deps.targets) {
      const p = notifyTarget(zone, target, ctl.signal).finally(() => running.delete(p));
      running.add(p);
    }
  };

  const notifyTarget = async (zone: string, target: NotifyTarget, stop: AbortSignal): Promise<void> => {
    const where = `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`;
    for (let attempt = 1; attempt <= tries && !stop.aborted; attempt++) {
      const content = deps.source.zone(zone);
      if (content === undefined) return;
      const key = deps.key?.();
      const id = deps.randomId() & 0xffff;
      const unsigned = notifyMessage(id, content.owner, content.ttl, content.soaRdata);
      const now = Math.floor(deps.clock() / 1000);
      const signed = key === undefined ? undefined : signTsig(unsigned, { key, timeSigned: now });
      const wait = baseDelay * 2 ** (attempt - 1);
      const started = deps.clock();
      try {
        const reply = await deps.exchange({
          server: target.host,
          port: target.port,
          transport: "udp",
          message: signed?.message ?? unsigned,
          signal: AbortSignal.any([stop, AbortSignal.timeout(wait)]),
        });
        report(zone, where, content.serial, reply, key, signed?.mac);
        return;
      } catch (err) {
        if (stop.aborted) return;
        deps.log.debug({ err, zone, target: where, attempt }, "NOTIFY not answered");
        // A refused port errors at once; still wait out the attempt so retries back off.
        const left = wait - (deps.clock() - started);
        if (left > 0) await sleep(left, stop);
      }
    }
    if (!stop.aborted) deps.log.warn({ zone, target: where, tries }, "NOTIFY never answered; giving up");
  };

  const report = (
    zone: string,
    where: string,
    serial: number,
    reply: Uint8Array,
    key: TsigKey | undefined,
    mac: Uint8Array | undefined,
  ): void => {
    const m = readMessage(reply);
    const rcode = m.ok ? m.value.rcode : -1;
    if (key !== undefined && mac !== undefined) {
      const v = verifyTsig(reply, {
        findKey: (n) => (n === key.name ? key : undefined),
        now: Math.floor(deps.clock() / 1000),
        requestMac: mac,
      });
      if (v.status !== "ok")
        deps.log.warn({ zone, target: where, tsig: v.status }, "NOTIFY response not signed by our key");
    }
    if (rcode === 0) deps.log.info({ zone, target: where, serial }, "NOTIFY acknowledged");
    else deps.log.warn({ zone, target: where, serial, rcode }, "NOTIFY answered with an error");
  };

  const seen = (zone: string, serial: number): void => {
    const before = serials.get(zone);
    serials.set(zone, serial);
    if (before !== undefined && before !== serial) notifyZone(zone);
  };

  return {
    load(snapshot) {
      const names = new Set(snapshot.zones.map((z) => z.name));
      for (const zone of [...serials.keys()]) if (!names.has(zone)) serials.delete(zone);
      for (const z of snapshot.zones) seen(z.name, z.serial);
    },
    zoneChanged(zone: Zone) {
      seen(zone.name, zone.serial);
    },
    zoneRemoved(name: string) {
      serials.delete(name);
      rounds.get(name)?.abort();
      rounds.delete(name);
    },
    hostChanged(_fqdn: string, _zone: string, _sets: readonly RRSet[]) {},
    hostRemoved() {},
    serialChanged(zone: string, serial: number) {
      if (!serials.has(zone)) serials.set(zone, serial - 1);
      seen(zone, serial);
    },
    async stop() {
      stopped = true;
      for (const ctl of rounds.values()) ctl.abort();
      await Promise.all([...running]);
    },
  };
}

/** NOTIFY for `owner` (RFC 1996 §3.7): opcode 4, AA, question SOA IN, the current SOA in answer. */
export function notifyMessage(id: number, owner: Uint8Array, ttl: number, soaRdata: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + owner.length + 4 + owner.length + 10 + soaRdata.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, id);
  view.setUint16(2, (OPCODE.NOTIFY << 11) | 0x0400);
  view.setUint16(4, 1);
  view.setUint16(6, 1);
  let off = 12;
  out.set(owner, off);
  off += owner.length;
  view.setUint16(off, TYPE.SOA);
  view.setUint16(off + 2, CLASS.IN);
  off += 4;
  out.set(owner, off);
  off += owner.length;
  view.setUint16(off, TYPE.SOA);
  view.setUint16(off + 2, CLASS.IN);
  view.setUint32(off + 4, ttl >>> 0);
  view.setUint16(off + 8, soaRdata.length);
  out.set(soaRdata, off + 10);
  return out;
}

function sleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener("abort", done, { once: true });
  });
}
