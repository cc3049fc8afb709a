// The node:cluster adapter of the supervisor's WorkerLauncher: each worker runs `script` (a built .js
// file) and talks over the IPC channel with "advanced" serialization (protocol.ts). `setup` sets the
// cluster's primary settings; a fork's events reach the supervisor as they come from cluster.Worker.

import cluster from "node:cluster";
import type { WorkerLauncher } from "./supervisor.js";

export function clusterLauncher(script: string): WorkerLauncher {
  return {
    setup() {
      cluster.setupPrimary({ exec: script, serialization: "advanced" });
    },
    fork(events) {
      const worker = cluster.fork();
      worker.on("message", (raw: unknown) => events.message(raw));
      worker.on("exit", (code: number | null, signal: string | null) => events.exit(code, signal));
      worker.on("error", (err: Error) => events.error(err));
      return {
        get pid() {
          return worker.process.pid;
        },
        send: (m) => void worker.send(m),
        isConnected: () => worker.isConnected(),
        isDead: () => worker.isDead(),
        disconnect: () => void worker.disconnect(),
        kill: () => worker.kill(),
        forceKill: () => void worker.process.kill("SIGKILL"),
      };
    },
  };
}
