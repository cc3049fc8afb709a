// Debian's real nginx, run in the foreground as the current user from a temporary prefix laid out
// like /etc/nginx: `nginx.conf` (written here: events, temp and log paths inside `dir`, then
// `include sites-enabled/*`), the caller's `files` (such as `snippets/x.conf`, `sites-enabled/x`)
// and every temp directory. Relative paths in the caller's files resolve against `dir`, as they do
// against /etc/nginx. It is stopped by the PID in its pid file, and nothing else is signalled.

import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";

export interface Nginx {
  /** Everything nginx wrote to stderr (its error log) and stdout. */
  readonly log: () => string;
  /** SIGTERM to the PID in nginx.pid (SIGKILL to it after 10 s); resolves when nginx has exited. */
  stop(): Promise<void>;
}

function mainConf(dir: string): string {
  // As root, nginx would switch its workers to "nobody", who cannot enter the 0700 temp directory.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : "";
  return `${user}worker_processes 1;
events { worker_connections 64; }
http {
    access_log ${join(dir, "access.log")};
    client_body_temp_path ${join(dir, "client_body")};
    proxy_temp_path ${join(dir, "proxy")};
    fastcgi_temp_path ${join(dir, "fastcgi")};
    uwsgi_temp_path ${join(dir, "uwsgi")};
    scgi_temp_path ${join(dir, "scgi")};
    include sites-enabled/*;
}
`;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

/** Starts nginx with `files` (path relative to `dir` → text); resolves once every port in `ports` accepts. */
export async function startNginx(
  dir: string,
  files: Readonly<Record<string, string>>,
  ports: readonly number[],
): Promise<Nginx> {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, mainConf(dir));
  const pidFile = join(dir, "nginx.pid");
  const global = `daemon off; pid ${pidFile}; error_log stderr;`;
  const proc = spawn("nginx", ["-p", dir, "-c", conf, "-g", global], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (log += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));

  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    let pid = proc.pid; // the master: nginx runs in the foreground, so it is the process spawned here
    try {
      pid = Number(readFileSync(pidFile, "utf8").trim());
    } catch {
      // no pid file yet: it is still starting
    }
    if (pid === undefined) return;
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    };
    signal("SIGTERM");
    const force = setTimeout(() => signal("SIGKILL"), 10_000);
    await exited;
    clearTimeout(force);
  };

  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}):\n${log}`);
    if ((await Promise.all(ports.map(accepts))).every(Boolean)) return { log: () => log, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`nginx did not listen on ${ports.join(", ")} within 10 s:\n${log}`);
}
