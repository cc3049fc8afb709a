// Runs the real `beacon agent` (dist/) and fake echo services whose answer a test controls.

import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MAIN } from "./beacon.js";

export interface EchoServer {
  readonly url: string;
  /** What the service answers from now on (the body, verbatim). */
  answer: string;
  /** Requests served so far. */
  readonly hits: () => number;
  /** The source addresses requests came from (each once). */
  readonly remotes: ReadonlySet<string>;
  close(): Promise<void>;
}

export async function startEcho(answer: string): Promise<EchoServer> {
  let hits = 0;
  const remotes = new Set<string>();
  const echo: { answer: string } = { answer };
  const server: Server = createServer((req, res) => {
    hits++;
    remotes.add(req.socket.remoteAddress ?? "");
    res.writeHead(200, { "content-type": "text/plain" }).end(echo.answer);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(echo, {
    url: `http://127.0.0.1:${port}/`,
    hits: () => hits,
    remotes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

export interface AgentProcess {
  readonly proc: ChildProcess;
  readonly statusUrl: string;
  readonly output: () => string;
  /** The local page's one-time setup code as printed on stderr (undefined until then, or none). */
  readonly setupCode: () => string | undefined;
  stop(): Promise<number | string>;
}

/** Starts `beacon agent --config <file>` (optionally through a wrapper such as `ip netns exec`). */
export function startAgent(config: string, wrapper: readonly string[] = []): Promise<AgentProcess> {
  const argv = [...wrapper, process.execPath, MAIN, "agent", "--config", config];
  const proc = spawn(argv[0] ?? "", argv.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env },
  });
  let out = "";
  proc.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
  proc.stderr?.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<number | string>((r) => proc.once("exit", (c, s) => r(c ?? s ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`agent did not start:\n${out}`));
    }, 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${code}) before it was ready:\n${out}`));
    });
    const check = () => {
      const m = /status (http:\/\/\S+)\/healthz/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      resolve({
        proc,
        statusUrl: m[1] ?? "",
        output: () => out,
        setupCode: () => /^ {2}([0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+)$/m.exec(out)?.[1],
        stop: () => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
          return exited;
        },
      });
    };
    proc.stdout?.on("data", check);
  });
}

/**
 * Sets the local page's password with the code the agent printed (POST /api/setup) and returns the
 * headers of the signed-in session: its cookie and CSRF token.
 */
export async function pageSession(agent: AgentProcess, password: string): Promise<Record<string, string>> {
  if (!(await eventually(() => agent.setupCode() !== undefined))) throw new Error("no setup code printed");
  const res = await fetch(`${agent.statusUrl}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code: agent.setupCode(), password }),
  });
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "", "x-csrf-token": csrfToken };
}

/** Polls `probe` every 100 ms until it returns true, at most `ms`; returns the last result. */
export async function eventually(probe: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
