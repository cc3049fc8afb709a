// The stub resolver against a scripted fake server (lies, garbage, silence, truncation) and against
// Beacon's own DNS server over UDP and TCP.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBeaconError } from "../../core/errors.js";
import { silentLog } from "../../core/log.js";
import { createDnsQuery } from "./query.js";
import { answerQuery } from "../answer/engine.js";
import { startDnsServer, type DnsServer } from "../server.js";
import { startFakeResolver, reply, txt, type FakeResolver, type Script } from "../testing/fake-resolver.js";
import { BIG_TXT, SNAPSHOT } from "../testing/fixtures.js";
import { ZoneIndex } from "../answer/zone-index.js";

const query = createDnsQuery({ retransmitMs: 200 });
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

const fakes: FakeResolver[] = [];
async function fake(udp: Script, tcp?: Script): Promise<FakeResolver> {
  const f = await startFakeResolver(udp, tcp);
  fakes.push(f);
  return f;
}
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

const whoami = (port: number, s = signal()) =>
  query({ server: "127.0.0.1", port, name: "whoami.cloudflare", type: "TXT", qclass: "CH", signal: s });

describe("createDnsQuery against a scripted server", () => {
  it("asks the question in the given class with RD set and returns the TXT strings", async () => {
    const f = await fake((q) => [reply(q, { answers: [txt(q, "81.2.69.142")] })]);
    expect(await whoami(f.port)).toEqual({ rcode: "NOERROR", answers: ["81.2.69.142"] });
    expect(f.seen[0]).toMatchObject({ name: "whoami.cloudflare", type: "TXT", class: "CH", rd: true });
  });

  it("joins the strings of one TXT record and keeps records apart", async () => {
    const f = await fake((q) => [reply(q, { answers: [txt(q, "81.2.", "69.142"), txt(q, "second")] })]);
    expect((await whoami(f.port)).answers).toEqual(["81.2.69.142", "second"]);
  });

  it("ignores a spoofed reply with a wrong ID and takes the genuine one after it", async () => {
    const f = await fake((q) => [
      reply(q, { id: (q.id + 1) & 0xffff, answers: [txt(q, "6.6.6.6")] }),
      reply(q, { answers: [txt(q, "81.2.69.142")] }),
    ]);
    expect((await whoami(f.port)).answers).toEqual(["81.2.69.142"]);
  });

  it("ignores a reply for another question (other name, type or class) and times out if none matches", async () => {
    const f = await fake((q) => [
      reply(q, { name: "evil.example", answers: [] }),
      reply(q, { type: "A" }),
      reply(q, { class: "IN" }),
    ]);
    const r = await rejection(whoami(f.port, AbortSignal.timeout(300)));
    expect(r.code).toBe("aborted");
    expect(r.message).toMatch(/ignored \d+ replies/);
  });

  it("ignores a wrong-ID and a wrong-question reply over UDP and takes the right one that follows", async () => {
    const f = await fake((q) => [
      reply(q, { id: (q.id + 1) & 0xffff, answers: [txt(q, "6.6.6.6")] }),
      reply(q, { name: "evil.example", answers: [] }),
      reply(q, { answers: [txt(q, "81.2.69.142")] }),
    ]);
    expect(await whoami(f.port)).toEqual({ rcode: "NOERROR", answers: ["81.2.69.142"] });
    expect(f.seen.map((s) => s.transport)).toEqual(["udp"]);
  });

  it("times out with aborted when only wrong-ID and wrong-question replies come", async () => {
    const f = await fake((q) => [
      reply(q, { id: (q.id + 1) & 0xffff, answers: [txt(q, "6.6.6.6")] }),
      reply(q, { type: "A" }),
    ]);
    const r = await rejection(whoami(f.port, AbortSignal.timeout(300)));
    expect(r.code).toBe("aborted");
    expect(r.message).toMatch(/^whoami\.cloudflare CH TXT @127\.0\.0\.1 \(udp\): .*ignored \d+ replies/);
  });

  it("rejects garbage with the right ID as malformed_reply", async () => {
    const f = await fake((q) => {
      const bytes = reply(q, { answers: [txt(q, "81.2.69.142")] });
      return [bytes.slice(0, 20)];
    });
    expect((await rejection(whoami(f.port))).code).toBe("malformed_reply");
  });

  it("rejects a reply shorter than a header as malformed_reply", async () => {
    const f = await fake(() => [new Uint8Array([1, 2, 3])]);
    expect((await rejection(whoami(f.port))).code).toBe("malformed_reply");
  });

  it("retries over TCP when TC is set and returns the TCP answer", async () => {
    const f = await fake(
      (q) => [reply(q, { tc: true })],
      (q) => [reply(q, { answers: [txt(q, "81.2.69.142")] })],
    );
    expect((await whoami(f.port)).answers).toEqual(["81.2.69.142"]);
    expect(f.seen.map((s) => s.transport)).toEqual(["udp", "tcp"]);
  });

  it("rejects a TCP reply for another ID (a broken server) as malformed_reply", async () => {
    const f = await fake(
      (q) => [reply(q, { tc: true })],
      (q) => [reply(q, { id: (q.id + 1) & 0xffff })],
    );
    expect((await rejection(whoami(f.port))).code).toBe("malformed_reply");
  });

  it("resends over UDP while the server drops the first query", async () => {
    let n = 0;
    const f = await fake((q) => (n++ === 0 ? [] : [reply(q, { answers: [txt(q, "81.2.69.142")] })]));
    expect((await whoami(f.port)).answers).toEqual(["81.2.69.142"]);
    expect(f.seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(f.seen.map((s) => s.id)).size).toBe(1);
  });

  it("reports the rcode of a refusal", async () => {
    const f = await fake((q) => [reply(q, { rcode: 5 })]);
    expect(await whoami(f.port)).toEqual({ rcode: "REFUSED", answers: [] });
  });

  it("uses a random ID and a fresh source port per query", async () => {
    const f = await fake((q) => [reply(q, { answers: [txt(q, "81.2.69.142")] })]);
    for (let i = 0; i < 6; i++) await whoami(f.port);
    expect(new Set(f.seen.map((s) => s.id)).size).toBeGreaterThan(1);
    expect(new Set(f.seen.map((s) => s.remotePort)).size).toBeGreaterThan(1);
  });

  it("binds the local address", async () => {
    const f = await fake((q) => [reply(q, { answers: [txt(q, "81.2.69.142")] })]);
    await query({
      server: "127.0.0.1",
      port: f.port,
      name: "whoami.cloudflare",
      type: "TXT",
      qclass: "CH",
      localAddress: "127.0.0.1",
      signal: signal(),
    });
    expect(f.seen[0]?.remoteAddress).toBe("127.0.0.1");
  });

  it("fails with network_error when the local address is not on this host (192.0.2.55)", async () => {
    const f = await fake(() => []);
    const r = await rejection(
      query({
        server: "127.0.0.1",
        port: f.port,
        name: "x.test",
        type: "A",
        localAddress: "192.0.2.55",
        signal: signal(),
      }),
    );
    expect(r.code).toBe("network_error");
  });

  it("fails with network_error when nothing listens on the port (ICMP port unreachable)", async () => {
    const f = await startFakeResolver(() => []);
    const port = f.port;
    await f.close();
    const r = await rejection(
      query({ server: "127.0.0.1", port, name: "x.test", type: "A", signal: signal() }),
    );
    expect(r.code).toBe("network_error");
  });

  it("gives up with aborted when a silent server never answers", async () => {
    const f = await fake(() => []);
    expect((await rejection(whoami(f.port, AbortSignal.timeout(250)))).code).toBe("aborted");
  });

  it("rejects an already-aborted signal without sending", async () => {
    const f = await fake(() => []);
    expect((await rejection(whoami(f.port, AbortSignal.abort()))).code).toBe("aborted");
    expect(f.seen).toHaveLength(0);
  });

  it.each([
    ["a hostname as server", { server: "dns.example" }],
    ["a name with a space", { name: "bad name.example" }],
  ])("rejects %s", async (_title, o) => {
    const r = await rejection(
      query({ server: "127.0.0.1", port: 1, name: "x.test", type: "A", signal: signal(), ...o }),
    );
    expect(["bad_request", "invalid_hostname"]).toContain(r.code);
  });
});

describe("createDnsQuery against Beacon's own DNS server", () => {
  let server: DnsServer;
  beforeAll(async () => {
    const index = new ZoneIndex();
    index.load(SNAPSHOT);
    server = await startDnsServer({
      host: "127.0.0.1",
      port: 0,
      handler: (msg, ctx) => answerQuery(msg, index, ctx),
      log: silentLog,
    });
  });
  afterAll(async () => {
    await server.close();
  });
  const ask = (name: string, type: "A" | "AAAA" | "TXT", qclass?: "IN" | "CH") =>
    query({ server: "127.0.0.1", port: server.port, name, type, qclass, signal: signal() });

  it("reads A, AAAA and TXT answers (names are case-insensitive)", async () => {
    expect(await ask("WWW.dyn.example.test.", "A")).toEqual({ rcode: "NOERROR", answers: ["192.0.2.1"] });
    expect(await ask("www.dyn.example.test", "AAAA")).toEqual({ rcode: "NOERROR", answers: ["2001:db8::1"] });
    expect(await ask("a.b.c.example.test", "TXT")).toEqual({ rcode: "NOERROR", answers: ["hello"] });
  });

  it("falls back to TCP for an answer too big for UDP", async () => {
    expect(await ask("big.example.test", "TXT")).toEqual({ rcode: "NOERROR", answers: BIG_TXT });
  });

  it("reports NXDOMAIN, REFUSED outside the zones, and REFUSED for CHAOS", async () => {
    expect(await ask("nope.example.test", "A")).toEqual({ rcode: "NXDOMAIN", answers: [] });
    expect((await ask("example.org", "A")).rcode).toBe("REFUSED");
    expect((await ask("whoami.cloudflare", "TXT", "CH")).rcode).toBe("REFUSED");
  });
});
