// Test helpers for the probes: servers on loopback port 0, a check with short timeouts, and whether
// ::1 can be used here. Tests only.

import net from "node:net";
import type { CheckSpec } from "../../../core/pools.js";

/** Listens on `host`:0 and resolves with the port. */
export function listen(server: net.Server, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** Closes the server and every connection it still holds. */
export function shut(server: net.Server & { closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A raw TCP server whose connections `onSocket` drives (garbage, stalls, early closes). */
export function rawServer(
  onSocket: (socket: net.Socket) => void,
): net.Server & { closeAllConnections(): void } {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onSocket(socket);
  });
  return Object.assign(server, { closeAllConnections: () => sockets.forEach((s) => s.destroy()) });
}

/** A port nothing listens on right now. */
export async function closedPort(host = "127.0.0.1"): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, host);
  await shut(server);
  return port;
}

export function check(type: CheckSpec["type"], extra: Partial<CheckSpec> = {}): CheckSpec {
  return { type, intervalMs: 10_000, timeoutMs: 5_000, rise: 2, fall: 3, ...extra };
}

/** Whether this machine can listen on ::1 (some containers have no IPv6 loopback): says so when not. */
export async function ipv6Loopback(): Promise<boolean> {
  const server = net.createServer();
  try {
    await listen(server, "::1");
    await shut(server);
    return true;
  } catch {
    console.warn("\n!!! SKIPPING IPv6 probe tests: this machine cannot listen on ::1\n");
    return false;
  }
}
