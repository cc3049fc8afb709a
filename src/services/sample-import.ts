// Importing the AWS sample's table (awslabs/route53-dynamic-dns-with-lambda) into Beacon: each item
// `{hostname, data}` (data: the JSON string `{"route_53_zone_id", "route_53_record_ttl",
// "shared_secret"}`) becomes a host (created when missing, in the zone Beacon already has for it) and
// that host's SampleCredential. `beacon aws-sample import` reads the table and prints the report;
// this file only decides, so it runs on any store and without AWS.
//
// Contract:
// - Every item ends in exactly one list of the report: imported, unchanged or skipped (with a reason
//   a person can act on); skipped lists the items refused for their content first, in the order
//   given. Never throws for an item's content; a store error on one item skips that item with the
//   error's message and code (re-running the import is safe: it is idempotent).
// - Items naming one host (hostnames differing in case or a trailing dot) are imported once when
//   they agree on the secret, and all skipped when they do not: guessing the wrong one would lock
//   out a router.
// - An existing credential of the same host is replaced only with `replace`; an identical one is
//   unchanged. A credential left by a deleted host of that name (another host id) is void and is
//   replaced.
// - `dryRun` writes nothing and reports what an import would do.
// - The sample's `route_53_zone_id` is not used (the zone's own Route 53 mirror decides where records
//   go); its `route_53_record_ttl` becomes a created host's TTL, and a difference with an existing
//   host's TTL is noted, never changed. Other fields are ignored quietly.

import type { Clock } from "../core/clock.js";
import { isBeaconError } from "../core/errors.js";
import { findZone, tryNormalizeName } from "../core/names.js";
import { MAX_TTL, MIN_TTL } from "../core/records.js";
import type { SampleCredentialStore, ZoneStore } from "../store/ports.js";
import type { Host } from "../store/types.js";
import type { ZoneService } from "./zones.js";

/** One item of the sample's table as read: the attributes' values, whatever their type. */
export interface SampleItem {
  readonly hostname: unknown;
  readonly data: unknown;
  /** Only tables of the sample's 2018 CloudFormation version have it (their protocol is another). */
  readonly recordType?: unknown;
}

export interface SampleImportOptions {
  readonly replace: boolean;
  readonly dryRun: boolean;
}

export interface SampleImportDeps {
  readonly zones: Pick<ZoneService, "addHost">;
  readonly store: Pick<ZoneStore, "getHost" | "listZones"> & SampleCredentialStore;
  readonly clock: Clock;
}

export interface ImportedItem {
  /** The item's hostname as written in the table. */
  readonly hostname: string;
  readonly fqdn: string;
  readonly hostCreated: boolean;
  /** A credential the host had was replaced (`replace`). */
  readonly replaced: boolean;
  /** The item's usable route_53_record_ttl, if any. */
  readonly ttl: number | undefined;
  /** What a person should know (TTL ignored or different from the host's). */
  readonly notes: readonly string[];
}

export interface UnchangedItem {
  readonly hostname: string;
  readonly fqdn: string;
  readonly reason: string;
}

export interface SkippedItem {
  /** The hostname as written, or `item <n>` (1-based, in table order) when it has none. */
  readonly hostname: string;
  readonly reason: string;
}

export interface SampleImportReport {
  readonly dryRun: boolean;
  readonly imported: readonly ImportedItem[];
  readonly unchanged: readonly UnchangedItem[];
  readonly skipped: readonly SkippedItem[];
}

/** Longer secrets are refused: no router sends one, and the sample's own scripts could not either. */
export const MAX_SAMPLE_SECRET = 1024;

const DESCRIPTION = "imported from the AWS sample's table";

interface ValidItem {
  readonly hostname: string;
  readonly fqdn: string;
  readonly secret: string;
  readonly ttl: number | undefined;
  readonly notes: readonly string[];
}

export async function importSampleItems(
  items: readonly SampleItem[],
  opts: SampleImportOptions,
  deps: SampleImportDeps,
): Promise<SampleImportReport> {
  const imported: ImportedItem[] = [];
  const unchanged: UnchangedItem[] = [];
  const skipped: SkippedItem[] = [];

  const valid: ValidItem[] = [];
  items.forEach((item, i) => {
    const checked = validateItem(item, i);
    if ("reason" in checked) skipped.push(checked);
    else valid.push(checked);
  });

  const zoneNames = (await deps.store.listZones()).map((z) => z.name);
  for (const group of groupByFqdn(valid)) {
    const [first, ...others] = group;
    if (first === undefined) continue;
    if (others.some((o) => o.secret !== first.secret)) {
      const names = group.map((g) => JSON.stringify(g.hostname)).join(", ");
      for (const g of group)
        skipped.push({
          hostname: g.hostname,
          reason: `items ${names} name the same host with different secrets: keep one in the table`,
        });
      continue;
    }
    for (const o of others)
      unchanged.push({
        hostname: o.hostname,
        fqdn: o.fqdn,
        reason: `same host and secret as ${JSON.stringify(first.hostname)}`,
      });
    const outcome = await importOne(first, zoneNames, opts, deps).catch((e: unknown) => {
      if (!isBeaconError(e)) throw e;
      return { skip: `${e.message} [${e.code}]` };
    });
    if ("skip" in outcome) skipped.push({ hostname: first.hostname, reason: outcome.skip });
    else if ("unchanged" in outcome)
      unchanged.push({ hostname: first.hostname, fqdn: first.fqdn, reason: outcome.unchanged });
    else imported.push(outcome);
  }
  return { dryRun: opts.dryRun, imported, unchanged, skipped };
}

type Outcome = ImportedItem | { readonly skip: string } | { readonly unchanged: string };

async function importOne(
  item: ValidItem,
  zoneNames: readonly string[],
  opts: SampleImportOptions,
  deps: SampleImportDeps,
): Promise<Outcome> {
  const { fqdn, secret } = item;
  const zone = findZone(fqdn, zoneNames);
  if (zone === undefined)
    return { skip: `no zone for ${fqdn}: add it with beacon zone add ${parentOf(fqdn)}` };
  if (zone === fqdn) return { skip: `${fqdn} is a zone apex: Beacon updates hosts inside a zone` };

  const host = await deps.store.getHost(fqdn);
  const existing = await deps.store.getSampleCredential(fqdn);
  const live = existing !== undefined && host !== undefined && existing.hostId === host.id;
  if (live && existing.secret === secret) return { unchanged: "already imported with this secret" };
  if (live && !opts.replace)
    return { skip: `${fqdn} already has another sample credential: --replace replaces it` };

  const notes = [...item.notes, ...ttlNotes(item.ttl, host)];
  const result = { hostname: item.hostname, fqdn, replaced: live, ttl: item.ttl, notes };
  if (opts.dryRun) return { ...result, hostCreated: host === undefined };

  const target =
    host ??
    (await deps.zones.addHost(fqdn, {
      ...(item.ttl === undefined ? {} : { ttl: item.ttl }),
      description: DESCRIPTION,
    }));
  await deps.store.putSampleCredential({
    fqdn,
    secret,
    hostId: target.id,
    createdAt: deps.clock(),
    lastUsedAt: undefined,
  });
  return { ...result, hostCreated: host === undefined };
}

function validateItem(item: SampleItem, index: number): ValidItem | SkippedItem {
  const { hostname, data } = item;
  if (typeof hostname !== "string") {
    const label = `item ${index + 1}`;
    return {
      hostname: label,
      reason:
        hostname === undefined ? "no hostname attribute" : `hostname is not a string (${kindOf(hostname)})`,
    };
  }
  // Shown to a person: bounded, and no control characters to play with their terminal.
  // eslint-disable-next-line no-control-regex
  const printable = hostname.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  const shown = printable.length > 80 ? `${printable.slice(0, 80)}…` : printable;
  const skip = (reason: string): SkippedItem => ({ hostname: shown, reason });
  const fqdn = tryNormalizeName(hostname);
  if (fqdn === undefined) return skip("hostname is not a domain name");
  if (data === undefined)
    return skip(
      item.recordType === undefined
        ? "no data attribute"
        : "an item of the sample's 2018 CloudFormation version (hostname + record_type): its protocol is not supported",
    );
  if (typeof data !== "string")
    return skip(`data is not a string (${kindOf(data)}); the sample keeps a JSON string there`);
  const config = parseJson(data);
  if (config === undefined) return skip("data is not valid JSON");
  if (typeof config !== "object" || config === null || Array.isArray(config))
    return skip("data is not a JSON object");
  const fields = config as Record<string, unknown>;
  const secret = fields["shared_secret"];
  if (secret === undefined) return skip("data has no shared_secret");
  if (typeof secret !== "string") return skip(`shared_secret is not a string (${kindOf(secret)})`);
  if (secret.length === 0) return skip("shared_secret is empty");
  if (secret.length > MAX_SAMPLE_SECRET)
    return skip(`shared_secret is longer than ${MAX_SAMPLE_SECRET} characters`);
  const rawTtl = fields["route_53_record_ttl"];
  const ttl = usableTtl(rawTtl);
  const notes =
    ttl === undefined
      ? [
          `route_53_record_ttl ${rawTtl === undefined ? "missing" : JSON.stringify(rawTtl).slice(0, 40)} is not a TTL (${MIN_TTL}–${MAX_TTL}): not used`,
        ]
      : [];
  return { hostname: shown, fqdn, secret, ttl, notes };
}

function ttlNotes(ttl: number | undefined, host: Host | undefined): string[] {
  if (host === undefined) return ttl === undefined ? ["the new host uses its zone's TTL"] : [];
  if (ttl === undefined || ttl === host.ttl) return [];
  const own = host.ttl === undefined ? "its zone's TTL" : `TTL ${host.ttl}`;
  return [`the table says TTL ${ttl}; the existing host keeps ${own}`];
}

function usableTtl(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= MIN_TTL && v <= MAX_TTL ? v : undefined;
}

/** Valid items grouped by fqdn, groups in the order of their first item. */
function groupByFqdn(items: readonly ValidItem[]): ValidItem[][] {
  const groups = new Map<string, ValidItem[]>();
  for (const item of items) {
    const group = groups.get(item.fqdn);
    if (group === undefined) groups.set(item.fqdn, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

function parentOf(fqdn: string): string {
  const dot = fqdn.indexOf(".");
  return dot < 0 ? "<zone>" : fqdn.slice(dot + 1);
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a map" : `a ${typeof v}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
