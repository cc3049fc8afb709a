import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBeaconError } from "../core/errors.js";
import { createHttpRequest } from "./http-request.js";

const request = createHttpRequest();
let server: http.Server;
let base: string;
const seen: {
  method?: string;
  url?: string;
  body: string;
  remote?: string;
  headers: http.IncomingHttpHeaders;
}[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({
        method: req.method,
        url: req.url,
        body,
        remote: req.socket.remoteAddress,
        headers: req.headers,
      });
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/redirect") {
        res.writeHead(302, { location: "/elsewhere" });
        res.end("moved");
      } else if (path === "/big-declared") {
        res.writeHead(200, { "content-length": "100000" });
        res.end("x".repeat(100000));
      } else if (path === "/big-chunked") {
        res.writeHead(200);
        for (let i = 0; i < 20; i++) res.write("y".repeat(1000));
        res.end();
      } else if (path === "/stall") {
        // never answers
      } else if (path === "/cut") {
        res.writeHead(200, { "content-length": "100" });
        res.write("partial");
        res.socket?.destroy();
      } else {
        res.writeHead(503, { "x-multi": ["a", "b"], "content-type": "text/plain" });
        res.end(`echo ${req.method} ${body}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const signal = () => AbortSignal.timeout(5000);

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isBeaconError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a rejection");
}

describe("createHttpRequest", () => {
  it("resolves with any status, lowercase headers joined, and the body; sends method, headers, body", async () => {
    const reply = await request(`${base}/x`, {
      method: "POST",
      body: "hello",
      headers: { "X-Test": "1" },
      signal: signal(),
    });
    expect(reply.status).toBe(503);
    expect(reply.body).toBe("echo POST hello");
    expect(reply.headers["content-type"]).toBe("text/plain");
    expect(reply.headers["x-multi"]).toBe("a, b");
    expect(seen.at(-1)?.headers["x-test"]).toBe("1");
  });

  it("does not follow a redirect: the 302 is the reply", async () => {
    const before = seen.length;
    const reply = await request(`${base}/redirect`, { signal: signal() });
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe("/elsewhere");
    expect(seen.length).toBe(before + 1);
  });

  it("rejects a body whose declared length exceeds maxBytes", async () => {
    const r = await rejection(request(`${base}/big-declared`, { signal: signal(), maxBytes: 1000 }));
    expect(r.code).toBe("parameter_too_large");
  });

  it("rejects a chunked body that grows past maxBytes", async () => {
    const r = await rejection(request(`${base}/big-chunked`, { signal: signal(), maxBytes: 5000 }));
    expect(r.code).toBe("parameter_too_large");
  });

  it("rejects a reply cut off before its declared length", async () => {
    const r = await rejection(request(`${base}/cut`, { signal: signal() }));
    expect(r.code).toBe("network_error");
  });

  it("rejects with aborted when the signal fires while the server stalls", async () => {
    const ctrl = new AbortController();
    const pending = request(`${base}/stall`, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 20);
    expect((await rejection(pending)).code).toBe("aborted");
  });

  it("rejects an already-aborted signal without sending", async () => {
    const before = seen.length;
    const r = await rejection(request(`${base}/x`, { signal: AbortSignal.abort() }));
    expect(r.code).toBe("aborted");
    expect(seen.length).toBe(before);
  });

  it("rejects a refused connection with network_error and keeps the query string out of the message", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await rejection(
      request(`http://user:pw@127.0.0.1:${port}/nic/update?password=s3cret`, { signal: signal() }),
    );
    expect(r.code).toBe("network_error");
    expect(r.message).not.toContain("s3cret");
    expect(r.message).not.toContain("pw");
  });

  it("binds the given local address", async () => {
    await request(`${base}/x`, { signal: signal(), localAddress: "127.0.0.1", family: 4 });
    expect(seen.at(-1)?.remote).toBe("127.0.0.1");
  });

  it("fails when the local address is not on this host (192.0.2.55)", async () => {
    const r = await rejection(request(`${base}/x`, { signal: signal(), localAddress: "192.0.2.55" }));
    expect(r.code).toBe("network_error");
  });

  it.each(["ftp://127.0.0.1/", "not a url", "file:///etc/passwd"])("rejects the URL %s", async (url) => {
    expect((await rejection(request(url, { signal: signal() }))).code).toBe("bad_request");
  });
});
