// A zone's SOA values and the ranges Beacon accepts for them. The ranges follow RFC 1912 §2.2 (with
// room for dynamic DNS) and RFC 2308 §5, so a zone checker finds nothing to flag in what Beacon lets
// through, and a typo (seconds for minutes, a negative or huge number) is refused with the field named:
// - refresh 300 s – 1 day (RFC 1912 suggests 20 min – 12 h; Beacon NOTIFYs its secondaries, so
//   refresh matters only when a NOTIFY is lost);
// - retry 60 s – 1 day, and shorter than refresh;
// - expire 1 – 4 weeks (RFC 1912: 2 – 4 weeks), so secondaries keep answering through a long outage;
// - minimum (the negative-caching TTL, RFC 2308) 1 s – 1 day: dynamic names want it short;
// - mname a host name; rname a mailbox in domain-name form, given as an address (hostmaster@example.com)
//   or already in that form (hostmaster.example.com).

import { BeaconError } from "./errors.js";
import { normalizeName } from "./names.js";

export interface Soa {
  /** Primary name server (canonical name). */
  readonly mname: string;
  /** Responsible mailbox in domain-name form (hostmaster.example.com). */
  readonly rname: string;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  /** Negative-caching TTL (RFC 2308). */
  readonly minimum: number;
}

/** What a user may set; fields left out keep their value. */
export interface SoaSettings {
  readonly refresh?: number | undefined;
  readonly retry?: number | undefined;
  readonly expire?: number | undefined;
  readonly minimum?: number | undefined;
  /** hostmaster@example.com, or hostmaster.example.com. */
  readonly contact?: string | undefined;
  readonly mname?: string | undefined;
}

type Timer = "refresh" | "retry" | "expire" | "minimum";

/** Inclusive ranges in seconds. */
export const SOA_RANGES: Readonly<Record<Timer, readonly [number, number]>> = {
  refresh: [300, 86_400],
  retry: [60, 86_400],
  expire: [604_800, 2_419_200],
  minimum: [1, 86_400],
};

/** `base` with `settings` applied, every value checked; throws invalid_soa naming the field. */
export function applySoaSettings(base: Soa, settings: SoaSettings): Soa {
  const timer = (field: Timer): number => {
    const value = settings[field];
    if (value === undefined) return base[field];
    const [min, max] = SOA_RANGES[field];
    if (!Number.isInteger(value) || value < min || value > max)
      throw soaError(
        field,
        `SOA ${field} must be a whole number of seconds from ${min} to ${max}, not ${value}`,
      );
    return value;
  };
  const soa: Soa = {
    mname: settings.mname === undefined ? base.mname : hostName("mname", settings.mname),
    rname: settings.contact === undefined ? base.rname : contactToRname(settings.contact),
    refresh: timer("refresh"),
    retry: timer("retry"),
    expire: timer("expire"),
    minimum: timer("minimum"),
  };
  if (soa.retry >= soa.refresh)
    throw soaError(
      "retry",
      `SOA retry (${soa.retry}) must be shorter than refresh (${soa.refresh}): a secondary retries a failed refresh sooner than the next one`,
    );
  return soa;
}

/** hostmaster@example.com → hostmaster.example.com; a name without "@" is taken as already in that form. */
export function contactToRname(contact: string): string {
  const at = contact.lastIndexOf("@");
  if (at < 0) return hostName("contact", contact);
  const local = contact.slice(0, at);
  if (local.includes("."))
    throw soaError(
      "contact",
      `the contact's local part "${local}" has a dot, which the SOA cannot carry here; use an address like hostmaster@${contact.slice(at + 1)}`,
    );
  return hostName("contact", `${local}.${contact.slice(at + 1)}`);
}

/** The mailbox an rname stands for: its first label @ the rest (hostmaster.example.com → hostmaster@example.com). */
export function rnameToContact(rname: string): string {
  const dot = rname.indexOf(".");
  return dot < 0 ? rname : `${rname.slice(0, dot)}@${rname.slice(dot + 1)}`;
}

function hostName(field: "mname" | "contact", value: string): string {
  try {
    return normalizeName(value);
  } catch {
    throw soaError(
      field,
      `SOA ${field} "${value.slice(0, 80)}" is not a valid ${field === "mname" ? "host name" : "mailbox (hostmaster@example.com)"}`,
    );
  }
}

function soaError(field: string, message: string): BeaconError {
  return new BeaconError("invalid_soa", message, { details: { field } });
}
