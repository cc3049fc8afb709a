#!/usr/bin/env node
// DNS-over-TCP clients from many source addresses, for tests that must run inside a network namespace
// (where a whole IPv6 /64 can be bound: `ip -6 route add local <prefix> dev lo` and
// net.ipv6.ip_nonlocal_bind=1). Usage: node tcp-clients.mjs <server> <port> <qname> <address>...
//
// One connection per source address, opened in order; each sends one A query and keeps the connection
// open once answered. Then, after the server has had a moment to close what it evicts (bounded), it
// prints {"answered":[…],"open":[…]} (one boolean per address, in order) and closes everything.
// Every step is bounded: 5 s per connection, 2 s of settling.

import { Buffer } from "node:buffer";
import net from "node:net";
import { clearTimeout } from "node:timers";

const [server, portText, qname, ...addresses] = process.argv.slice(2);
const port = Number(portText);

function query(id, name) {
  const labels = name.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]);
  const msg = Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
  const framed = Buffer.alloc(2 + msg.length);
  framed.writeUInt16BE(msg.length, 0);
  msg.copy(framed, 2);
  return framed;
}

function open(localAddress, id) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: server, port, localAddress });
    const conn = { socket, answered: false, closed: false };
    const timer = setTimeout(() => resolve(conn), 5000);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      conn.closed = true;
      clearTimeout(timer);
      resolve(conn);
    });
    socket.on("connect", () => socket.write(query(id, qname)));
    socket.once("data", () => {
      conn.answered = true;
      clearTimeout(timer);
      resolve(conn);
    });
  });
}

const conns = [];
for (const [i, address] of addresses.entries()) conns.push(await open(address, i & 0xffff));
await new Promise((resolve) => setTimeout(resolve, 2000));
console.log(JSON.stringify({ answered: conns.map((c) => c.answered), open: conns.map((c) => !c.closed) }));
for (const c of conns) c.socket.destroy();
