// The capability story of beacon.service (deploy/systemd/beacon.service) without systemd as PID 1:
// `setpriv` gives the built server what the unit gives it — an unprivileged uid, no new privileges,
// CAP_NET_BIND_SERVICE as its only ambient, permitted and bounding capability — and it binds DNS
// on port 53 and HTTP on port 80. Without the capability it stops with listen_not_permitted (77).
// Each run gets a fresh network namespace (`unshare --net`), so ports 53 and 80 are free and no
// traffic leaves it. The unit's other sandboxing (seccomp filter, mount namespaces) is not
// reproduced here; the last test shows why MemoryDenyWriteExecute= stays off. Needs root,
// util-linux and iproute2: skips loudly without them, fails under BEACON_REQUIRE_PEERS=1.

import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startBeacon, tempDir } from "./support/beacon.js";
import { hasPeer, peerAvailable } from "./support/peers.js";

const NOBODY = 65534;
const CAP_NET_BIND_SERVICE = 10;

function canIsolate(): boolean {
  if (!peerAvailable("setpriv", "util-linux") || !peerAvailable("ip", "iproute2")) return false;
  try {
    execFileSync("unshare", ["--net", "true"], { stdio: "pipe" });
    return true;
  } catch (e) {
    const why = `cannot create a network namespace here (root needed): ${String(e)}`;
    if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(why);
    console.warn(`\n!!! SKIPPING the CAP_NET_BIND_SERVICE test of beacon serve: ${why}\n`);
    return false;
  }
}

/** Runs the server as nobody in a new network namespace, keeping only the capabilities named. */
function confined(caps: string): string[] {
  const keep = caps === "" ? "-all" : `-all,+${caps}`;
  const setpriv = [
    "setpriv",
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    "--clear-groups",
    "--no-new-privs",
    `--inh-caps=${keep}`,
    `--ambient-caps=${keep}`,
    `--bounding-set=${keep}`,
  ].join(" ");
  return ["unshare", "--net", "sh", "-c", `ip link set lo up && exec ${setpriv} "$@"`, "sh"];
}

/** The capability sets and uids of a running process, from /proc/<pid>/status. */
function status(pid: number): Record<string, string> {
  const lines = readFileSync(`/proc/${pid}/status`, "utf8").split("\n");
  const pairs = lines.map((l) => l.split(":\t")).filter((kv) => kv.length === 2);
  return Object.fromEntries(pairs) as Record<string, string>;
}

describe.skipIf(!canIsolate())("beacon serve as an unprivileged user with CAP_NET_BIND_SERVICE only", () => {
  const data = tempDir("beacon-caps-");
  beforeAll(() => chownSync(data.path, NOBODY, NOBODY));
  afterAll(() => data.remove());
  const lowPorts = ["--dns-listen", "127.0.0.1:53", "--http-listen", "127.0.0.1:80"];

  test("binds port 53 (UDP and TCP) and port 80, holding no other capability", async () => {
    const beacon = await startBeacon({
      dataDir: data.path,
      wrapper: confined("net_bind_service"),
      args: lowPorts,
    });
    try {
      const ready = beacon
        .stderr()
        .split("\n")
        .find((l) => l.includes('"beacon ready"'));
      const listening = JSON.parse(ready ?? "{}") as {
        http: { port: number }[];
        dns: { port: number }[];
      };
      expect(listening.dns.map((e) => e.port)).toContain(53);
      expect(listening.http.map((e) => e.port)).toContain(80);
      // unshare, sh and setpriv each exec the next: the pid is the server's.
      const proc = status(beacon.proc.pid ?? 0);
      const only = (1n << BigInt(CAP_NET_BIND_SERVICE)).toString(16).padStart(16, "0");
      expect(proc["Uid"]?.split("\t")).toEqual(Array(4).fill(String(NOBODY)));
      for (const set of ["CapEff", "CapPrm", "CapBnd", "CapAmb"]) expect(proc[set], set).toBe(only);
      expect(proc["NoNewPrivs"]).toBe("1");
    } finally {
      await beacon.stop();
    }
  });

  test("without the capability, port 53 is refused: listen_not_permitted, exit status 77", async () => {
    await expect(startBeacon({ dataDir: data.path, wrapper: confined(""), args: lowPorts })).rejects.toThrow(
      /exited \(77\)[\s\S]*listen_not_permitted/,
    );
  });
});

// MemoryDenyWriteExecute=yes is left off in beacon.service because V8's JIT needs memory it wrote to
// become executable. The kernel's own form of that rule (prctl PR_SET_MDWE, Linux 6.3+; python3's
// ctypes sets it, and it holds across exec) shows what the unit would do to node.
const PR_SET_MDWE = 65;
const PR_MDWE_REFUSE_EXEC_GAIN = 1;

function underMdwe(nodeArgs: string[]) {
  const script = [
    "import ctypes, os, sys",
    "libc = ctypes.CDLL(None, use_errno=True)",
    `if libc.prctl(${PR_SET_MDWE}, ${PR_MDWE_REFUSE_EXEC_GAIN}, 0, 0, 0) != 0: sys.exit(99)`,
    "os.execv(sys.argv[1], sys.argv[1:])",
  ].join("\n");
  const hot = "let s = 0; for (let i = 0; i < 1e7; i++) s += i; console.log('ran', s)";
  return spawnSync("python3", ["-c", script, process.execPath, ...nodeArgs, "-e", hot], {
    encoding: "utf8",
    timeout: 60_000,
  });
}

const mdwe = hasPeer("python3") && underMdwe(["--jitless"]).status !== 99;
if (!mdwe) console.warn("\n!!! SKIPPING the MemoryDenyWriteExecute check: needs python3 and Linux 6.3+\n");

describe.skipIf(!mdwe)("MemoryDenyWriteExecute", () => {
  test("node with its JIT dies when writable memory may not become executable; --jitless runs", () => {
    const jit = underMdwe([]);
    expect(jit.status).not.toBe(0);
    expect(jit.stdout).not.toContain("ran");
    const jitless = underMdwe(["--jitless"]);
    expect(jitless.stdout).toContain("ran 49999995000000");
    expect(jitless.status).toBe(0);
  });
});
