// The worker's side of forwarding: a message the worker does not answer itself goes to the primary,
// and the primary's reply comes back by id. Bounded both ways: at most `maxPending` messages wait at
// once (more are dropped, as an overloaded server drops datagrams), and a reply that has not come
// within `timeoutMs` is given up on (the client retries). Never throws, never rejects.

import type { DnsReply } from "../answer/types.js";
import type { WorkerMessage } from "./protocol.js";

export interface Forwarder {
  /** Sends `bytes` to the primary; resolves with its reply, or undefined (dropped, timed out, closed). */
  forward(bytes: Uint8Array, remoteAddress: string): Promise<DnsReply>;
  /** The primary's reply to `id` (null: nothing to send). Unknown or late ids are ignored. */
  settle(id: number, bytes: Uint8Array | null): void;
  /** Resolves every waiting forward with undefined. */
  close(): void;
  readonly pending: number;
}

export interface ForwarderOptions {
  /** Returns false when the message could not be sent (channel closed). */
  readonly send: (m: WorkerMessage) => boolean;
  /** Default 2000. */
  readonly timeoutMs?: number;
  /** Default 1024. */
  readonly maxPending?: number;
}

const MAX_ID = 2 ** 31 - 1;

export function createForwarder(opts: ForwarderOptions): Forwarder {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const maxPending = opts.maxPending ?? 1024;
  const waiting = new Map<number, { done: (r: DnsReply) => void; timer: NodeJS.Timeout }>();
  let nextId = 0;

  const finish = (id: number, reply: DnsReply): void => {
    const w = waiting.get(id);
    if (w === undefined) return;
    waiting.delete(id);
    clearTimeout(w.timer);
    w.done(reply);
  };

  return {
    forward(bytes, remoteAddress) {
      if (waiting.size >= maxPending) return Promise.resolve(undefined);
      const id = nextId;
      nextId = nextId >= MAX_ID ? 0 : nextId + 1;
      return new Promise<DnsReply>((done) => {
        const timer = setTimeout(() => finish(id, undefined), timeoutMs);
        waiting.set(id, { done, timer });
        let sent = false;
        try {
          sent = opts.send({ kind: "forward", id, bytes, remoteAddress });
        } catch {
          sent = false;
        }
        if (!sent) finish(id, undefined);
      });
    },
    settle: (id, bytes) => finish(id, bytes ?? undefined),
    close() {
      for (const id of [...waiting.keys()]) finish(id, undefined);
    },
    get pending() {
      return waiting.size;
    },
  };
}
