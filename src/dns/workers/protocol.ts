// The messages between `beacon serve` (the primary) and its UDP query workers, over the cluster IPC
// channel with "advanced" serialization (structured clone: Uint8Array, nested objects survive).
//
// Contract: the primary numbers every zone-index message (`load`, `changes`) with an increasing
// `seq`; a worker applies them in order and acks the seq it has applied. A worker's messages are
// input like any other: the primary parses them with `parseWorkerMessage`, which returns undefined
// for anything malformed (never throws). The primary's messages are trusted for their content (the
// snapshot is the store's) but their envelope is checked with `parsePrimaryMessage`.

import { z } from "zod";
import type { DnsLimits, LogFormat } from "../../config/server-config.js";
import type { RRSet } from "../../core/records.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Snapshot } from "../../store/types.js";
import type { Zone } from "../../core/zones.js";
import type { SteeredType, SteeringEntry, SteeringRule, SteeringRules } from "../answer/steering.js";

/** One ChangeListener call, as data. */
export type Change =
  | { readonly op: "zoneChanged"; readonly zone: Zone }
  | { readonly op: "zoneRemoved"; readonly name: string }
  | {
      readonly op: "hostChanged";
      readonly fqdn: string;
      readonly zone: string;
      readonly sets: readonly RRSet[];
    }
  | { readonly op: "hostRemoved"; readonly fqdn: string; readonly zone: string }
  | { readonly op: "serialChanged"; readonly zone: string; readonly serial: number }
  /** An answer steering rule set or removed (not a store change: it rides the same numbered batches). */
  | {
      readonly op: "steering";
      readonly name: string;
      readonly type: SteeredType;
      readonly rule: SteeringRule | undefined;
    };

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface WorkerInit {
  readonly kind: "init";
  /** 1-based, for logs. */
  readonly worker: number;
  readonly logLevel: string;
  /** The primary's log.format, so a worker's lines look like the primary's. */
  readonly logFormat: LogFormat;
  /** UDP addresses to bind; the ports are fixed (never 0): TCP in the primary holds the same ones. */
  readonly listen: readonly Endpoint[];
  readonly limits: DnsLimits;
  /** The catalog zone's name (dns.transfer.catalog): questions at or below it go to the primary. */
  readonly catalog?: string | undefined;
}

/** From the primary. */
export type PrimaryMessage =
  | WorkerInit
  /**
   * Replaces the index with `snapshot` and the answer steering rules with `steering` (the primary's
   * when the message was sent), then applies `changes` (those made while the snapshot was read).
   */
  | {
      readonly kind: "load";
      readonly seq: number;
      readonly snapshot: Snapshot;
      readonly changes: readonly Change[];
      readonly steering?: readonly SteeringEntry[];
    }
  | { readonly kind: "changes"; readonly seq: number; readonly changes: readonly Change[] }
  /** The primary's reply to a forwarded message; null: send nothing. */
  | { readonly kind: "reply"; readonly id: number; readonly bytes: Uint8Array | null };

/** From a worker. */
export type WorkerMessage =
  /** First message: the worker listens now (the primary's messages sent before would be lost). */
  | { readonly kind: "hello" }
  /** Listening on every endpoint, with the index up to `seq` applied. */
  | { readonly kind: "ready"; readonly seq: number }
  /** Could not bind (e.g. EADDRINUSE); the worker exits after sending it. */
  | { readonly kind: "failed"; readonly code: string; readonly message: string }
  | { readonly kind: "ack"; readonly seq: number }
  /** A message the worker does not answer itself (UPDATE, NOTIFY, signed queries, transfers). */
  | {
      readonly kind: "forward";
      readonly id: number;
      readonly bytes: Uint8Array;
      readonly remoteAddress: string;
    }
  /** Counts since the previous `metrics` message, keyed as CountingDnsMetrics.counts() keys them. */
  | { readonly kind: "metrics"; readonly counts: readonly (readonly [string, number])[] };

/** Bounds on what a worker may send. */
export const MAX_FORWARD_BYTES = 65_535;
export const MAX_METRIC_ENTRIES = 1_000;
const MAX_METRIC_KEY = 200;
const MAX_ADDRESS = 64;

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const workerSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("hello") }),
  z.strictObject({ kind: z.literal("ready"), seq }),
  z.strictObject({ kind: z.literal("failed"), code: z.string().max(64), message: z.string().max(1000) }),
  z.strictObject({ kind: z.literal("ack"), seq }),
  z.strictObject({
    kind: z.literal("forward"),
    id: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    bytes: z.instanceof(Uint8Array).refine((b) => b.length > 0 && b.length <= MAX_FORWARD_BYTES),
    remoteAddress: z.string().min(1).max(MAX_ADDRESS),
  }),
  z.strictObject({
    kind: z.literal("metrics"),
    counts: z
      .array(z.tuple([z.string().min(1).max(MAX_METRIC_KEY), z.number().finite().min(0)]))
      .max(MAX_METRIC_ENTRIES),
  }),
]);

/** The worker's message, or undefined when it is not one of the shapes above (within their bounds). */
export function parseWorkerMessage(raw: unknown): WorkerMessage | undefined {
  const r = workerSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}

const KINDS = new Set(["init", "load", "changes", "reply"]);

/** The primary's message when its envelope (kind and the fields each kind needs) is right. */
export function parsePrimaryMessage(raw: unknown): PrimaryMessage | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (typeof m["kind"] !== "string" || !KINDS.has(m["kind"])) return undefined;
  switch (m["kind"]) {
    case "init":
      return typeof m["worker"] === "number" &&
        typeof m["logLevel"] === "string" &&
        typeof m["logFormat"] === "string" &&
        Array.isArray(m["listen"]) &&
        typeof m["limits"] === "object" &&
        m["limits"] !== null &&
        (m["catalog"] === undefined || typeof m["catalog"] === "string")
        ? (raw as PrimaryMessage)
        : undefined;
    case "load":
      return isSeq(m["seq"]) &&
        isSnapshot(m["snapshot"]) &&
        Array.isArray(m["changes"]) &&
        (m["steering"] === undefined || Array.isArray(m["steering"]))
        ? (raw as PrimaryMessage)
        : undefined;
    case "changes":
      return isSeq(m["seq"]) && Array.isArray(m["changes"]) ? (raw as PrimaryMessage) : undefined;
    default:
      return Number.isInteger(m["id"]) && (m["bytes"] === null || m["bytes"] instanceof Uint8Array)
        ? (raw as PrimaryMessage)
        : undefined;
  }
}

function isSeq(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isSnapshot(v: unknown): v is Snapshot {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Record<string, unknown>;
  return Array.isArray(s["zones"]) && Array.isArray(s["hosts"]) && Array.isArray(s["rrsets"]);
}

/** Replays one change on `listener` (a steering change on `steering`, ignored without one). */
export function applyChange(listener: ChangeListener, c: Change, steering?: SteeringRules): void {
  switch (c.op) {
    case "zoneChanged":
      return listener.zoneChanged(c.zone);
    case "zoneRemoved":
      return listener.zoneRemoved(c.name);
    case "hostChanged":
      return listener.hostChanged(c.fqdn, c.zone, c.sets);
    case "hostRemoved":
      return listener.hostRemoved(c.fqdn, c.zone);
    case "serialChanged":
      return listener.serialChanged(c.zone, c.serial);
    case "steering":
      return steering?.set(c.name, c.type, c.rule);
  }
}

/** A ChangeListener that turns each call into a Change for `sink`. */
export function recordingListener(sink: (c: Change) => void): ChangeListener {
  return {
    zoneChanged: (zone) => sink({ op: "zoneChanged", zone }),
    zoneRemoved: (name) => sink({ op: "zoneRemoved", name }),
    hostChanged: (fqdn, zone, sets) => sink({ op: "hostChanged", fqdn, zone, sets }),
    hostRemoved: (fqdn, zone) => sink({ op: "hostRemoved", fqdn, zone }),
    serialChanged: (zone, serial) => sink({ op: "serialChanged", zone, serial }),
  };
}
