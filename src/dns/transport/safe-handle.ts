// Calls the DNS handler so that an exception (or a rejection) in it never reaches a socket callback:
// it is logged and the message dropped.

import type { Log } from "../../core/log.js";
import type { DnsHandler, DnsReply, Transport } from "../answer/types.js";

export function safeHandle(
  handler: DnsHandler,
  log: Log,
  msg: Uint8Array,
  transport: Transport,
  remoteAddress: string,
): DnsReply | Promise<DnsReply> {
  try {
    const reply = handler(msg, { transport, remoteAddress });
    return reply instanceof Promise
      ? reply.catch((err: unknown) => dropped(log, err, transport, remoteAddress))
      : reply;
  } catch (err) {
    return dropped(log, err, transport, remoteAddress);
  }
}

function dropped(log: Log, err: unknown, transport: Transport, remoteAddress: string): undefined {
  log.error({ err, transport, remoteAddress }, "dns handler threw; message dropped");
  return undefined;
}
