// One DNS message over UDP to 127.0.0.1:port and its reply; rejects after 5 s without one.

import { createSocket } from "node:dgram";

export function udpExchange(port: number, msg: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const sock = createSocket("udp4");
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error("no UDP reply"));
    }, 5_000);
    sock.once("message", (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(new Uint8Array(m));
    });
    sock.send(msg, port, "127.0.0.1");
  });
}
