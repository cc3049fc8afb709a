// This process's identity among several `beacon serve` nodes on one store: who holds a mirror's
// delivery lease (services/mirror/worker.ts), as `beacon mirror status` and the admin console show
// it. Unique per process — a restarted node is a new one, so it never mistakes a lease its previous
// life held for its own — and readable: host name and pid, then a random part.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

export function newNodeId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(6).toString("hex")}`;
}
