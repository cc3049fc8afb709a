import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { peerAvailable } from "../../../test/e2e/support/peers.js";
import type { CheckSpec } from "../../core/pools.js";
import { BODY_LIMIT } from "./http.js";
import { createProber } from "./index.js";
import { check, closedPort, ipv6Loopback, listen, rawServer, shut } from "./testing/servers.js";

const POOL = "pool.example.test";
const probe = createProber({ version: "1.2.3" });
const haveIpv6 = await ipv6Loopback();
const servers: net.Server[] = [];
afterAll(() => Promise.all(servers.map(shut)));

interface Seen {
  readonly url: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
}

/** An HTTP server answering with `handler`; `seen` lists the requests it got. */
async function serve(
  handler: http.RequestListener,
  host = "127.0.0.1",
): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    handler(req, res);
  });
  servers.push(server);
  return { port: await listen(server, host), seen };
}

/** A raw TCP server that writes whatever `onSocket` wants after the request arrives. */
async function raw(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = rawServer((socket) => socket.once("data", () => onSocket(socket)));
  servers.push(server);
  return listen(server);
}

const get = (port: number, extra: Partial<CheckSpec> = {}, address = "127.0.0.1") =>
  probe({ address, poolName: POOL, check: check("http", { port, ...extra }) });

const reply =
  (status: number, body = "") =>
  (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(body);
  };

describe("http probe", () => {
  it("dials the address with the pool's name as Host, the path and our User-Agent", async () => {
    const { port, seen } = await serve(reply(200));
    const r = await get(port, { path: "/healthz?deep=1" });
    expect(r.ok).toBe(true);
    expect(r.rttMs).toBeGreaterThanOrEqual(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe("/healthz?deep=1");
    expect(seen[0]?.headers.host).toBe(POOL);
    expect(seen[0]?.headers["user-agent"]).toBe("Beacon-health/1.2.3");
  });

  it("sends check.host as Host when given", async () => {
    const { port, seen } = await serve(reply(200));
    await get(port, { host: "www.example.org" });
    expect(seen[0]?.headers.host).toBe("www.example.org");
    expect(seen[0]?.url).toBe("/");
  });

  it.skipIf(!haveIpv6)("probes an IPv6 member", async () => {
    const { port, seen } = await serve(reply(204), "::1");
    expect((await get(port, {}, "::1")).ok).toBe(true);
    expect(seen[0]?.headers.host).toBe(POOL);
  });

  it("matches the status against expect", async () => {
    const { port } = await serve(reply(503));
    expect(await get(port)).toEqual({ ok: false, reason: "status 503" });
    expect((await get(port, { expect: "200,503" })).ok).toBe(true);
    expect((await get(port, { expect: "5xx" })).ok).toBe(true);
    expect((await get(port, { expect: "500-502" })).reason).toBe("status 503");
  });

  it("follows no redirect: a 3xx is a failure unless expected", async () => {
    const { port, seen } = await serve((_req, res) => {
      res.writeHead(301, { location: "/elsewhere" });
      res.end();
    });
    expect(await get(port)).toEqual({ ok: false, reason: "status 301" });
    expect((await get(port, { expect: "3xx" })).ok).toBe(true);
    expect(seen.map((s) => s.url)).toEqual(["/", "/"]);
  });

  it("finds the body substring in the first 5,120 bytes only", async () => {
    const at = (offset: number) => "x".repeat(offset) + "needle" + "y".repeat(100_000);
    const { port: early } = await serve(reply(200, at(BODY_LIMIT - 6)));
    const { port: late } = await serve(reply(200, at(BODY_LIMIT - 5)));
    const { port: short } = await serve(reply(200, "all good"));
    expect((await get(early, { body: "needle" })).ok).toBe(true);
    expect(await get(late, { body: "needle" })).toEqual({ ok: false, reason: "body mismatch" });
    expect(await get(short, { body: "needle" })).toEqual({ ok: false, reason: "body mismatch" });
    expect((await get(short, { body: "good" })).ok).toBe(true);
  });

  it("does not read a huge body to its end", async () => {
    let written = 0;
    const { port } = await serve((_req, res) => {
      res.writeHead(200);
      const more = () => {
        while (written < 50_000_000) {
          written += 65_536;
          if (!res.write(Buffer.alloc(65_536, 0x61))) return void res.once("drain", more);
        }
        res.end();
      };
      res.on("error", () => {});
      more();
    });
    expect(await get(port, { body: "needle" })).toEqual({ ok: false, reason: "body mismatch" });
    expect(written).toBeLessThan(50_000_000);
  });

  it("times out on a server that never answers, sends headers then stalls, or trickles headers", async () => {
    const silent = await raw(() => {});
    const stalled = await raw((s) => s.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"));
    const trickle = await raw((s) => {
      s.write("HTTP/1.1 200 OK\r\n");
      const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write("X")), 20);
      s.on("close", () => clearInterval(t));
    });
    const quick = { timeoutMs: 300 };
    expect(await get(silent, quick)).toEqual({ ok: false, reason: "timeout" });
    expect(await get(stalled, { ...quick, body: "needle" })).toEqual({ ok: false, reason: "timeout" });
    expect(await get(trickle, quick)).toEqual({ ok: false, reason: "timeout" });
  });

  it("fails on a connection closed mid-response", async () => {
    const beforeHeaders = await raw((s) => s.end("HTTP/1.1 200 OK\r\nContent-"));
    const midBody = await raw((s) => s.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"));
    expect(await get(beforeHeaders)).toEqual({ ok: false, reason: "reset" });
    expect(await get(midBody, { body: "needle" })).toEqual({ ok: false, reason: "closed" });
  });

  it("rejects garbage and oversized headers", async () => {
    const garbage = await raw((s) => s.end("HELLO\r\n\r\n"));
    const binary = await raw((s) => s.end(Buffer.from([0, 255, 13, 10, 13, 10])));
    const huge = await raw((s) => s.end(`HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(100_000)}\r\n\r\n`));
    for (const port of [garbage, binary, huge]) expect((await get(port)).reason).toMatch(/^bad reply: /);
  });

  it("says refused when nothing listens", async () => {
    expect(await get(await closedPort())).toEqual({ ok: false, reason: "refused" });
  });
});

describe.skipIf(!peerAvailable("openssl", "openssl"))("https probe", () => {
  const tls = { key: Buffer.alloc(0), cert: Buffer.alloc(0) };
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), "beacon-probe-tls-"));
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    try {
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${POOL}`].concat([
          "-addext",
          `subjectAltName=DNS:${POOL}`,
          "-keyout",
          key,
          "-out",
          cert,
        ]),
        { stdio: "ignore" },
      );
      Object.assign(tls, { key: readFileSync(key), cert: readFileSync(cert) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** An HTTPS server with a self-signed certificate for POOL; `sni` lists the names clients sent. */
  async function tlsServer(): Promise<{ port: number; sni: (string | undefined)[] }> {
    const sni: (string | undefined)[] = [];
    const server = https.createServer(tls, reply(200, "ok"));
    server.on("secureConnection", (s: TLSSocket) => sni.push(s.servername || undefined));
    server.on("tlsClientError", () => {});
    servers.push(server);
    return { port: await listen(server), sni };
  }

  const get = (port: number, extra: Partial<CheckSpec> = {}) =>
    probe({ address: "127.0.0.1", poolName: POOL, check: check("https", { port, ...extra }) });

  it("sends the host as SNI and accepts a self-signed certificate when tlsVerify is false", async () => {
    const { port, sni } = await tlsServer();
    expect((await get(port, { tlsVerify: false, body: "ok" })).ok).toBe(true);
    expect((await get(port, { tlsVerify: false, host: "other.example.test" })).ok).toBe(true);
    expect(sni).toEqual([POOL, "other.example.test"]);
  });

  it("verifies the certificate by default", async () => {
    const { port } = await tlsServer();
    const r = await get(port);
    expect(r.ok).toBe(false);
    expect(r.reason).toBe("tls: depth_zero_self_signed_cert");
  });

  it("sends no SNI for an address as host", async () => {
    const { port, sni } = await tlsServer();
    expect((await get(port, { tlsVerify: false, host: "127.0.0.1" })).ok).toBe(true);
    expect(sni).toEqual([undefined]);
  });

  it("reports a plain HTTP server on the https port as a TLS failure", async () => {
    const { port } = await serve(reply(200));
    expect((await get(port)).reason).toMatch(/^tls: /); // "tls: eproto" or an OpenSSL code, by version
  });
});
