import { InvalidArgumentError } from "commander";
import { BeaconError } from "../../core/errors.js";
import { parseCidr } from "../../core/ip.js";
import { isRecordType, RECORD_TYPES, type RecordType } from "../../core/records.js";
import { parseDuration } from "../duration.js";

/** Commander parser for comma-separated lists; repeated flags accumulate. */
export function listOption(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [...(previous ?? []), ...items];
}

export function intOption(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
}

/**
 * Commander parser for a number of seconds: "3600", or with a unit as `parseDuration` reads it ("4h",
 * "14d"). The range is the caller's (the zone service names the setting that is out of range).
 */
export function secondsOption(name: string): (value: string) => number {
  return (value) => {
    if (/^\d{1,10}$/.test(value)) return Number(value);
    try {
      return parseDuration(value, name) / 1000;
    } catch {
      throw new InvalidArgumentError(`${name} must be a whole number of seconds, or like 90s, 15m, 12h, 14d`);
    }
  };
}

/** `--type` values of a scope (tokens, TSIG keys): record types, any case; none given → every type. */
export function recordTypesOption(values: readonly string[] | undefined): RecordType[] {
  return (values ?? [...RECORD_TYPES]).map((t) => {
    const upper = t.toUpperCase();
    if (!isRecordType(upper))
      throw new BeaconError("bad_request", `--type: "${t}" is not one of ${RECORD_TYPES.join(", ")}`);
    return upper;
  });
}

/** `--cidr` values of a scope: canonical CIDRs (a single address becomes /32 or /128); none → any. */
export function cidrsOption(values: readonly string[] | undefined): string[] {
  return (values ?? []).map((c) => {
    const parsed = parseCidr(c);
    if (parsed === undefined)
      throw new BeaconError("bad_request", `--cidr: "${c}" is not an address or CIDR`);
    return parsed;
  });
}
