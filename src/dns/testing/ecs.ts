// Test helpers: a query with one raw EDNS option, and EDNS Client Subnet options (RFC 7871) built
// field by field, with no checks, so tests can send malformed ones too.

/** `q` (built without EDNS) with an OPT (UDP size 1232) holding `options`. */
export function withOption(q: Uint8Array, options: Uint8Array): Uint8Array {
  const opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, options.length >> 8, options.length & 0xff];
  const out = new Uint8Array([...q, ...opt, ...options]);
  out[11] = 1;
  return out;
}

/** An ECS option (code 8) with these fields. */
export function ecs(family: number, source: number, scope: number, address: number[]): Uint8Array {
  const len = 4 + address.length;
  return new Uint8Array([0, 8, len >> 8, len & 0xff, family >> 8, family & 0xff, source, scope, ...address]);
}
