// The HTTP listener's bounds, with real sockets on 127.0.0.1:0. Hostile clients: many idle
// connections from one address (200, over the per-client cap), a flood past the total cap from many
// addresses, a slowloris sending its headers a byte at a time, a connection that sends nothing, and a
// failed accept (EMFILE). Other clients must still get in, and every refusal is counted and logged.

import net from "node:net";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { recordingLog, type LogLine } from "../services/testing/recorders.js";
import { connectionBudget, drainHttp, httpConnections, listenHttp, type HttpLimits } from "./http-server.js";

const LIMITS: HttpLimits = {
  maxConnections: 1024,
  maxConnectionsPerClient: 64,
  idleTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  trustedProxies: [],
};

interface Client {
  readonly socket: net.Socket;
  /** Resolves when the server closed the connection (or it failed). */
  readonly closed: Promise<void>;
  readonly isClosed: () => boolean;
  readonly received: () => string;
}

/** Connects from `localAddress` (any 127/8 address is this machine's loopback). */
function connect(port: number, localAddress = "127.0.0.1"): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    let data = "";
    let done = false;
    socket.setEncoding("utf8").on("data", (d: string) => (data += d));
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    void closed.then(() => (done = true));
    socket.once("error", () => undefined);
    socket.once("connect", () => resolve({ socket, closed, isClosed: () => done, received: () => data }));
    socket.once("error", reject);
  });
}

/** Resolves with "closed" when `c` is closed by the server within `ms`, else "open". */
async function fate(c: Client, ms: number): Promise<"closed" | "open"> {
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<"open">((r) => (timer = setTimeout(() => r("open"), ms)));
  const result = await Promise.race([c.closed.then(() => "closed" as const), open]);
  clearTimeout(timer);
  return result;
}

async function get(port: number, localAddress: string): Promise<string> {
  const c = await connect(port, localAddress);
  c.socket.write(`GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  await fate(c, 5_000);
  return c.received();
}

describe("HTTP listener bounds (real sockets)", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function start(over: Partial<HttpLimits> = {}) {
    const limits = { ...LIMITS, ...over };
    const lines: LogLine[] = [];
    const metrics = new Registry();
    const connections = httpConnections(limits, recordingLog(lines), () => Date.now(), metrics);
    const { server, endpoint } = await listenHttp(
      () => new Response("ok\n"),
      { host: "127.0.0.1", port: 0 },
      limits,
      connections,
    );
    const clients: Client[] = [];
    cleanup.push(async () => {
      for (const c of clients) c.socket.destroy();
      await drainHttp(server, 100);
      connections.stop();
    });
    const open = async (n: number, from = "127.0.0.1") => {
      const made: Client[] = [];
      for (let i = 0; i < n; i++) made.push(await connect(endpoint.port, from));
      clients.push(...made);
      return made;
    };
    const refusals = async () => {
      const m = (await metrics.getSingleMetricAsString("beacon_http_connections_refused_total")).split("\n");
      return Object.fromEntries(
        m.flatMap((l): [string, number][] => {
          const r = /reason="(\w+)"} (\d+)/.exec(l);
          return r === null ? [] : [[r[1] ?? "", Number(r[2])]];
        }),
      );
    };
    const refusedLines = () => lines.filter((l) => l.msg === "HTTP connections refused");
    return { port: endpoint.port, server, open, refusals, refusedLines, lines, connections };
  }

  it("200 idle connections from one address: 64 held, the rest refused and logged; others still get in", async () => {
    const h = await start();
    const clients = await h.open(200);
    const closed = await Promise.all(clients.map((c) => fate(c, 2_000)));
    expect(closed.filter((f) => f === "open")).toHaveLength(64);
    expect(closed.slice(0, 64).every((f) => f === "open")).toBe(true);
    expect(await h.refusals()).toEqual({ per_client_limit: 136 });
    // Bounded log: the first refusal at once, the rest summed up in one line.
    h.connections.stop();
    const lines = h.refusedLines();
    expect(lines.length).toBeLessThanOrEqual(2);
    const total = lines.reduce(
      (n, l) => n + ((l.obj as { refused: Record<string, number> }).refused["per_client_limit"] ?? 0),
      0,
    );
    expect(total).toBe(136);
    expect(lines[0]?.obj).toMatchObject({ client: "127.0.0.1", perClient: 64 });
    // Another client is served while the first holds its 64.
    expect(await get(h.port, "127.0.0.2")).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*ok\n$/);
  });

  it("the per-client cap: the next connection is refused, another address gets in, a freed slot is reused", async () => {
    const h = await start({ maxConnectionsPerClient: 3 });
    const held = await h.open(3);
    const [fourth] = await h.open(1);
    expect(await fate(fourth!, 2_000)).toBe("closed");
    expect(fourth!.received()).toBe("");
    expect(await get(h.port, "127.0.0.3")).toContain("200 OK");
    held[0]!.socket.destroy();
    await held[0]!.closed;
    const [again] = await h.open(1);
    again!.socket.write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    await fate(again!, 2_000);
    expect(again!.received()).toContain("200 OK");
    expect(await h.refusals()).toEqual({ per_client_limit: 1 });
  });

  it("the total cap holds over many addresses; trusted proxies count toward it only", async () => {
    const h = await start({
      maxConnections: 6,
      maxConnectionsPerClient: 2,
      trustedProxies: ["127.0.0.9/32"],
    });
    const proxied = await h.open(4, "127.0.0.9");
    const others = [...(await h.open(1, "127.0.0.2")), ...(await h.open(1, "127.0.0.3"))];
    const [over] = await h.open(1, "127.0.0.4");
    expect(await fate(over!, 2_000)).toBe("closed");
    for (const c of [...proxied, ...others]) expect(c.isClosed()).toBe(false);
    expect(await h.refusals()).toEqual({ total_limit: 1 });
  });

  it("cuts a slowloris sending its headers a byte at a time, at the headers timeout", async () => {
    const h = await start({ headersTimeoutMs: 1_000 });
    const [slow] = await h.open(1);
    const request = `GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ${"a".repeat(60)}\r\n\r\n`;
    let sent = 0;
    while (sent < request.length && !slow!.isClosed()) {
      slow!.socket.write(request[sent]!);
      sent++;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(slow!.isClosed()).toBe(true);
    expect(sent).toBeLessThan(request.length);
    expect(slow!.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("cuts a connection that sends nothing, at the headers timeout", async () => {
    const h = await start({ headersTimeoutMs: 1_000 });
    const [silent] = await h.open(1);
    expect(await fate(silent!, 10_000)).toBe("closed");
  });

  it("a failed accept (EMFILE) is counted and logged, and the server goes on", async () => {
    const h = await start();
    const err = Object.assign(new Error("accept EMFILE"), { code: "EMFILE", syscall: "accept" });
    h.server.emit("error", err);
    h.server.emit("error", err);
    expect(await h.refusals()).toEqual({ accept_failed: 2 });
    expect(h.refusedLines()[0]?.obj).toMatchObject({ code: "EMFILE" });
    expect(await get(h.port, "127.0.0.1")).toContain("200 OK");
  });
});

describe("connectionBudget", () => {
  it("fits the cap to the open-file limit, keeping half of what is left for DNS over TCP", () => {
    expect(connectionBudget(1024, undefined)).toBe(1024);
    expect(connectionBudget(1024, 1_048_576)).toBe(1024);
    expect(connectionBudget(1024, 1024)).toBe(488);
    expect(connectionBudget(1024, 64)).toBe(8);
    expect(connectionBudget(1024, 40)).toBe(1);
  });
});
