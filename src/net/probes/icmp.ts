// The icmp probe, optional: runs the system `ping` (`ping [-6] -c 1 -W <s> -n <address>`) through
// execFile, never a shell. Sending ICMP needs privileges the process rarely has: the binary must be
// setuid or carry cap_net_raw, or the kernel must allow unprivileged ICMP for our group
// (net.ipv4.ping_group_range). Without a binary the probe fails with "icmp unavailable: no ping
// binary" and logs nothing (the caller reports). Up when ping exits 0; RTT is the "time=12.3 ms" it
// prints. Reasons: "no reply" (exit 1), "ping: <its first line of stderr>" (it could not ping).

import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { isIP } from "node:net";
import { delimiter, join } from "node:path";
import { attempt, type ProbeContext, type ProbeResult } from "./attempt.js";
import { reasonOf } from "./reasons.js";

export const NO_PING = "icmp unavailable: no ping binary";

/** The first executable `ping` in the directories of `pathEnv` (a PATH value), or undefined. */
export function findPing(pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? "").split(delimiter)) {
    if (dir === "") continue;
    const file = join(dir, "ping");
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The RTT in a ping's output ("time=12.3 ms", "time<1 ms"), or undefined. */
export function parsePingTime(output: string): number | undefined {
  const m = /time[=<]\s*(\d+(?:\.\d+)?)\s*ms/.exec(output);
  return m === null ? undefined : Number(m[1]);
}

export function probeIcmp(
  address: string,
  ping: string | undefined,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  if (ping === undefined) return Promise.resolve({ ok: false, reason: NO_PING });
  return attempt(ctx, (done) => {
    const seconds = Math.max(1, Math.ceil(ctx.timeoutMs / 1000));
    const args = [...(isIP(address) === 6 ? ["-6"] : []), "-c", "1", "-W", String(seconds), "-n", address];
    const child = execFile(ping, args, { encoding: "utf8", maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      if (err === null) {
        const rttMs = parsePingTime(stdout);
        done(rttMs === undefined ? { ok: false, reason: "bad reply: no time" } : { ok: true, rttMs });
      } else if (err.code === 1) done({ ok: false, reason: "no reply" });
      else if (typeof err.code === "string") done({ ok: false, reason: reasonOf(err) });
      else {
        const line = stderr.split("\n", 1)[0]?.trim().slice(0, 120) ?? "";
        done({ ok: false, reason: `ping: ${line === "" ? `exit ${String(err.code)}` : line}` });
      }
    });
    return () => child.kill();
  });
}
