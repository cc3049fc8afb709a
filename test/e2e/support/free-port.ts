// A TCP port free right now on 127.0.0.1, for programs that cannot listen on port 0 and say which
// port they got (nginx, Pebble). Another process may take it before the caller binds it: callers
// start the program at once and fail loudly if it cannot bind.

import net from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
