import packet from "dns-packet";
import dgram from "node:dgram";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isBeaconError } from "../../core/errors.js";
import { clientReplyMismatch, type ClientQuestion } from "./codec.js";
import { createDnsExchange } from "./exchange.js";
import { encodeQuery } from "../wire/update.js";
import {
  reply as scripted,
  startFakeResolver,
  type FakeResolver,
  type Script,
  type SeenQuery,
} from "../testing/fake-resolver.js";

const QUERY = encodeQuery(0x1234, "example.test", "A");
/** The reply to QUERY: same ID and question, QR and AA set, optionally another ID or TC. */
const replyTo = (q: Uint8Array, opts: { id?: number; tc?: boolean } = {}) => {
  const r = Uint8Array.from(q);
  if (opts.id !== undefined) {
    r[0] = opts.id >> 8;
    r[1] = opts.id & 0xff;
  }
  r[2] = 0x84 | (opts.tc ? 0x02 : 0);
  return r;
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function udpServer(onMessage: (msg: Buffer, from: dgram.RemoteInfo, s: dgram.Socket) => void) {
  const s = dgram.createSocket("udp4");
  const seen: dgram.RemoteInfo[] = [];
  s.on("message", (m, r) => {
    seen.push(r);
    onMessage(m, r, s);
  });
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  cleanups.push(() => s.close());
  return { port: s.address().port, seen };
}

async function tcpServer(onConnection: (c: net.Socket) => void) {
  const seen: string[] = [];
  const s = net.createServer((c) => {
    seen.push(c.remoteAddress ?? "");
    onConnection(c);
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  cleanups.push(() => s.close());
  return { port: (s.address() as net.AddressInfo).port, seen };
}

const framed = (m: Uint8Array) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
const signal = () => AbortSignal.timeout(5000);

async function rejection(p: Promise<unknown>) {
  const e = await p.then(
    () => expect.fail("expected a rejection"),
    (err: unknown) => err,
  );
  if (!isBeaconError(e)) throw e;
  return e;
}

describe("createDnsExchange over UDP", () => {
  it("ignores datagrams with another ID and returns the reply to ours", async () => {
    const srv = await udpServer((m, r, s) => {
      s.send(replyTo(m, { id: 0x9999 }), r.port, r.address);
      s.send(Uint8Array.of(1, 2), r.port, r.address);
      s.send(replyTo(m), r.port, r.address);
    });
    const reply = await createDnsExchange()({
      server: "127.0.0.1",
      port: srv.port,
      transport: "udp",
      message: QUERY,
      signal: signal(),
    });
    expect([...reply]).toEqual([...replyTo(QUERY)]);
  });

  it("resends an unanswered message (same bytes) and takes the reply to a later copy", async () => {
    let n = 0;
    const srv = await udpServer((m, r, s) => {
      if (++n === 2) s.send(replyTo(m), r.port, r.address);
    });
    const reply = await createDnsExchange({ retransmitMs: 30 })({
      server: "127.0.0.1",
      port: srv.port,
      transport: "udp",
      message: QUERY,
      signal: signal(),
    });
    expect(reply[2]! & 0x80).toBe(0x80);
    expect(srv.seen.length).toBeGreaterThanOrEqual(2);
    // One socket for all copies: the same source port.
    expect(new Set(srv.seen.map((r) => r.port)).size).toBe(1);
  });

  it("returns a truncated reply as is (the caller decides about TCP)", async () => {
    const srv = await udpServer((m, r, s) => s.send(replyTo(m, { tc: true }), r.port, r.address));
    const reply = await createDnsExchange()({
      server: "127.0.0.1",
      port: srv.port,
      transport: "udp",
      message: QUERY,
      signal: signal(),
    });
    expect(reply[2]! & 0x02).toBe(0x02);
  });

  it("sends from localAddress", async () => {
    const srv = await udpServer((m, r, s) => s.send(replyTo(m), r.port, r.address));
    await createDnsExchange()({
      server: "127.0.0.1",
      port: srv.port,
      transport: "udp",
      message: QUERY,
      localAddress: "127.0.0.2",
      signal: signal(),
    });
    expect(srv.seen[0]?.address).toBe("127.0.0.2");
  });

  it("rejects with aborted when the signal fires, and sends nothing when it already has", async () => {
    const silent = await udpServer(() => undefined);
    const e = await rejection(
      createDnsExchange()({
        server: "127.0.0.1",
        port: silent.port,
        transport: "udp",
        message: QUERY,
        signal: AbortSignal.timeout(50),
      }),
    );
    expect(e.code).toBe("aborted");
    const ac = new AbortController();
    ac.abort();
    const before = silent.seen.length;
    const e2 = await rejection(
      createDnsExchange()({
        server: "127.0.0.1",
        port: silent.port,
        transport: "udp",
        message: QUERY,
        signal: ac.signal,
      }),
    );
    expect(e2.code).toBe("aborted");
    await new Promise((r) => setTimeout(r, 50));
    expect(silent.seen.length).toBe(before);
  });

  it("ignores a non-response and a reply with another opcode (the default accept rule)", async () => {
    const srv = await udpServer((m, r, s) => {
      const notResponse = replyTo(m);
      notResponse[2] = 0x04;
      const otherOpcode = replyTo(m);
      otherOpcode[2] = 0x84 | (5 << 3);
      s.send(notResponse, r.port, r.address);
      s.send(otherOpcode, r.port, r.address);
      s.send(replyTo(m), r.port, r.address);
    });
    const reply = await createDnsExchange()({
      server: "127.0.0.1",
      port: srv.port,
      transport: "udp",
      message: QUERY,
      signal: signal(),
    });
    expect([...reply]).toEqual([...replyTo(QUERY)]);
  });
});

describe("createDnsExchange with a caller's accept rule", () => {
  // QUERY asks this question with ID 0x1234; the stub resolver's rule also checks the question.
  const Q: ClientQuestion = { name: "example.test", type: "A", qclass: "IN" };
  const questionRule = (r: Uint8Array) => clientReplyMismatch(r, 0x1234, Q);
  const answer = (q: SeenQuery) =>
    scripted(q, { answers: [{ name: q.name, type: "A", ttl: 60, data: "192.0.2.7" }] });
  const wrongOnes = (q: SeenQuery) => [scripted(q, { id: 0x9999 }), scripted(q, { name: "evil.example" })];

  const fakes: FakeResolver[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  async function fake(udp: Script, tcp?: Script) {
    const f = await startFakeResolver(udp, tcp);
    fakes.push(f);
    return f;
  }

  it("over UDP ignores a wrong-ID and a wrong-question reply and takes the right one that follows", async () => {
    const f = await fake((q) => [...wrongOnes(q), answer(q)]);
    const judged: (string | undefined)[] = [];
    const got = await createDnsExchange()({
      server: "127.0.0.1",
      port: f.port,
      transport: "udp",
      message: QUERY,
      mismatch: (r) => {
        const why = questionRule(r);
        judged.push(why);
        return why;
      },
      signal: signal(),
    });
    expect(packet.decode(Buffer.from(got)).answers).toMatchObject([{ data: "192.0.2.7" }]);
    expect(judged).toEqual(["reply ID 39321 is not ours", "reply is for another question", undefined]);
  });

  it("without the rule, the wrong-question reply with our ID is taken (the rule is what refuses it)", async () => {
    const f = await fake((q) => [...wrongOnes(q), answer(q)]);
    const got = await createDnsExchange()({
      server: "127.0.0.1",
      port: f.port,
      transport: "udp",
      message: QUERY,
      signal: signal(),
    });
    expect(packet.decode(Buffer.from(got)).questions?.[0]?.name).toBe("evil.example");
  });

  it("over UDP times out with aborted, under its label, when only wrong replies come", async () => {
    const f = await fake(wrongOnes);
    const e = await rejection(
      createDnsExchange({ retransmitMs: 50 })({
        server: "127.0.0.1",
        port: f.port,
        transport: "udp",
        message: QUERY,
        mismatch: questionRule,
        label: "example.test IN A",
        signal: AbortSignal.timeout(300),
      }),
    );
    expect(e.code).toBe("aborted");
    expect(e.message).toMatch(/^example\.test IN A: no reply before the deadline \(ignored \d+ replies/);
    expect(f.seen.length).toBeGreaterThanOrEqual(2);
  });

  it("over TCP a reply the rule refuses is malformed_reply with the rule's reason", async () => {
    const f = await fake(wrongOnes, (q) => [scripted(q, { name: "evil.example" })]);
    const e = await rejection(
      createDnsExchange()({
        server: "127.0.0.1",
        port: f.port,
        transport: "tcp",
        message: QUERY,
        mismatch: questionRule,
        signal: signal(),
      }),
    );
    expect(e.code).toBe("malformed_reply");
    expect(e.message).toContain("reply is for another question");
  });
});

describe("createDnsExchange over TCP", () => {
  it("frames the message and joins a reply that arrives one octet at a time", async () => {
    const got: Buffer[] = [];
    const srv = await tcpServer((c) => {
      c.on("data", (d) => {
        got.push(d);
        const whole = Buffer.concat(got);
        if (whole.length < 2 + QUERY.length) return;
        const bytes = framed(replyTo(new Uint8Array(whole.subarray(2))));
        let i = 0;
        const drip = setInterval(() => {
          if (i < bytes.length) c.write(bytes.subarray(i, ++i));
          else clearInterval(drip);
        }, 1);
        cleanups.push(() => clearInterval(drip));
      });
    });
    const reply = await createDnsExchange()({
      server: "127.0.0.1",
      port: srv.port,
      transport: "tcp",
      message: QUERY,
      localAddress: "127.0.0.2",
      signal: signal(),
    });
    expect([...reply]).toEqual([...replyTo(QUERY)]);
    expect([...Buffer.concat(got).subarray(0, 2)]).toEqual([0, QUERY.length]);
    expect(srv.seen[0]).toBe("127.0.0.2");
  });

  it("a reply with another ID is malformed_reply", async () => {
    const srv = await tcpServer((c) => c.once("data", () => c.write(framed(replyTo(QUERY, { id: 1 })))));
    const e = await rejection(
      createDnsExchange()({
        server: "127.0.0.1",
        port: srv.port,
        transport: "tcp",
        message: QUERY,
        signal: signal(),
      }),
    );
    expect(e.code).toBe("malformed_reply");
  });

  it("a connection closed before the whole reply is network_error", async () => {
    const srv = await tcpServer((c) => c.once("data", () => c.end(framed(replyTo(QUERY)).subarray(0, 7))));
    const e = await rejection(
      createDnsExchange()({
        server: "127.0.0.1",
        port: srv.port,
        transport: "tcp",
        message: QUERY,
        signal: signal(),
      }),
    );
    expect(e.code).toBe("network_error");
  });

  it("a refused connection is network_error; a silent server ends with aborted", async () => {
    const closed = await tcpServer(() => undefined);
    cleanups.splice(0).forEach((c) => c());
    await new Promise((r) => setTimeout(r, 20));
    const e = await rejection(
      createDnsExchange()({
        server: "127.0.0.1",
        port: closed.port,
        transport: "tcp",
        message: QUERY,
        signal: signal(),
      }),
    );
    expect(e.code).toBe("network_error");
    const silent = await tcpServer(() => undefined);
    const e2 = await rejection(
      createDnsExchange()({
        server: "127.0.0.1",
        port: silent.port,
        transport: "tcp",
        message: QUERY,
        signal: AbortSignal.timeout(50),
      }),
    );
    expect(e2.code).toBe("aborted");
  });
});

describe("createDnsExchange input", () => {
  it("refuses a server that is not an IP literal and messages that are not DNS-sized", async () => {
    const x = createDnsExchange();
    const base = { port: 53, transport: "tcp" as const, signal: signal() };
    expect((await rejection(x({ ...base, server: "localhost", message: QUERY }))).code).toBe("bad_request");
    expect((await rejection(x({ ...base, server: "127.0.0.1", message: new Uint8Array(5) }))).code).toBe(
      "bad_request",
    );
    expect((await rejection(x({ ...base, server: "127.0.0.1", message: new Uint8Array(70_000) }))).code).toBe(
      "bad_request",
    );
  });
});
