// SOA serial arithmetic (RFC 1982, SERIAL_BITS = 32). Serials are unsigned 32-bit integers that
// wrap; Beacon never hands out 0, because several secondaries treat serial 0 as "unset".

import { BeaconError } from "./errors.js";

const SERIAL_SPACE = 2 ** 32;
const MAX_SERIAL = SERIAL_SPACE - 1;

function isSerial(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_SERIAL;
}

/** The serial after `serial`: +1, wrapping from 4294967295 to 1 (never 0). A non-serial is a bug: `internal`. */
export function nextSerial(serial: number): number {
  if (!isSerial(serial)) throw new BeaconError("internal", `${serial} is not a 32-bit SOA serial`);
  return serial === MAX_SERIAL ? 1 : serial + 1;
}

/** The serial of a new zone: Unix seconds at `nowMs` (fits 32 bits until 2106), never 0. */
export function initialSerial(nowMs: number): number {
  const seconds = Math.floor(nowMs / 1000) % SERIAL_SPACE;
  const serial = seconds < 0 ? seconds + SERIAL_SPACE : seconds;
  return serial === 0 ? 1 : serial;
}
