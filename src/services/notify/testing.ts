// Test helpers for webhook delivery: a real HTTP receiver on loopback (port 0) that records what it
// was sent and answers as each test says, the signature check exactly as docs/webhooks.md shows it,
// and timers a test fires by hand (an attempt's timeout without waiting 10 s).

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { TimerHandle, Timers } from "../../core/timers.js";

export interface Received {
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  readonly path: string;
}

export type Answer = (req: Received, res: ServerResponse) => void;

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  answer: Answer;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer = (_, res) => res.end("ok")): Promise<Receiver> {
  const received: Received[] = [];
  const r = {
    url: "",
    received,
    answer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const got = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), path: req.url ?? "" };
      received.push(got);
      r.answer(got, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return r;
}

/** The receiver's check from docs/webhooks.md: signature over `<timestamp>.<body>`, timestamp recent. */
export function verify(
  secret: string,
  headers: Received["headers"],
  body: string,
  nowSeconds = Date.now() / 1000,
): boolean {
  const timestamp = headers["x-beacon-timestamp"];
  const signature = headers["x-beacon-signature"];
  if (typeof timestamp !== "string" || typeof signature !== "string") return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false; // replayed or badly late
  const expected = "sha256=" + createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return (
    signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
  );
}

/** Timers that fire only when the test says so. */
export class ManualTimers implements Timers {
  readonly #pending = new Map<TimerHandle, () => void>();
  setTimeout(fn: () => void, _ms: number): TimerHandle {
    const h = {};
    this.#pending.set(h, fn);
    return h;
  }
  clearTimeout(h: TimerHandle): void {
    this.#pending.delete(h);
  }
  /** Fires every pending timer. */
  fireAll(): void {
    const fns = [...this.#pending.values()];
    this.#pending.clear();
    for (const fn of fns) fn();
  }
}

/** Polls `check` every 10 ms until it holds, at most `tries` times. */
export async function until(check: () => boolean, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error("condition not met in time");
}
