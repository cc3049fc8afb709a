// What a person at a terminal and a script in a pipeline see from the real program: readable logs on a
// terminal and JSON in a pipe, a quiet exit when the reader of a pipe goes away, a warning for a
// misspelt BEACON_* variable, and every setting taken as a flag.

import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { MAIN, ROOT, runCli, startBeacon, tempDir } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";

const LISTEN = ["--http-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0"];
const STOP_HINT = "Stop with Ctrl-C";

/**
 * Runs `beacon serve` under a pseudo-terminal (util-linux `script`), stops it by its PID with SIGTERM
 * once the banner is out and it answers, and returns everything the terminal showed (stdout and
 * stderr together).
 */
function serveOnTerminal(dataDir: string, args: readonly string[]): Promise<string> {
  const argv = [MAIN, "--data-dir", dataDir, "serve", ...LISTEN, ...args].map((a) => `'${a}'`).join(" ");
  // $$ is the shell's PID, which exec hands on to node: the one process to stop.
  const command = `echo PID=$$; exec '${process.execPath}' ${argv}`;
  const proc = spawn("script", ["-qec", command, "/dev/null"], {
    cwd: ROOT,
    env: { ...process.env, BEACON_CONFIG: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let screen = "";
  let stopped = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`beacon serve did not print its banner on the terminal in time:\n${screen}`));
    }, 20_000);
    proc.stdout.setEncoding("utf8").on("data", (d: string) => {
      screen += d;
      const pid = /PID=(\d+)/.exec(screen)?.[1];
      const port = /HTTP {2}127\.0\.0\.1:(\d+)/.exec(screen)?.[1];
      if (!stopped && pid !== undefined && port !== undefined && screen.includes(STOP_HINT)) {
        stopped = true;
        // An answer proves the tick that printed the banner (and installed the signal handlers) is over.
        void fetch(`http://127.0.0.1:${port}/healthz`).then(
          () => process.kill(Number(pid), "SIGTERM"),
          (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
        );
      }
    });
    proc.once("close", () => {
      clearTimeout(timer);
      resolve(screen.replaceAll("\r\n", "\n"));
    });
  });
}

/** Runs `beacon <args>` with the reading end of its stdout or stderr closed before it writes anything. */
function withClosedPipe(
  dataDir: string,
  fd: "stdout" | "stderr",
  args: readonly string[],
): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [MAIN, "--data-dir", dataDir, ...args], {
    env: { ...process.env, BEACON_CONFIG: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Closed now, while node is still starting: its first write to this stream meets EPIPE.
  proc[fd].destroy();
  let stderr = "";
  if (fd === "stdout") proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stderr })));
}

describe("beacon at a terminal and in pipelines", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const haveScript = peerAvailable("script", "util-linux");

  it.runIf(haveScript)(
    "logs readable lines on a terminal, in order with the banner; JSON when asked",
    async () => {
      const screen = await serveOnTerminal(dir.path, []);
      expect(screen).toMatch(/^\d\d:\d\d:\d\d INFO {2}beacon ready http=\[/m);
      expect(screen).not.toContain('{"level"');
      // Written as they happen: the store's lines come before the banner that follows them.
      expect(screen.indexOf("SQLite store opened")).toBeLessThan(screen.indexOf("Beacon is running."));

      const json = await serveOnTerminal(dir.path, ["--log-format", "json"]);
      expect(json).toMatch(/^\{"level":30,.*"msg":"beacon ready"\}$/m);
    },
  );

  it("logs JSON lines when stderr is a pipe", async () => {
    const beacon = await startBeacon({ dataDir: dir.path }); // reads the JSON "beacon ready" line
    expect(await beacon.stop()).toBe(0);
    expect(beacon.stderr()).not.toMatch(/^\d\d:\d\d:\d\d INFO/m);
  });

  it("warns about a misspelt BEACON_* variable once, naming the setting it resembles, and takes every setting as a flag", async () => {
    const beacon = await startBeacon({
      dataDir: dir.path,
      env: { BEACON_HTTP_LISTNE: "0.0.0.0:8245", BEACON_DATADIR: "", BEACON_REQUIRE_PEERS: "0" },
      args: ["--demo-enabled", "false", "--dns-workers", "0", "--admin-setup", "--shutdown-grace-ms", "500"],
    });
    expect(await beacon.stop()).toBe(0);
    const warnings = beacon
      .stderr()
      .split("\n")
      .filter((l) => l.includes("is not a Beacon setting"))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(warnings).toEqual([
      "environment variable BEACON_HTTP_LISTNE is not a Beacon setting; did you mean BEACON_HTTP_LISTEN?",
      "environment variable BEACON_DATADIR is not a Beacon setting; did you mean BEACON_DATA_DIR?",
    ]);

    const listed = await runCli(dir.path, ["zone", "list", "--json"], { BEACON_HTTP_LISTNE: "x" });
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe(
      "beacon: warning: environment variable BEACON_HTTP_LISTNE is not a Beacon setting; did you mean BEACON_HTTP_LISTEN?\n",
    );
  });

  it.each([
    ["stdout", ["host", "list", "--json"]],
    ["stdout", ["zone", "list"]],
    ["stderr", ["host", "show", "nope.example.org"]],
  ] as const)("exits quietly with 141 when its %s reader is gone: %j", async (fd, args) => {
    const r = await withClosedPipe(dir.path, fd, args);
    expect(r).toEqual({ code: 141, stderr: "" });
  });
});
