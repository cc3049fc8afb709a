// The tcp probe: up when a TCP connection to address:port is established. RTT is the connect time.
// The socket is destroyed at once (no byte is sent), and on every other ending too.

import net from "node:net";
import { attempt, type ProbeContext, type ProbeResult } from "./attempt.js";
import { reasonOf } from "./reasons.js";

export function probeTcp(address: string, port: number, ctx: ProbeContext): Promise<ProbeResult> {
  return attempt(ctx, (done) => {
    const started = ctx.now();
    const socket = net.connect({ host: address, port });
    socket.once("connect", () => done({ ok: true, rttMs: ctx.now() - started }));
    socket.on("error", (e) => done({ ok: false, reason: reasonOf(e) }));
    return () => socket.destroy();
  });
}
