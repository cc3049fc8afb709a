// A fake echo service on 127.0.0.1 port 0 for tests: replies what the test says, can stall until
// closed (a "slow" service), and records the requests it saw.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface EchoReply {
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Never answer (the request stays open until the server closes). */
  readonly stall?: boolean;
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
}

export interface EchoServer {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startEchoServer(
  reply: EchoReply | ((req: SeenRequest) => EchoReply),
): Promise<EchoServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const r: SeenRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
    };
    seen.push(r);
    const out = typeof reply === "function" ? reply(r) : reply;
    if (out.stall) return;
    res.writeHead(out.status ?? 200, { "content-type": "text/plain", ...out.headers });
    res.end(out.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
