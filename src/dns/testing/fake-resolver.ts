// A scriptable DNS server on 127.0.0.1 port 0 (UDP and TCP on the same port) for stub-resolver
// tests: the test decides, per query, what bytes go back, including lies, garbage and silence.

import dgram from "node:dgram";
import net from "node:net";
import packet from "dns-packet";

export interface SeenQuery {
  readonly transport: "udp" | "tcp";
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly class: string;
  readonly rd: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** Replies to send for one query (in order); an empty list sends nothing. */
export type Script = (q: SeenQuery, raw: Buffer) => Uint8Array[];

export interface FakeResolver {
  readonly port: number;
  readonly seen: SeenQuery[];
  close(): Promise<void>;
}

export async function startFakeResolver(
  udpScript: Script,
  tcpScript: Script = udpScript,
): Promise<FakeResolver> {
  const seen: SeenQuery[] = [];
  let udp = dgram.createSocket("udp4");
  const read = (raw: Buffer, transport: "udp" | "tcp", address: string, port: number): SeenQuery => {
    const msg = packet.decode(raw);
    const q = msg.questions?.[0];
    const seenQ: SeenQuery = {
      transport,
      id: msg.id ?? -1,
      name: q?.name ?? "",
      type: q?.type ?? "",
      class: q?.class ?? "",
      rd: ((msg.flags ?? 0) & packet.RECURSION_DESIRED) !== 0,
      remoteAddress: address,
      remotePort: port,
    };
    seen.push(seenQ);
    return seenQ;
  };
  const onMessage = (raw: Buffer, rinfo: dgram.RemoteInfo): void => {
    for (const out of udpScript(read(raw, "udp", rinfo.address, rinfo.port), raw))
      udp.send(out, rinfo.port, rinfo.address);
  };
  udp.on("message", onMessage);
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const raw = buf.subarray(2, 2 + buf.readUInt16BE(0));
      for (const out of tcpScript(
        read(raw, "tcp", socket.remoteAddress ?? "", socket.remotePort ?? 0),
        raw,
      )) {
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        framed.set(out, 2);
        socket.write(framed);
      }
    });
    socket.on("error", () => undefined);
  });
  // UDP picks the port and TCP takes the same one; another test may hold that TCP port (peers started on
  // "free" ports run in parallel), so the pair is retried on a fresh port.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
    port = udp.address().port;
    const listened = await new Promise<boolean>((resolve) => {
      tcp.once("error", () => resolve(false));
      tcp.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (listened) break;
    await new Promise((r) => udp.close(() => r(undefined)));
    if (attempt >= 5) throw new Error("fake resolver: no free UDP+TCP port pair after 5 attempts");
    udp = dgram.createSocket("udp4");
    udp.on("message", onMessage);
  }
  return {
    port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise((r) => udp.close(() => r(undefined))),
        new Promise((r) => tcp.close(r)),
      ]);
    },
  };
}

export interface ReplyOptions {
  readonly id?: number;
  readonly name?: string;
  readonly type?: string;
  readonly class?: string;
  readonly rcode?: number;
  readonly tc?: boolean;
  readonly answers?: packet.Answer[];
}

/** A response to `q`, with any field overridden (to lie about the ID or the question). */
export function reply(q: SeenQuery, o: ReplyOptions = {}): Uint8Array {
  const bytes = new Uint8Array(
    packet.encode({
      id: o.id ?? q.id,
      type: "response",
      flags: (o.tc ? packet.TRUNCATED_RESPONSE : 0) | packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
      questions: [
        {
          name: o.name ?? q.name,
          type: (o.type ?? q.type) as packet.RecordType,
          class: (o.class ?? q.class) as packet.RecordClass,
        },
      ],
      answers: o.answers ?? [],
    }),
  );
  bytes[3] = (bytes[3]! & 0xf0) | (o.rcode ?? 0);
  return bytes;
}

/** A TXT answer for the question's name and class. */
export function txt(q: SeenQuery, ...values: string[]): packet.Answer {
  return { name: q.name, type: "TXT", class: q.class as packet.RecordClass, ttl: 0, data: values };
}
