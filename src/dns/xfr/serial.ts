// SOA serial arithmetic (RFC 1982, SERIAL_BITS = 32): serials wrap, so "newer" is a half-circle test.

/** Negative when `a` is older than `b`, 0 when equal, positive when newer (undefined distance: newer). */
export function compareSerial(a: number, b: number): number {
  if (a === b) return 0;
  const d = (a - b) >>> 0;
  return d < 2 ** 31 ? 1 : -1;
}
