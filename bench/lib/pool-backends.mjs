// The pools step's load backends, run as a process of their own so their CPU is not the server's:
// `node pool-backends.mjs <tcp|http> <pools> <members>` listens, for pool p (0-based) and member m,
// on 127.0.<p+1>.<m+1> (a Linux loopback takes any 127/8 address), every member of a pool on one
// port chosen by the OS (a pool's check dials all its members on one port). A tcp backend accepts and
// closes; an http backend answers 200 "ok". Prints one JSON line { pools: [{ port, addresses }] } once all
// listen, then serves until stdin closes or a signal comes (the bench stops it by its PID).

import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer } from "node:net";

const [kind, poolsArg, membersArg] = process.argv.slice(2);
const pools = Number(poolsArg);
const members = Number(membersArg);
if (!["tcp", "http"].includes(kind) || !(pools >= 1 && pools <= 250) || !(members >= 1 && members <= 250)) {
  process.stderr.write("usage: pool-backends.mjs <tcp|http> <pools 1-250> <members 1-250>\n");
  process.exit(2);
}

const memberAddress = (p, m) => `127.0.${p + 1}.${m + 1}`;

function server() {
  if (kind === "tcp") return createTcpServer((socket) => socket.on("error", () => {}).end());
  return createHttpServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok\n");
  });
}

function listen(address, port) {
  return new Promise((resolve, reject) => {
    const s = server();
    s.once("error", reject);
    s.listen({ host: address, port }, () => resolve(s.address().port));
  });
}

const listening = [];
for (let p = 0; p < pools; p++) {
  const addresses = Array.from({ length: members }, (_, m) => memberAddress(p, m));
  const port = await listen(addresses[0], 0);
  for (const address of addresses.slice(1)) await listen(address, port);
  listening.push({ port, addresses });
}
process.stdout.write(`${JSON.stringify({ pools: listening })}\n`);
process.stdin.on("end", () => process.exit(0)).resume();
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(0));
