// Vendors with a TTL floor (GoDaddy and Porkbun: 600 s). GoDaddy refuses a lower TTL (422) and
// Porkbun silently stores its minimum, so a write is sent — and compared with what is held — as the
// vendor will hold it: a TTL below the floor raised to it. Without this, a write asking for 300 over
// a set held at 600 would never be "unchanged".

import type { WriteRequest } from "../types.js";

/** `req` with its TTL raised to `floor` when lower; an undefined TTL (keep the vendor's) stays so. */
export function withTtlFloor(req: WriteRequest, floor: number): WriteRequest {
  return req.ttl === undefined || req.ttl >= floor ? req : { ...req, ttl: floor };
}
