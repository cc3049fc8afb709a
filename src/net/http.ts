// The HTTP port shared by the agent (IP sources, targets, notifiers) and the providers: tests pass
// fakes, composition roots pass createHttpRequest() from ./http-request.ts. It never throws for a
// remote failure: it rejects with a BeaconError whose message says what happened.

import type { IpFamily } from "../core/ip.js";

export interface HttpRequestOptions {
  readonly method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Resolve names and connect with this family only (an echo service answers with the family it sees). */
  readonly family?: IpFamily;
  /** Source address to connect from (multi-WAN: detect and update each line through that line). */
  readonly localAddress?: string;
  readonly signal: AbortSignal;
  /** Bodies larger than this are cut off and the call rejects (default 64 KiB). */
  readonly maxBytes?: number;
}

export interface HttpReply {
  readonly status: number;
  /** Lowercase header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One HTTP(S) request; resolves with any status; rejects on network errors, abort, oversize bodies. */
export type HttpRequest = (url: string, opts: HttpRequestOptions) => Promise<HttpReply>;
