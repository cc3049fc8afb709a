// Loopback ports free right now (bound as 0, read back, released), for servers that cannot be told
// "port 0". Only "right now": startServer retries on fresh ports when a server does not come up.

import dgram from "node:dgram";
import net from "node:net";

export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const tcp = net.createServer();
    tcp.once("error", reject);
    tcp.listen({ host: "127.0.0.1", port: 0 }, () => {
      const { port } = tcp.address();
      tcp.close(() => resolve(port));
    });
  });
}

/** A port free for both UDP and TCP on 127.0.0.1 (DNS servers bind both). */
export async function freeDnsPort() {
  for (let i = 0; i < 50; i++) {
    const tcp = net.createServer();
    const port = await new Promise((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen({ host: "127.0.0.1", port: 0 }, () => resolve(tcp.address().port));
    });
    const udp = dgram.createSocket("udp4");
    const free = await new Promise((resolve) => {
      udp.once("error", () => resolve(false));
      udp.bind({ address: "127.0.0.1", port }, () => resolve(true));
    });
    if (free) await new Promise((resolve) => udp.close(resolve));
    await new Promise((resolve) => tcp.close(resolve));
    if (free) return port;
  }
  throw new Error("no port free for both UDP and TCP on 127.0.0.1 after 50 tries");
}
