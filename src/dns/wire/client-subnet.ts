// The EDNS Client Subnet option (RFC 7871) of a query, read just far enough to steer an answer by the
// client's network: its family, source prefix length and address. Bounded (at most one pass over the
// OPT's options, which parseQuery already checked are well formed) and never throws.
//
// Validity follows RFC 7871 §6 and what BIND 9.18 refuses (lib/ns/client.c process_ecs; opt_41.c):
// an option shorter than 4 octets, a family other than 1 (IPv4) or 2 (IPv6) (family 0 only with
// source 0, which carries no address), a source prefix longer than the family's address, a scope
// other than 0 (a query's scope MUST be 0), an address not exactly ceil(source / 8) octets, or
// address bits set beyond the source prefix → "malformed". The caller decides what that means
// (engine: FORMERR, RFC 7871 §7.2.1, for the answers that use the option).

/** Option code of ECS. */
export const ECS_OPTION = 8;

export interface ClientSubnet {
  /** 1 IPv4, 2 IPv6; 0 (source 0, no address): "no client information", treated as absent. */
  readonly family: number;
  readonly sourcePrefix: number;
  /** The option's address octets are bytes [addressStart, optionEnd) of the message. */
  readonly addressStart: number;
  readonly optionEnd: number;
  /** Where the option (its code) starts in the message, for echoing it. */
  readonly optionStart: number;
}

/**
 * The first ECS option in the options bytes [start, end) of `msg`, undefined when there is none,
 * "malformed" when it breaks a rule above. Later ECS options are ignored (as BIND does).
 */
export function readClientSubnet(
  msg: Uint8Array,
  start: number,
  end: number,
): ClientSubnet | "malformed" | undefined {
  for (let at = start; at + 4 <= end;) {
    const code = (msg[at]! << 8) | msg[at + 1]!;
    const length = (msg[at + 2]! << 8) | msg[at + 3]!;
    const data = at + 4;
    if (data + length > end) return code === ECS_OPTION ? "malformed" : undefined;
    if (code === ECS_OPTION) return parseEcs(msg, at, data, data + length);
    at = data + length;
  }
  return undefined;
}

function parseEcs(
  msg: Uint8Array,
  optionStart: number,
  data: number,
  optionEnd: number,
): ClientSubnet | "malformed" {
  if (optionEnd - data < 4) return "malformed";
  const family = (msg[data]! << 8) | msg[data + 1]!;
  const sourcePrefix = msg[data + 2]!;
  if (msg[data + 3] !== 0) return "malformed";
  const maxBits = family === 1 ? 32 : family === 2 ? 128 : family === 0 ? 0 : -1;
  if (sourcePrefix > maxBits) return "malformed";
  const addressStart = data + 4;
  const octets = (sourcePrefix + 7) >> 3;
  if (optionEnd - addressStart !== octets) return "malformed";
  if (sourcePrefix % 8 !== 0) {
    const last = msg[optionEnd - 1]!;
    if ((last & (0xff >> (sourcePrefix % 8))) !== 0) return "malformed";
  }
  return { family, sourcePrefix, addressStart, optionEnd, optionStart };
}
