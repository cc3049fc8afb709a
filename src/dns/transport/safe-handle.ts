// Calls the DNS handler so that an exception (or a rejection) in it never reaches a socket callback:
// it is logged and the message dropped.

import type { Log } from "../../services/ports.js";
import type { DnsHandler, DnsReply, Transport } from "../types.js";

export function safeHandle(
  handler: DnsHandler,
  log: Log,
  msg: Uint8Array,
  transport: Transport,
  remoteAddress: string,
): DnsReply | Promise<DnsReply> {
  const dropped = (err: unknown): undefined => {
    log.error({ err, transport, remoteAddress }, "dns handler threw; message dropped");
    return undefined;
  };
  try {
    const reply = handler(msg, { transport, remoteAddress });
    return reply instanceof Promise ? reply.catch(dropped) : reply;
  } catch (err) {
    return dropped(err);
  }
}
