import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPing, NO_PING, parsePingTime } from "./icmp.js";
import { createProber } from "./index.js";
import { check } from "./testing/servers.js";

// The real `ping` needs privileges and sends to the network: these tests run fake `ping` scripts
// that record their arguments and print what iputils' ping prints.
const dir = mkdtempSync(join(tmpdir(), "beacon-probe-ping-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let scripts = 0;
/** An executable `ping` in a directory of its own, running `body` (sh); its arguments go to args.txt. */
function fakePing(body: string): { path: string; dir: string; args: () => string[] } {
  const home = join(dir, String(++scripts));
  mkdirSync(home);
  const path = join(home, "ping");
  const argsFile = join(home, "args.txt");
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, dir: home, args: () => readFileSync(argsFile, "utf8").trim().split("\n") };
}

const REPLY = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=12.3 ms

--- 127.0.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms`;

const icmp = (ping: string | null, address = "127.0.0.1", timeoutMs = 2_000) =>
  createProber({ ping })({ address, poolName: "p.example.test", check: check("icmp", { timeoutMs }) });

describe("icmp probe", () => {
  it("runs ping once with a whole-second wait, and takes the RTT it prints", async () => {
    const ping = fakePing(`cat <<'EOF'\n${REPLY}\nEOF`);
    expect(await icmp(ping.path, "127.0.0.1", 2_500)).toEqual({ ok: true, rttMs: 12.3 });
    expect(ping.args()).toEqual(["-c", "1", "-W", "3", "-n", "127.0.0.1"]);
    await icmp(ping.path, "::1", 200);
    expect(ping.args()).toEqual(["-6", "-c", "1", "-W", "1", "-n", "::1"]);
  });

  it("fails without a ping binary, saying so", async () => {
    expect(await icmp(null)).toEqual({ ok: false, reason: NO_PING });
    expect(findPing(dir)).toBeUndefined();
    expect(findPing("")).toBeUndefined();
    expect(findPing(undefined)).toBeUndefined();
  });

  it("finds ping on PATH", () => {
    const ping = fakePing("exit 0");
    expect(findPing(`/nonexistent:${ping.dir}`)).toBe(ping.path);
  });

  it("names no reply, ping's own complaint, and output without a time", async () => {
    const lost = fakePing("exit 1");
    const denied = fakePing("echo 'ping: socket: Operation not permitted' >&2; exit 2");
    const silent = fakePing("exit 2");
    const odd = fakePing("echo 'something else'");
    expect(await icmp(lost.path)).toEqual({ ok: false, reason: "no reply" });
    expect(await icmp(denied.path)).toEqual({
      ok: false,
      reason: "ping: ping: socket: Operation not permitted",
    });
    expect(await icmp(silent.path)).toEqual({ ok: false, reason: "ping: exit 2" });
    expect(await icmp(odd.path)).toEqual({ ok: false, reason: "bad reply: no time" });
    expect(await icmp(join(dir, "missing"))).toEqual({ ok: false, reason: "enoent" });
  });

  it("kills a ping that outlives the timeout", async () => {
    const slow = fakePing("exec sleep 30");
    expect(await icmp(slow.path, "127.0.0.1", 200)).toEqual({ ok: false, reason: "timeout" });
  });
});

describe("parsePingTime", () => {
  it("reads iputils and busybox forms, and nothing else", () => {
    expect(parsePingTime(REPLY)).toBe(12.3);
    expect(parsePingTime("64 bytes from ::1: seq=0 ttl=64 time=0.081 ms")).toBe(0.081);
    expect(parsePingTime("reply time<1 ms")).toBe(1);
    expect(parsePingTime("time=1e9 ms")).toBeUndefined();
    expect(parsePingTime("time= ms")).toBeUndefined();
    expect(parsePingTime("")).toBeUndefined();
  });
});
