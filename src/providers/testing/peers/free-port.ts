// A loopback port that is free for both UDP and TCP right now, for starting a real DNS server on it.
// Only "right now": another process may take it before the server binds, so harnesses retry with a
// fresh port when the server does not come up (see dns-peer.ts).

import dgram from "node:dgram";
import net from "node:net";

const ATTEMPTS = 50;

export async function freeDnsPort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const tcp = net.createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen({ host, port: 0 }, () => resolve((tcp.address() as net.AddressInfo).port));
    });
    const udp = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once("error", () => resolve(false));
      udp.bind({ address: host, port }, () => resolve(true));
    });
    await closeQuietly(udp);
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${host} after ${ATTEMPTS} tries`);
}

function closeQuietly(udp: dgram.Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      udp.close(() => resolve());
    } catch {
      resolve(); // never bound: nothing to close
    }
  });
}
