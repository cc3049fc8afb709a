// Calls the DNS handler so that an exception in it never reaches a socket callback: it is logged and
// the message dropped.

import type { Log } from "../../services/ports.js";
import type { DnsHandler, Transport } from "../types.js";

export function safeHandle(
  handler: DnsHandler,
  log: Log,
  msg: Uint8Array,
  transport: Transport,
  remoteAddress: string,
): Uint8Array | undefined {
  try {
    return handler(msg, { transport, remoteAddress });
  } catch (err) {
    log.error({ err, transport, remoteAddress }, "dns handler threw; message dropped");
    return undefined;
  }
}
