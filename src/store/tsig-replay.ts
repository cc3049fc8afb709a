// What every ReplayStore adapter stores for one claimed TSIG MAC (ports.ts, ReplayStore): the key name
// as given and the MAC as base64 text, checked first so no adapter writes a row it cannot find again.
// Key names are DNS names in presentation form: at most 255 octets, up to 4 characters each when
// escaped (\DDD), so 1 to 1,024 characters; MACs of the HMACs Beacon verifies are 16 to 64 bytes,
// truncated ones shorter, so 1 to 512 bytes leaves room and bounds a row.
//
// Contract: replayEntry throws BeaconError bad_request for an empty or longer key name, an empty or
// longer MAC, or times that are not safe integers; callers call it inside their transaction's callback
// (or an async function) so the error reaches their caller as a rejection.

import { BeaconError } from "../core/errors.js";

export const MAX_REPLAY_KEY_NAME = 1_024;
export const MAX_REPLAY_MAC_BYTES = 512;

export interface ReplayEntry {
  readonly keyName: string;
  /** The MAC as base64. */
  readonly mac: string;
}

export function replayEntry(keyName: string, mac: Uint8Array, ...times: readonly number[]): ReplayEntry {
  if (keyName.length === 0 || keyName.length > MAX_REPLAY_KEY_NAME)
    throw new BeaconError("bad_request", `a TSIG key name has 1 to ${MAX_REPLAY_KEY_NAME} characters`);
  if (mac.length === 0 || mac.length > MAX_REPLAY_MAC_BYTES)
    throw new BeaconError("bad_request", `a TSIG MAC has 1 to ${MAX_REPLAY_MAC_BYTES} bytes`);
  if (!times.every(Number.isSafeInteger))
    throw new BeaconError("bad_request", "replay times are whole seconds since the epoch");
  return { keyName, mac: Buffer.from(mac).toString("base64") };
}
