// A fake machine for the install-service commands' tests: every file written and command run is
// recorded in order as an event, nothing touches the system. `failing` names a command (its argv
// joined by spaces) that exits with status 1.

import type { InstallDeps } from "../../agent/service/install.js";
import type { InstallServiceDeps } from "../commands/agent-service.js";
import type { Io } from "../output.js";

export function installWorld(over: Partial<InstallServiceDeps> = {}, failing?: string) {
  const events: string[] = [];
  const install: InstallDeps = {
    writeFile: (path, _c, mode) => {
      events.push(`write ${path} ${mode.toString(8)}`);
      return Promise.resolve();
    },
    run: (argv) => {
      events.push(`run ${argv.join(" ")}`);
      return Promise.resolve(argv.join(" ") === failing ? 1 : 0);
    },
  };
  const deps: InstallServiceDeps = {
    platform: "linux",
    isRoot: () => false,
    cwd: () => "/home/op",
    exists: (p) => p !== "/missing/main.js" && p !== "/etc/beacon/none.yaml",
    nodePath: "/usr/bin/node",
    entryPath: "/opt/beacon/dist/cli/main.js",
    install,
    ...over,
  };
  const out: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => out.push(`ERR ${t}`) };
  return { deps, events, out, io };
}
