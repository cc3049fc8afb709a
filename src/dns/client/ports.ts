// The outbound DNS ports, owned here beside their adapters (query.ts, standing on exchange.ts) and used
// by the layers above: the agent's DNS sources and verification (DnsQuery), the RFC 2136 provider and
// the NOTIFY sender (DnsExchange). Each honours its AbortSignal and rejects with a BeaconError.

export interface DnsQueryOptions {
  /** Resolver address (IPv4 or IPv6 literal) and port (default 53). */
  readonly server: string;
  readonly port?: number;
  readonly name: string;
  readonly type: "A" | "AAAA" | "TXT";
  /** "IN" (default) or "CH" (Cloudflare's whoami.cloudflare TXT is asked in CHAOS). */
  readonly qclass?: "IN" | "CH";
  readonly localAddress?: string;
  readonly signal: AbortSignal;
}

export interface DnsReply {
  /** DNS rcode name: NOERROR, NXDOMAIN, SERVFAIL, REFUSED, … */
  readonly rcode: string;
  /** Answer data of the asked type, in order: addresses in canonical text, TXT strings joined per record. */
  readonly answers: readonly string[];
}

/** One DNS query over UDP (falls back to TCP when truncated); rejects on timeout or malformed replies. */
export type DnsQuery = (opts: DnsQueryOptions) => Promise<DnsReply>;

export interface DnsExchangeRequest {
  readonly server: string;
  readonly port: number;
  readonly message: Uint8Array;
  readonly transport: "udp" | "tcp";
  readonly localAddress?: string | undefined;
  readonly signal: AbortSignal;
}

/** One DNS message exchange with a server (the RFC 2136 provider, NOTIFY); see exchange.ts. */
export type DnsExchange = (req: DnsExchangeRequest) => Promise<Uint8Array>;
