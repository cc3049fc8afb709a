import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createProber } from "./index.js";
import { check, closedPort, ipv6Loopback, listen, shut } from "./testing/servers.js";

const probe = createProber();
const haveIpv6 = await ipv6Loopback();
const servers: net.Server[] = [];
afterAll(() => Promise.all(servers.map(shut)));

async function server(host: string): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const s = net.createServer((socket) => {
    accepted++;
    socket.on("error", () => {});
  });
  servers.push(s);
  return { port: await listen(s, host), accepted: () => accepted };
}

describe("tcp probe", () => {
  it("is up when the connection is established, with the connect time as RTT", async () => {
    const { port, accepted } = await server("127.0.0.1");
    const r = await probe({
      address: "127.0.0.1",
      poolName: "p.example.test",
      check: check("tcp", { port }),
    });
    expect(r.ok).toBe(true);
    expect(r.rttMs).toBeGreaterThanOrEqual(0);
    expect(r.reason).toBeUndefined();
    await expect.poll(accepted).toBe(1);
  });

  it.skipIf(!haveIpv6)("probes an IPv6 member", async () => {
    const { port } = await server("::1");
    const r = await probe({ address: "::1", poolName: "p.example.test", check: check("tcp", { port }) });
    expect(r.ok).toBe(true);
  });

  it("says refused when nothing listens", async () => {
    const port = await closedPort();
    const r = await probe({
      address: "127.0.0.1",
      poolName: "p.example.test",
      check: check("tcp", { port }),
    });
    expect(r).toEqual({ ok: false, reason: "refused" });
  });

  it("needs a valid port and an IP address (never resolves a name)", async () => {
    const at = (address: string, port?: number) =>
      probe({ address, poolName: "p.example.test", check: check("tcp", port === undefined ? {} : { port }) });
    expect((await at("127.0.0.1")).reason).toBe("no port");
    for (const port of [0, -1, 65536, 1.5, Number.NaN])
      expect((await at("127.0.0.1", port)).reason).toBe("bad port");
    for (const address of ["localhost", "", "127.0.0.1:80", "[::1]", "1.2.3"])
      expect((await at(address, 80)).reason).toBe("not an ip address");
  });

  it("gives up when the signal aborts", async () => {
    const { port } = await server("127.0.0.1");
    const ac = new AbortController();
    ac.abort();
    const r = await probe({ address: "127.0.0.1", poolName: "p", check: check("tcp", { port }) }, ac.signal);
    expect(r).toEqual({ ok: false, reason: "aborted" });
  });
});
