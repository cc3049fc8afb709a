// What a first-time user meets when `beacon serve` cannot start, and the signals it must survive, with
// the real program. Hostile setups: the HTTP port taken, the DNS port taken (also with DNS workers),
// an address not on this machine (192.0.2.1, TEST-NET-1), port 53 as an unprivileged user, an
// open-file limit of 20 (too low for anything) and of 64 (enough, but not for 1024 connections).
// Each failure must be one line naming the setting and its flag, a stable exit status, no stack —
// and the process must exit, not hang. SIGHUP, even in the middle of a request, must not stop it.

import { spawn } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import net from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAIN, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";

const EXIT_TIMEOUT_MS = 30_000;

interface Exit {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `beacon serve` and waits for it to exit by itself (a hang fails the test, it is not killed quietly). */
function serveUntilExit(
  dataDir: string,
  args: readonly string[],
  opts: { wrapper?: string[]; env?: Record<string, string> } = {},
): Promise<Exit> {
  const [cmd, ...pre] = [...(opts.wrapper ?? []), process.execPath];
  const proc = spawn(cmd ?? process.execPath, [...pre, MAIN, "--data-dir", dataDir, "serve", ...args], {
    env: { ...process.env, BEACON_CONFIG: "", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(
        new Error(`beacon serve did not exit within ${EXIT_TIMEOUT_MS} ms (it hangs); stderr:\n${stderr}`),
      );
    }, EXIT_TIMEOUT_MS);
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, stdout, stderr });
    });
  });
}

/** The error lines of stderr (JSON log lines are not errors the user reads). */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("{"));
}

/** One line, the setting and its flag, the catalogue code, no stack. */
function expectOneClearLine(r: Exit, parts: { setting?: string; flag?: string; code: string; hint: RegExp }) {
  const lines = errorLines(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  const [line = ""] = lines;
  expect(line.startsWith("beacon: error: ")).toBe(true);
  if (parts.setting !== undefined) expect(line).toContain(`(${parts.setting}, ${parts.flag})`);
  expect(line).toContain(`[${parts.code}]`);
  expect(line).toMatch(parts.hint);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).not.toContain("Beacon is running");
}

function listenTcp(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
}

function bindUdp(): Promise<UdpSocket> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    s.bind(0, "127.0.0.1", () => resolve(s));
  });
}

const portOf = (s: Server | UdpSocket) => ("address" in s ? (s.address() as net.AddressInfo).port : 0);

describe("beacon serve: start-up errors are one clear line", () => {
  const dir = tempDir();
  const held: (Server | UdpSocket)[] = [];
  afterAll(() => {
    for (const h of held) h.close();
    dir.remove();
  });

  it.each([
    ["HTTP", "http.listen", "--http-listen", {}],
    ["DNS", "dns.listen", "--dns-listen", {}],
    ["DNS (dns.workers=2)", "dns.listen", "--dns-listen", { BEACON_DNS_WORKERS: "2" }],
  ])(
    "the %s port is taken: address_in_use, exit 75, naming the setting and its flag; the process exits",
    async (_what, setting, flag, env) => {
      const taken = setting === "http.listen" ? await listenTcp() : await bindUdp();
      held.push(taken);
      const at = `127.0.0.1:${portOf(taken)}`;
      const listen = { "http.listen": "127.0.0.1:0", "dns.listen": "127.0.0.1:0", [setting]: at };
      const r = await serveUntilExit(
        dir.path,
        ["--http-listen", listen["http.listen"], "--dns-listen", listen["dns.listen"]],
        { env },
      );
      expect(r.code).toBe(75);
      expectOneClearLine(r, { setting, flag, code: "address_in_use", hint: /another Beacon/ });
      expect(r.stderr).toContain(at);
    },
  );

  it.each([
    ["dns.listen", "--dns-listen", ["--http-listen", "127.0.0.1:0", "--dns-listen", "192.0.2.1:5300"]],
    ["http.listen", "--http-listen", ["--http-listen", "192.0.2.1:8245", "--dns-listen", "127.0.0.1:0"]],
  ])("an address not on this machine (%s): address_not_available, exit 69", async (setting, flag, args) => {
    const r = await serveUntilExit(dir.path, args);
    expect(r.code).toBe(69);
    expectOneClearLine(r, { setting, flag, code: "address_not_available", hint: /ip addr/ });
    expect(r.stderr).toContain("192.0.2.1:");
  });

  it("port 53 as an unprivileged user: listen_not_permitted, exit 77, with the capability hint", async (ctx) => {
    const root = process.getuid?.() === 0;
    if (root && !peerAvailable("setpriv", "util-linux")) return;
    const floor = Number(
      await import("node:fs").then((fs) =>
        fs.readFileSync("/proc/sys/net/ipv4/ip_unprivileged_port_start", "utf8"),
      ),
    );
    if (floor <= 53) {
      console.warn(
        "\n!!! SKIPPING the port-53 test: this kernel lets any user bind port 53 (ip_unprivileged_port_start)\n",
      );
      ctx.skip();
    }
    const own = tempDir("beacon-e2e-nobody-");
    chmodSync(own.path, 0o777);
    try {
      const wrapper = root ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] : [];
      const r = await serveUntilExit(
        own.path,
        ["--http-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:53"],
        { wrapper },
      );
      expect(r.code).toBe(77);
      expectOneClearLine(r, {
        setting: "dns.listen",
        flag: "--dns-listen",
        code: "listen_not_permitted",
        hint: /CAP_NET_BIND_SERVICE.*|setcap cap_net_bind_service/,
      });
      expect(r.stderr).toContain("1024");
    } finally {
      own.remove();
    }
  });

  it("an open-file limit of 20: too_many_open_files, exit 71, one line, no stack", async () => {
    if (!peerAvailable("prlimit", "util-linux")) return;
    const r = await serveUntilExit(
      dir.path,
      ["--http-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0"],
      {
        wrapper: ["prlimit", "--nofile=20", "--"],
      },
    );
    expect(r.code).toBe(71);
    expectOneClearLine(r, { code: "too_many_open_files", hint: /open-file limit is 20.*ulimit -n/ });
  });
});

describe("beacon serve under an open-file limit of 64", () => {
  const dir = tempDir();
  let beacon: Beacon | undefined;
  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  it("starts, fits its connection cap to the limit, refuses (and logs) 100 connections past it, serves after", async () => {
    if (!peerAvailable("prlimit", "util-linux")) return;
    beacon = await startBeacon({ dataDir: dir.path, wrapper: ["prlimit", "--nofile=64", "--"] });
    expect(beacon.stderr()).toContain("the open-file limit is too low for http.max_connections");
    expect((await fetch(`${beacon.url}/healthz`)).status).toBe(200);
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 100; i++) {
      const s = net.connect({ host: "127.0.0.1", port: beacon.httpPort });
      s.on("error", () => undefined);
      sockets.push(s);
    }
    await Promise.all(
      sockets.map((s) => new Promise<void>((r) => (s.once("connect", r), s.once("close", r)))),
    );
    // Held open until the server has taken them all in: the cap is 8 (one may be fetch's keep-alive
    // connection), and every connection past it is closed on arrival.
    const closedByServer = () => sockets.filter((s) => s.closed).length;
    for (let i = 0; i < 200 && closedByServer() < 92; i++) await new Promise((r) => setTimeout(r, 25));
    // The server may have refused one more (when fetch's connection is not among the 8): wait until no
    // close has come for 300 ms, so this count has caught up with the server's.
    for (let i = 0, seen = -1; i < 40 && closedByServer() !== seen; i++) {
      seen = closedByServer();
      await new Promise((r) => setTimeout(r, 300));
    }
    const refused = closedByServer();
    expect(refused).toBeGreaterThanOrEqual(92);
    for (const s of sockets) s.destroy();
    // Still alive and serving; every refusal was counted and logged.
    expect(beacon.proc.exitCode).toBeNull();
    const metrics = await (await fetch(`${beacon.url}/metrics`)).text();
    expect(metrics).toContain(`beacon_http_connections_refused_total{reason="total_limit"} ${refused}`);
    expect(beacon.stderr()).toContain('"msg":"HTTP connections refused"');
    expect(await beacon.stop()).toBe(0);
  });
});

describe("beacon serve in a data directory that does not exist yet", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it("creates it, with the database and its lock, and serves (npm start on a fresh clone)", async () => {
    const beacon = await startBeacon({ dataDir: join(dir.path, "data", "beacon") });
    try {
      expect((await fetch(`${beacon.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await beacon.stop()).toBe(0);
    }
  });
});

describe("beacon serve and SIGHUP", () => {
  const dir = tempDir();
  let beacon: Beacon | undefined;
  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  async function sighupSeen(n: number): Promise<void> {
    for (let i = 0; i < 200 && (beacon?.stderr().split('"signal":"SIGHUP"').length ?? 0) - 1 < n; i++)
      await new Promise((r) => setTimeout(r, 25));
  }

  it("SIGHUP in the middle of a request: the request is answered, the server keeps running", async () => {
    const config = join(dir.path, "beacon.yaml");
    writeFileSync(config, "log:\n  level: info\n");
    beacon = await startBeacon({ dataDir: dir.path, env: { BEACON_CONFIG: config } });
    const socket = net.connect({ host: "127.0.0.1", port: beacon.httpPort });
    await new Promise((r) => socket.once("connect", r));
    let answer = "";
    socket.setEncoding("utf8").on("data", (d: string) => (answer += d));
    const ended = new Promise((r) => socket.once("close", r));
    socket.write("GET /healthz HTTP/1.1\r\nHost: t\r\n");
    beacon.proc.kill("SIGHUP");
    await sighupSeen(1);
    socket.write("Connection: close\r\n\r\n");
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(beacon.proc.exitCode).toBeNull();
    expect(beacon.proc.signalCode).toBeNull();
    expect((await fetch(`${beacon.url}/ip`)).status).toBe(200);
  });

  it("SIGHUP applies a changed log.level (info → warn: the access log stops)", async () => {
    if (beacon === undefined) throw new Error("no server");
    const count = (text: string) => beacon!.stderr().split(text).length - 1;
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
    };
    // Every request so far is logged at info (a line may still be on its way: wait for it).
    await fetch(`${beacon.url}/ip`);
    await until(() => count('"msg":"request"') === 3);
    expect(count('"msg":"request"')).toBe(3);
    const config = join(dir.path, "beacon.yaml");
    writeFileSync(config, "log:\n  level: warn\n");
    beacon.proc.kill("SIGHUP");
    await sighupSeen(2);
    await fetch(`${beacon.url}/ip`);
    await fetch(`${beacon.url}/healthz`);
    // A warn line written after those requests marks where their access lines would be.
    writeFileSync(config, "log: [not, a, mapping\n");
    beacon.proc.kill("SIGHUP");
    await until(() => count("the configuration cannot be read") === 1);
    expect(count("the configuration cannot be read")).toBe(1);
    expect(count('"msg":"request"')).toBe(3);
    expect(await beacon.stop()).toBe(0);
  });
});
