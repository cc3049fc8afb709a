// Which process a loopback TCP client socket belongs to (Linux /proc): a test backend uses it to
// answer one `beacon serve` node differently from the others although every node probes it from
// 127.0.0.1. The client's socket is found in /proc/net/tcp by its two ends (the server sees them as
// the request's remote and local address), and its inode among the candidate processes' open files.
// Linux only; IPv4 only; the processes must be the caller's user's. Never throws: undefined when no
// candidate holds the socket (or /proc cannot be read).

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** /proc/net/tcp's form of an IPv4 address and port: "0100007F:1F90" for 127.0.0.1:8080. */
function procAddress(ip: string, port: number): string {
  const hex = ip
    .split(".")
    .reverse()
    .map((o) => Number(o).toString(16).padStart(2, "0"))
    .join("");
  return `${hex}:${port.toString(16).padStart(4, "0")}`.toUpperCase();
}

/** The pid among `pids` holding the client socket `client` → `server`, or undefined. */
export function socketOwner(
  client: { readonly address: string; readonly port: number },
  server: { readonly address: string; readonly port: number },
  pids: Iterable<number>,
): number | undefined {
  try {
    const local = procAddress(client.address, client.port);
    const remote = procAddress(server.address, server.port);
    const line = readFileSync("/proc/net/tcp", "utf8")
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[1] === local && f[2] === remote);
    const link = line?.[9] === undefined ? undefined : `socket:[${line[9]}]`;
    if (link === undefined) return undefined;
    for (const pid of pids) {
      const dir = `/proc/${pid}/fd`;
      for (const fd of readdirSync(dir)) {
        try {
          if (readlinkSync(`${dir}/${fd}`) === link) return pid;
        } catch {
          // closed meanwhile
        }
      }
    }
  } catch {
    // a process gone, or no /proc
  }
  return undefined;
}
